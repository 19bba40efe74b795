"""The profile's token cache on disk: MSAL's ``SerializableTokenCache`` in ``token_cache.json``
(mode 0600, written atomically), the sign-in state file beside it, and the lock that
serialises refreshes across processes sharing the profile (the panel and the CLI).

msal is imported only when a cache object is first needed.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panel_tui.device.atomic import exclusive_lock, write_atomically

log = logging.getLogger(__name__)


def make_clocked_cache(now: Callable[[], float]):
    """An MSAL SerializableTokenCache that stamps tokens with `now()` (the session's clock)."""
    import msal

    class _ClockedTokenCache(msal.SerializableTokenCache):
        """Stamps tokens with the session's clock, so a trainer's '+91 days' ages them too."""

        def add(self, event, **kwargs):  # type: ignore[override]
            kwargs.setdefault("now", int(now()))
            super().add(event, **kwargs)

    return _ClockedTokenCache()


class TokenCacheFile:
    """token_cache.json of one profile and the MSAL cache object it loads into.

    `cache()` re-reads the file when another process changed it; `save()` writes it back
    when MSAL changed it; `locked()` is the cross-process lock around a refresh (refresh
    tokens rotate, and two processes redeeming the same one would kill it).
    """

    def __init__(self, path: Path, now: Callable[[], float]) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._now = now
        self._cache = None
        self._mtime: int | None = None

    @property
    def loaded(self):
        """The MSAL cache object as last loaded (None before the first `cache()`)."""
        return self._cache

    def cache(self):
        """The MSAL cache object, refreshed from the file if it changed on disk."""
        if self._cache is None:
            self._cache = make_clocked_cache(self._now)
        self.reload()
        return self._cache

    def reload(self) -> None:
        """Read the cache file if another process (the CLI) changed it since we last did."""
        cache = self._cache
        if cache is None:
            return
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            if self._mtime is not None:  # deleted behind our back: forget it too
                cache.deserialize(None)
                self._mtime = None
            return
        if stat.st_mtime_ns == self._mtime:
            return
        try:
            text = self.path.read_text(encoding="utf-8")
            json.loads(text or "{}")
        except (OSError, ValueError) as error:
            aside = self.path.with_name(self.path.name + ".unreadable")
            log.warning("token cache %s is unreadable (%s); kept as %s", self.path, type(error).__name__, aside)
            self.path.replace(aside)
            cache.deserialize(None)
            self._mtime = None
            return
        cache.deserialize(text)
        self._mtime = stat.st_mtime_ns

    def locked(self):
        """The cross-process lock of this cache file (a context manager)."""
        return exclusive_lock(self.lock_path)

    def save(self) -> None:
        """Write the cache back if MSAL changed it (atomic, 0600)."""
        cache = self._cache
        if cache is None or not cache.has_state_changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, cache.serialize(), mode=0o600)
        self._mtime = self.path.stat().st_mtime_ns


class SignInState:
    """The 0600 JSON file beside the cache: roles -> account, dead sign-ins. No tokens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.roles: dict[str, str] = {}
        self.expired: dict[str, dict[str, Any]] = {}
        self._mtime: int | None = None

    def reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self.roles, self.expired, self._mtime = {}, {}, None
            return
        if stat.st_mtime_ns == self._mtime:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            roles = {str(k): str(v) for k, v in dict(data.get("roles", {})).items()}
            expired = {str(k).lower(): dict(v) for k, v in dict(data.get("expired", {})).items()}
        except (OSError, ValueError, TypeError, AttributeError) as error:
            log.warning("ignoring unreadable sign-in state %s: %s", self.path, error)
            roles, expired = {}, {}
        self.roles, self.expired, self._mtime = roles, expired, stat.st_mtime_ns

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"schema": 1, "roles": self.roles, "expired": self.expired}
        write_atomically(self.path, json.dumps(document, indent=2, sort_keys=True) + "\n", mode=0o600)
        self._mtime = self.path.stat().st_mtime_ns
