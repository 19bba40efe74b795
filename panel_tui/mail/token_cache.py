"""The profile's token cache on disk: MSAL's ``SerializableTokenCache`` in ``token_cache.json``
(mode 0600, written atomically), the sign-in state file beside it, and the lock that
serialises refreshes across processes sharing the profile (the panel and the CLI).

msal is imported only when a cache object is first needed.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from panel_tui.device.atomic import exclusive_lock, write_atomically

log = logging.getLogger(__name__)


def make_clocked_cache(now: Callable[[], float]) -> Any:  # an msal.SerializableTokenCache (MSAL is untyped)
    """An MSAL SerializableTokenCache that stamps tokens with `now()` (the session's clock)."""
    import msal

    class _ClockedTokenCache(msal.SerializableTokenCache):  # type: ignore[misc]  # MSAL has no types
        """Stamps tokens with the session's clock, so a trainer's '+91 days' ages them too."""

        def add(self, event: dict[str, Any], **kwargs: Any) -> None:
            kwargs.setdefault("now", int(now()))
            super().add(event, **kwargs)

    return _ClockedTokenCache()


class TokenCacheFile:
    """token_cache.json of one profile and the MSAL cache object it loads into.

    `cache()` re-reads the file when another process changed it; `save()` writes it back
    when MSAL changed it; `locked()` is the cross-process lock around a refresh. Entra keeps
    a redeemed refresh token working (each refresh also returns a new one), so two processes
    refreshing at once would not kill the sign-in; the lock saves the second refresh (it finds
    the fresh access token in the re-read cache) and keeps the two writes of the file apart.
    """

    def __init__(self, path: Path, now: Callable[[], float]) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._now = now
        self._cache: Any = None  # the msal cache object (MSAL is untyped)
        self._mtime: int | None = None
        # The last save that failed (a full disk): the tokens live on in memory until a save works.
        self.save_problem: OSError | None = None

    @property
    def loaded(self) -> Any:
        """The MSAL cache object as last loaded (None before the first `cache()`)."""
        return self._cache

    def cache(self) -> Any:
        """The MSAL cache object, refreshed from the file if it changed on disk."""
        if self._cache is None:
            self._cache = make_clocked_cache(self._now)
        self.reload()
        return self._cache

    def reload(self) -> None:
        """Read the cache file if another process (the CLI) changed it since we last did."""
        cache = self._cache
        if cache is None or self.save_problem is not None:
            return  # unsaved tokens in memory are newer than the file: keep them
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
            _check_shape(json.loads(text or "{}"))
        except (OSError, ValueError, RecursionError) as error:
            aside = self.path.with_name(self.path.name + ".unreadable")
            log.warning("token cache %s is unreadable (%s); kept as %s", self.path, type(error).__name__, aside)
            self.path.replace(aside)
            cache.deserialize(None)
            self._mtime = None
            return
        cache.deserialize(text)
        self._mtime = stat.st_mtime_ns

    def locked(self) -> AbstractContextManager[None]:
        """The cross-process lock of this cache file (a context manager)."""
        return exclusive_lock(self.lock_path)

    def save(self) -> bool:
        """Write the cache back if MSAL changed it (atomic, 0600); True if nothing is left unsaved.

        A write that fails (a full disk) never loses tokens: they stay in memory, marked
        changed, `save_problem` says why, and the next save tries again.
        """
        cache = self._cache
        if cache is None or not cache.has_state_changed:
            return self.save_problem is None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, cache.serialize(), mode=0o600)
            self._mtime = self.path.stat().st_mtime_ns
        except OSError as error:
            cache.has_state_changed = True  # serialize() cleared it; the disk does not have it
            if self.save_problem is None:
                log.warning("token cache %s not saved (%s); the tokens are kept in memory and saved later",
                            self.path, error.strerror or type(error).__name__)
            self.save_problem = error
            return False
        if self.save_problem is not None:
            log.info("token cache %s saved after an earlier failure", self.path)
        self.save_problem = None
        return True


def _check_shape(document: Any) -> None:
    """MSAL's cache is {credential type: {key: entry object}}; anything else is not a cache."""
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, found {type(document).__name__}")
    for section, entries in document.items():
        if not isinstance(entries, dict) or not all(isinstance(entry, dict) for entry in entries.values()):
            raise ValueError(f"{section}: expected an object of objects")


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
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as error:
            log.warning("ignoring unreadable sign-in state %s: %s", self.path, error)
            roles, expired = {}, {}
        self.roles, self.expired, self._mtime = roles, expired, stat.st_mtime_ns

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"schema": 1, "roles": self.roles, "expired": self.expired}
        write_atomically(self.path, json.dumps(document, indent=2, sort_keys=True) + "\n", mode=0o600)
        self._mtime = self.path.stat().st_mtime_ns
