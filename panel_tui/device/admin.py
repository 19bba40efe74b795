"""Administrator password (PBKDF2 hashes) and the panel's administrator session."""
from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from panel_tui.device.clock import Clock
from panel_tui.device.settings import DeviceSettings
from panel_tui.device.validation import validate_admin_password

ALGORITHM = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 240_000
SALT_BYTES = 16


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS) -> str:
    """"pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>" with a fresh random salt."""
    import hashlib  # here, not at start: a plain start never hashes (OpenSSL's binding costs ~2 ms)
    import secrets

    if iterations < 1:
        raise ValueError("iterations must be positive")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, hashed: str | None) -> bool:
    """True if `password` matches `hashed` (constant-time compare); False for malformed hashes."""
    import hashlib
    import hmac

    if not isinstance(password, str) or not isinstance(hashed, str):
        return False
    parts = hashed.split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM:
        return False
    try:
        iterations = int(parts[1])
        salt = bytes.fromhex(parts[2])
        expected = bytes.fromhex(parts[3])
    except ValueError:
        return False
    if iterations < 1 or not expected:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


def set_admin_password(settings: DeviceSettings, new_password: str) -> DeviceSettings:
    """A copy of `settings` with a new administrator password (8-20 single-byte characters).

    Raises FieldError if the password breaks the rule. Lock Setting is left as it is:
    on Epson panels setting the password and locking are separate steps.
    """
    validate_admin_password(new_password)
    return dataclasses.replace(settings, admin_password_hash=hash_password(new_password))


def check_admin_password(settings: DeviceSettings, password: str) -> bool:
    """True if `password` is the administrator password (the serial number until one is set)."""
    import hmac

    if settings.admin_password_hash is None:
        return hmac.compare_digest(password.encode("utf-8"), settings.serial_number.encode("utf-8"))
    return verify_password(password, settings.admin_password_hash)


class AdminSession:
    """The panel's administrator login; it lapses after `admin_timeout_minutes` without activity.

    A timeout of 0 minutes means the session lasts until `logout()`. `on_change(logged_in)`
    is called after every login, logout and lapse (outside the session's lock).
    """

    def __init__(self, settings_getter: Callable[[], DeviceSettings], clock: Clock,
                 on_change: Callable[[bool], None] | None = None) -> None:
        self._settings = settings_getter
        self._clock = clock
        self._lock = threading.Lock()
        self._last_activity: datetime | None = None
        self._on_change = on_change

    def _changed(self, logged_in: bool) -> None:
        if self._on_change is not None:
            self._on_change(logged_in)

    def login(self, password: str) -> bool:
        """Log in if `password` is right; a wrong one leaves the session as it was."""
        if not isinstance(password, str) or not check_admin_password(self._settings(), password):
            return False
        with self._lock:
            was_in = self._last_activity is not None
            self._last_activity = self._clock.now()
        if not was_in:
            self._changed(True)
        return True

    def logout(self) -> None:
        with self._lock:
            was_in = self._last_activity is not None
            self._last_activity = None
        if was_in:
            self._changed(False)

    def _expired(self, now: datetime) -> bool:
        timeout = self._settings().admin_timeout_minutes
        last = self._last_activity
        return last is not None and bool(timeout) and now - last >= timedelta(minutes=timeout)

    @property
    def logged_in(self) -> bool:
        with self._lock:
            if self._last_activity is None:
                return False
            lapsed = self._expired(self._clock.now())
            if lapsed:
                self._last_activity = None
        if lapsed:
            self._changed(False)
        return not lapsed

    def touch(self) -> None:
        """Record activity: the timeout counts from now (no effect when logged out)."""
        lapsed = False
        with self._lock:
            now = self._clock.now()
            if self._last_activity is not None and not self._expired(now):
                self._last_activity = now
            elif self._last_activity is not None:
                self._last_activity = None
                lapsed = True
        if lapsed:
            self._changed(False)

    @property
    def requires_login(self) -> bool:
        """True when Lock Setting is on and nobody is logged in: locked items ask for the password."""
        return self._settings().lock_setting and not self.logged_in
