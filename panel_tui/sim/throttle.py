"""Throttling as Entra does it: smart lockout of an account after repeated wrong passwords,
and a rate limit on device code requests per client.

Smart lockout (Entra's defaults): 10 failed sign-ins lock the account for 60 seconds, each
further lockout lasting twice as long (up to 30 minutes); a wrong password repeated as it
was does not count again (Entra remembers the last three bad passwords); while locked even
the right password is refused (AADSTS50053). Lockout time runs on the simulated clock, so a
trainer's "+1 hour" ends it. Kept in memory: a restarted simulator forgets lockouts.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

LOCKOUT_THRESHOLD = 10
LOCKOUT_DURATION = 60.0
LOCKOUT_MAX_DURATION = 30 * 60.0
_REMEMBERED_BAD_PASSWORDS = 3

# Device code requests: a burst of 60 per client address and app, then one a second.
DEVICE_CODE_BURST = 60
DEVICE_CODE_PER_SECOND = 1.0


@dataclass
class _Account:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0
    bad_passwords: deque[bytes] = field(default_factory=lambda: deque(maxlen=_REMEMBERED_BAD_PASSWORDS))


class SignInLockout:
    """Failed password counts per account (by UPN), shared by every sign-in page."""

    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}
        self._salt = secrets.token_bytes(16)  # wrong passwords are kept only as salted hashes

    def locked(self, upn: str, now: float) -> bool:
        account = self._accounts.get(upn)
        return account is not None and now < account.locked_until

    def failed(self, upn: str, password: str, now: float) -> bool:
        """Count a wrong password; True when the account is (now) locked."""
        account = self._accounts.setdefault(upn, _Account())
        if now < account.locked_until:
            return True
        digest = hmac.new(self._salt, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        if digest in account.bad_passwords:
            return False
        account.bad_passwords.append(digest)
        account.failures += 1
        if account.failures >= LOCKOUT_THRESHOLD:
            duration = min(LOCKOUT_DURATION * 2 ** account.lockouts, LOCKOUT_MAX_DURATION)
            account.locked_until = now + duration
            account.lockouts += 1
            account.failures = 0
            return True
        return False

    def succeeded(self, upn: str) -> None:
        account = self._accounts.get(upn)
        if account is not None:
            account.failures = 0
            account.bad_passwords.clear()

    def clear(self) -> None:
        self._accounts.clear()


class DeviceCodeRateLimit:
    """A token bucket per (client address, client id), on real time."""

    def __init__(self, burst: int = DEVICE_CODE_BURST, per_second: float = DEVICE_CODE_PER_SECOND) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}

    def take(self, address: str, client_id: str) -> float:
        """0 when allowed (and counted), else the seconds until the next request may pass."""
        now = time.monotonic()
        key = (address, client_id.lower())
        tokens, stamp = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - stamp) * self.per_second)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_second
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 10_000:  # forget full buckets; they behave as new ones
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst - 1}
        return 0.0

    def clear(self) -> None:
        self._buckets.clear()
