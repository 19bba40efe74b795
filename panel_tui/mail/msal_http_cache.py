"""MSAL's HTTP cache kept in the printer profile, so a fresh process can sign nothing in anew.

MSAL fetches the authority's OpenID discovery document (and, for Microsoft's cloud, instance
metadata) when an application object is built, and keeps successful GET answers for 24 hours
in its ``http_cache`` mapping (``msal.PublicClientApplication(..., http_cache=...)``). A
long-running panel therefore sends while the sign-in service is down as long as its access
token is valid; a fresh ``panel-tui send`` could not even build the application. This
mapping loads those discovery answers from a 0600 JSON file beside the token cache and saves
them back, so the CLI behaves like the panel.

Only public GET answers are kept (discovery documents: no tokens, no secrets); MSAL's
short-lived throttling entries for POSTs stay in memory.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from panel_tui.device.atomic import write_atomically

log = logging.getLogger(__name__)

INDEX = "_index_"  # MSAL's ExpiringMapping keeps its expiry index under this key
SCHEMA = 1


class PersistentHttpCache(dict[str, Any]):
    """A dict MSAL uses as ``http_cache``; :meth:`save` writes its GET answers to `path`."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._saved = ""
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("schema") == SCHEMA else []
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable MSAL HTTP cache %s: %s", self.path, type(error).__name__)
            return
        from msal.throttled_http_client import NormalizedResponse

        sequence, timestamps = [], {}
        for entry in entries:
            try:
                key, expires_at, created_at = str(entry["key"]), int(entry["expires_at"]), int(entry["created_at"])
                raw = SimpleNamespace(status_code=int(entry["status_code"]), text=str(entry["text"]),
                                      headers=dict(entry["headers"]))
            except (KeyError, TypeError, ValueError):
                continue
            self[key] = NormalizedResponse(raw)
            sequence.append([expires_at, created_at, key])
            timestamps[key] = [expires_at, created_at]
        if timestamps:
            sequence.sort()
            self[INDEX] = (sequence, timestamps)
        self._saved = self._document()

    def _document(self) -> str:
        _, timestamps = self.get(INDEX, ([], {}))
        entries: list[dict[str, Any]] = []
        for key, (expires_at, created_at) in sorted(timestamps.items()):
            value = dict.get(self, key)
            if not key.startswith("GET ") or value is None or not 200 <= getattr(value, "status_code", 0) < 300:
                continue
            entries.append({"key": key, "expires_at": expires_at, "created_at": created_at,
                            "status_code": value.status_code, "text": value.text,
                            "headers": {k: str(v) for k, v in dict(value.headers).items()
                                        if k.lower() != "set-cookie"}})
        return json.dumps({"schema": SCHEMA, "entries": entries}, sort_keys=True)

    def save(self) -> None:
        """Write the discovery answers if they changed (0600, atomic); a failure is only logged."""
        try:
            document = self._document()
            if document == self._saved:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, document + "\n", mode=0o600)
            self._saved = document
        except (OSError, TypeError, ValueError) as error:
            log.warning("could not save the MSAL HTTP cache %s: %s", self.path, type(error).__name__)
