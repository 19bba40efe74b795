"""The simulated tenant: its users, app registration, policies, and the seeded starting state.

Documented in ``panel_tui/sim/README.md``. The seed is what a fresh Exchange Online
tenant looks like for the guide: security defaults on, SMTP AUTH off for the
organisation, no admin consent for the printer's app yet.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

TENANT_ID = "3f6d9c4e-8a27-4b1d-9e55-2c7a1b0d4f63"
TENANT_DOMAIN = "contoso.onmicrosoft.com"
TENANT_NAME = "Contoso"

CLIENT_ID = "9c4a7e21-5b3f-4d8e-a6c0-1f2e3d4b5a69"
APP_NAME = "Epson Printer (panel_tui)"

OUTLOOK_RESOURCE = "https://outlook.office.com"
SMTP_SEND = "SMTP.Send"
SMTP_SCOPE = f"{OUTLOOK_RESOURCE}/{SMTP_SEND}"
# Scopes a client may ask for; the OIDC ones are always granted and never consented to.
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
RESOURCE_SCOPES = {
    SMTP_SCOPE.lower(): SMTP_SCOPE,
    f"{OUTLOOK_RESOURCE}/.default": SMTP_SCOPE,
}

GLOBAL_ADMIN = "Global Administrator"
CLOUD_APP_ADMIN = "Cloud Application Administrator"
KNOWN_ROLES = (GLOBAL_ADMIN, CLOUD_APP_ADMIN)
# Roles that may consent on behalf of the organisation (Epson's newer manuals accept both).
ADMIN_CONSENT_ROLES = frozenset({GLOBAL_ADMIN, CLOUD_APP_ADMIN})

PASSWORD_MIN_LENGTH = 8
_PBKDF2_ROUNDS = 20_000  # a simulator: enough to not store passwords in clear, cheap to check


@dataclass(frozen=True)
class SeededAccount:
    """A documented account of the seeded tenant (password included: it is documentation)."""

    upn: str
    display_name: str
    roles: tuple[str, ...]
    password: str
    object_id: str
    note: str


SEEDED_ACCOUNTS: tuple[SeededAccount, ...] = (
    SeededAccount(f"admin@{TENANT_DOMAIN}", "Contoso Administrator", (GLOBAL_ADMIN,),
                  "Sim-Admin-2024", "0b6f1e7a-2c3d-4e5f-8a9b-0c1d2e3f4a51",
                  "global administrator: consents for the organisation, admin center"),
    SeededAccount(f"printer@{TENANT_DOMAIN}", "Epson Printer", (),
                  "Sim-Printer-2024", "1c7a2f8b-3d4e-4f60-9bac-1d2e3f4a5b62",
                  "the printer's mailbox"),
    SeededAccount(f"megan@{TENANT_DOMAIN}", "Megan Bowen", (),
                  "Sim-Megan-2024", "2d8b3a9c-4e5f-4071-acbd-2e3f4a5b6c73",
                  "ordinary user"),
    SeededAccount(f"alex@{TENANT_DOMAIN}", "Alex Wilber", (),
                  "Sim-Alex-2024", "3e9c4bad-5f60-4182-bdce-3f4a5b6c7d84",
                  "ordinary user"),
)


@dataclass
class User:
    """A directory user with an Exchange Online mailbox."""

    upn: str
    display_name: str
    object_id: str
    roles: list[str]
    password_hash: str
    # None: follow the organisation's setting (Exchange's "use the default").
    smtp_auth: bool | None = None
    # Refresh tokens from sign-ins before this simulated time are dead (revocation, password change).
    tokens_valid_from: float = 0.0
    password_changed: bool = False
    # A shared mailbox: nobody signs in as it; trustees listed in send_as may send as it.
    shared: bool = False
    # Exchange's "Send As" permission on this mailbox: the UPNs that may send as it.
    send_as: list[str] = field(default_factory=list)
    # Exchange Online Protection's verdict on this sender (None: may send); one of
    # SENDER_BLOCKS' keys, each answered with its own Exchange reply.
    sender_block: str | None = None

    @property
    def can_consent_for_org(self) -> bool:
        return any(role in ADMIN_CONSENT_ROLES for role in self.roles)

    @property
    def is_global_admin(self) -> bool:
        return GLOBAL_ADMIN in self.roles

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)


@dataclass
class AppRegistration:
    """An app registration; what each property does to a sign-in is in :mod:`panel_tui.sim.apps`."""

    client_id: str
    display_name: str
    public_client: bool = True  # Authentication > Allow public client flows (device code flow)
    sign_in_audience: str = "AzureADMultipleOrgs"  # or "AzureADMyOrg" (single tenant)
    smtp_send: bool = True  # API permissions: delegated SMTP.Send configured


@dataclass
class Policies:
    """Tenant-wide switches the guide talks about."""

    security_defaults: bool = True
    smtp_auth_org: bool = False
    conditional_access_block_device_code: bool = False
    # Basic authentication for SMTP AUTH (MC786329): None follows Microsoft's timeline for
    # the date; True is an administrator's re-enable, False an administrator's turn-off.
    basic_smtp_auth: bool | None = None
    # The trainer's "final removal" (second half of 2027): Basic answers 550 5.7.30.
    basic_final_removal: bool = False


@dataclass
class Consent:
    """A grant of the app's permissions: for the organisation (``upn`` None) or one user."""

    client_id: str
    granted_by: str
    granted_at: float
    upn: str | None = None
    scopes: list[str] | None = None  # the permissions granted; None: all the app asked for


@dataclass
class RefreshTokenRecord:
    """What the simulator remembers about a refresh token (stored under its SHA-256)."""

    upn: str
    client_id: str
    scopes: list[str]
    auth_time: float  # the original sign-in; every refresh keeps it
    issued_at: float  # this token's issue time
    last_used: float = 0.0  # its last redemption; 90 days without use kills it

    @property
    def last_active(self) -> float:
        return max(self.issued_at, self.last_used)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class SubmissionCount:
    """Messages a sender submitted over SMTP AUTH on one (simulated, UTC) day, by protocol,
    for Exchange's SMTP AUTH Clients Submission Report."""

    day: str  # YYYY-MM-DD
    upn: str
    protocol: str  # "Basic" or "OAuth"
    count: int = 0


@dataclass
class Tenant:
    """The persisted part of the simulator's world."""

    tenant_id: str = TENANT_ID
    domain: str = TENANT_DOMAIN
    name: str = TENANT_NAME
    users: dict[str, User] = field(default_factory=dict)
    apps: dict[str, AppRegistration] = field(default_factory=dict)
    policies: Policies = field(default_factory=Policies)
    consents: list[Consent] = field(default_factory=list)
    refresh_tokens: dict[str, RefreshTokenRecord] = field(default_factory=dict)
    # When the tenant was created (simulated epoch): tenants created after Basic SMTP AUTH's
    # default-off date never get it.
    created_at: float = 0.0
    submissions: list[SubmissionCount] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "tenant_id": self.tenant_id,
            "domain": self.domain,
            "name": self.name,
            "users": [asdict(user) for user in self.users.values()],
            "apps": [asdict(app) for app in self.apps.values()],
            "policies": asdict(self.policies),
            "consents": [asdict(consent) for consent in self.consents],
            "refresh_tokens": {key: rec.to_dict() for key, rec in self.refresh_tokens.items()},
            "created_at": self.created_at,
            "submissions": [asdict(item) for item in self.submissions],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tenant:
        """From :meth:`to_dict`'s object as read back from state.json (the dataclasses check the fields)."""
        users = [User(**item) for item in data.get("users", [])]
        apps = [AppRegistration(**item) for item in data.get("apps", [])]
        return cls(
            tenant_id=data.get("tenant_id", TENANT_ID),
            domain=data.get("domain", TENANT_DOMAIN),
            name=data.get("name", TENANT_NAME),
            users={user.upn: user for user in users},
            apps={app.client_id: app for app in apps},
            policies=Policies(**data.get("policies", {})),
            consents=[Consent(**item) for item in data.get("consents", [])],
            refresh_tokens={
                key: RefreshTokenRecord(**rec) for key, rec in data.get("refresh_tokens", {}).items()
            },
            created_at=float(data.get("created_at", 0.0)),
            submissions=[SubmissionCount(**item) for item in data.get("submissions", [])],
        )


def seeded_tenant(created_at: float | None = None) -> Tenant:
    """A fresh tenant as documented in README.md, created at ``created_at`` (simulated
    epoch; default: now)."""
    tenant = Tenant(created_at=time.time() if created_at is None else created_at)
    for account in SEEDED_ACCOUNTS:
        tenant.users[account.upn] = User(
            upn=account.upn,
            display_name=account.display_name,
            object_id=account.object_id,
            roles=list(account.roles),
            password_hash=_seeded_password_hash(account.password),
        )
    tenant.apps[CLIENT_ID] = AppRegistration(client_id=CLIENT_ID, display_name=APP_NAME)
    return tenant


@functools.cache
def _seeded_password_hash(password: str) -> str:
    # Resets happen often in tests; hashing the same documented passwords once is enough.
    return hash_password(password)


def hash_password(password: str) -> str:
    """``pbkdf2_sha256$rounds$salt$digest`` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, rounds, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), bytes.fromhex(salt), int(rounds)
    )
    return hmac.compare_digest(candidate.hex(), digest)


def normalise_upn(upn: str) -> str:
    return upn.strip().lower()


def configured_scopes(app: AppRegistration | None) -> list[str]:
    """The delegated permissions "Grant admin consent" covers (SMTP.Send, if configured)."""
    return [SMTP_SEND] if app is not None and app.smtp_send else []


def covers_smtp_send(consent: Consent) -> bool:
    """Whether a consent grants SMTP.Send (consents saved before scopes were kept do)."""
    return consent.scopes is None or SMTP_SEND in consent.scopes
