"""Outstanding device codes (RFC 8628), kept in memory: a restart forgets them, as a
device would have to ask for a new code after any real outage anyway."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

DEVICE_CODE_LIFETIME = 900
# Entra answers 5; the simulator answers 1 so demos and tests do not wait (MSAL needs >= 1).
DEFAULT_POLL_INTERVAL = 1
# No 0/O or 1/I: codes are read off a small screen and typed by hand.
_USER_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_USER_CODE_LENGTH = 9
_FORGET_AFTER_EXPIRY = 3600

PENDING = "pending"
APPROVED = "approved"
DECLINED = "declined"
BLOCKED = "blocked"
CONSENT_REQUIRED = "consent_required"
MFA_FAILED = "mfa_failed"  # the Authenticator request was denied or timed out (AADSTS500121)


@dataclass
class DeviceCode:
    """One device authorization request and what the user did with it."""

    device_code: str
    user_code: str
    client_id: str
    scopes: list[str]
    issued_at: float
    expires_at: float
    interval: int
    status: str = PENDING
    upn: str | None = None
    auth_time: float | None = None
    redeemed: bool = False
    polls: int = field(default=0)
    # The tenant its authority named (None: organizations/common, the signed-in user's tenant).
    tenant_id: str | None = None
    # An authorization code request (/authorize, PKCE) signing in on these pages: where the code
    # goes back and how (query or form_post), the S256 challenge the redemption must answer, and
    # the client's state and nonce.
    redirect_uri: str = ""
    response_mode: str = "query"
    code_challenge: str = ""
    state: str = ""
    nonce: str = ""

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


class DeviceCodes:
    """The registry, indexed by device code (the client's secret) and user code (typed)."""

    def __init__(self) -> None:
        self._by_device: dict[str, DeviceCode] = {}
        self._by_user: dict[str, DeviceCode] = {}

    def create(self, client_id: str, scopes: list[str], now: float, interval: int) -> DeviceCode:
        self._prune(now)
        user_code = _new_user_code()
        while user_code in self._by_user:
            user_code = _new_user_code()
        code = DeviceCode(
            device_code=secrets.token_urlsafe(48),
            user_code=user_code,
            client_id=client_id,
            scopes=list(scopes),
            issued_at=now,
            expires_at=now + DEVICE_CODE_LIFETIME,
            interval=interval,
        )
        self._by_device[code.device_code] = code
        self._by_user[code.user_code] = code
        return code

    def by_device_code(self, device_code: str) -> DeviceCode | None:
        return self._by_device.get(device_code)

    def by_user_code(self, typed: str) -> DeviceCode | None:
        return self._by_user.get(normalise_user_code(typed))

    def all(self) -> list[DeviceCode]:
        return sorted(self._by_device.values(), key=lambda c: c.issued_at)

    def clear(self) -> None:
        self._by_device.clear()
        self._by_user.clear()

    def __len__(self) -> int:
        return len(self._by_device)

    def _prune(self, now: float) -> None:
        stale = [c for c in self._by_device.values() if now - c.expires_at > _FORGET_AFTER_EXPIRY]
        for code in stale:
            self._by_device.pop(code.device_code, None)
            self._by_user.pop(code.user_code, None)


def normalise_user_code(typed: str) -> str:
    """Users type codes with spaces, dashes or in lower case; all of that is the same code."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _new_user_code() -> str:
    return "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(_USER_CODE_LENGTH))
