"""The simulator's persisted state and the directory's rules that act on it.

One :class:`SimState` per simulator: its tenants (users, app, policies, consents, refresh
tokens) and the simulated clock's offset, saved atomically to ``state.json`` after every
change. Everything runs on the simulator's event loop, so there is no locking.

Tenants: the seeded one (Contoso, the home tenant) and any added for a class (one per seat:
its own domain, administrator, policies, consents and mailboxes). One clock and one set of
faults serve them all. A request works on one tenant: the web app's middleware, the IdP
(a device code's or refresh token's tenant) and the SMTP server (the token's ``tid``, the
user's domain) select it with :meth:`SimState.selecting`; ``state.tenant`` is then that
tenant, and every operation below acts on it (the home tenant when none is selected).
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import re
import secrets
import time
import uuid
from collections.abc import Callable, Generator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import NotRequired, TypedDict

from panel_tui.sim import aadsts
from panel_tui.sim.aadsts import IdpError
from panel_tui.sim.atomic_file import SimFileError, write_bytes_atomic
from panel_tui.sim.clock import SimClock
from panel_tui.sim.tenant import (
    APP_NAME,
    KNOWN_ROLES,
    PASSWORD_MIN_LENGTH,
    AppRegistration,
    Consent,
    RefreshTokenRecord,
    SubmissionCount,
    Tenant,
    User,
    configured_scopes,
    covers_smtp_send,
    hash_password,
    normalise_upn,
    seeded_tenant,
)

log = logging.getLogger(__name__)
SAVE_SOON_DELAY = 1.0  # seconds: how long a submission count may wait to reach state.json
STATE_VERSION = 1
REFRESH_TOKEN_MAX_INACTIVE = 90 * 86400
_FORGET_REFRESH_TOKENS_AFTER = 365 * 86400  # long after they died; keeps state.json small
_LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")

# Why SMTP AUTH is refused for a mailbox (None: allowed).
SMTP_AUTH_SECURITY_DEFAULTS = "security_defaults"
SMTP_AUTH_DISABLED_TENANT = "tenant"
SMTP_AUTH_DISABLED_MAILBOX = "mailbox"

# Basic authentication for SMTP AUTH, on Microsoft's timeline (Message Center MC786329 as
# updated on 27 January 2026): unchanged through December 2026; off by default for existing
# tenants at the end of December 2026 (an administrator may turn it back on); never
# available to tenants created after that; answered 550 5.7.30 after the final removal.
BASIC_DEFAULT_OFF_AT = 1798761600.0  # 2027-01-01T00:00:00Z, "the end of December 2026"
BASIC_ALLOWED = "allowed"              # before the cutoff, nobody changed it
BASIC_RE_ENABLED = "re_enabled"        # an administrator turned it back on
BASIC_OFF_BY_DEFAULT = "off_by_default"  # after the cutoff, for a tenant created before it
BASIC_DISABLED = "disabled"            # an administrator turned it off
BASIC_NOT_AVAILABLE = "not_available"  # a tenant created after the cutoff
BASIC_REMOVED = "removed"              # the final removal (a trainer's switch)
BASIC_STATES = (BASIC_ALLOWED, BASIC_RE_ENABLED, BASIC_OFF_BY_DEFAULT, BASIC_DISABLED,
                BASIC_NOT_AVAILABLE, BASIC_REMOVED)

# Exchange Online Protection's verdicts on a sender (User.sender_block), each answered with
# its own reply by the SMTP server.
SENDER_RESTRICTED = "restricted"        # 550 5.1.8 Access denied, bad outbound sender
SENDER_OUTBOUND_SPAM = "outbound_spam"  # 554 5.2.0 ... OutboundSpamException
SENDER_SPAM_ABUSE = "spam_abuse"        # 550 5.7.501 Access denied, spam abuse detected
SENDER_BANNED = "banned"                # 550 5.7.511 Access denied, banned sender
SENDER_BLOCKS = (SENDER_RESTRICTED, SENDER_OUTBOUND_SPAM, SENDER_SPAM_ABUSE, SENDER_BANNED)
SUBMISSION_PROTOCOLS = ("Basic", "OAuth")
_KEEP_SUBMISSION_DAYS = 90  # what Exchange's report can show


_RESET_HINT = ("The simulator did not start and left the file as it is. To start again from the seeded "
               "tenant (users, policies and sign-ins as new), move it aside: mv {path} {path}.bad")


class SubmissionRow(TypedDict):
    """A row of Exchange's SMTP AUTH Clients Submission Report."""

    upn: str
    protocol: str  # "Basic" or "OAuth"
    messages: int
    last_day: str  # YYYY-MM-DD


class UserView(TypedDict):
    """A user in :meth:`SimState.snapshot` (no password hash)."""

    upn: str
    display_name: str
    object_id: str
    roles: list[str]
    smtp_auth: bool | None
    smtp_auth_refusal: str | None
    basic_refusal: str | None
    tokens_valid_from: float
    live_refresh_tokens: int
    password_changed: bool
    shared: bool
    send_as: list[str]
    sender_block: str | None


class AppView(TypedDict):
    """An app registration in :meth:`SimState.snapshot`, with its consents."""

    client_id: str
    display_name: str
    admin_consent: bool
    user_consents: list[str]


class StateSnapshot(TypedDict):
    """:meth:`SimState.snapshot`; ``GET /_sim/state`` adds the faults, device codes and mailboxes."""

    tenant: dict[str, str]  # id, domain, name
    clock: dict[str, float]  # now, offset
    policies: dict[str, bool | None]
    basic_smtp_auth: dict[str, str | bool | float]  # state, allowed, default_off_at, tenant_created_at
    users: list[UserView]
    apps: list[AppView]
    faults: NotRequired[dict[str, bool]]
    device_codes: NotRequired[list[dict[str, object]]]
    mailboxes: NotRequired[list[str]]


class SimStateError(ValueError):
    """A request the directory refuses (unknown user, weak password ...); the text says why."""


# The tenant the running request or SMTP session works on (its id; None: the home tenant).
# A context variable: each aiohttp request and each SMTP connection runs in its own task.
_SELECTED: ContextVar[str | None] = ContextVar("sim_selected_tenant", default=None)
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


class SimState:
    """The tenant and the clock, with the operations the admin center and the IdP need."""

    def __init__(self, path: Path, tenant: Tenant, clock: SimClock, others: list[Tenant] | None = None) -> None:
        self.path = path
        self.home = tenant  # the seeded tenant: what is selected when nothing else is
        self.others: dict[str, Tenant] = {t.tenant_id: t for t in others or ()}
        self.clock = clock
        # Told the new offset whenever the clock moves (the home's runtime file publishes it).
        self.clock_listeners: list[Callable[[float], None]] = []
        self._save_later: asyncio.TimerHandle | None = None  # a coalesced save (save_soon)

    # -- tenants ---------------------------------------------------------------------

    @property
    def tenant(self) -> Tenant:
        """The selected tenant (the home tenant unless a request or session selected another)."""
        selected = _SELECTED.get()
        if selected is not None:
            found = self.others.get(selected)
            if found is not None:
                return found
        return self.home

    @tenant.setter
    def tenant(self, value: Tenant) -> None:
        self.home = value

    def tenants(self) -> list[Tenant]:
        return [self.home, *self.others.values()]

    def find_tenant(self, alias: str | None) -> Tenant | None:
        """The tenant whose id or domain is `alias` (case-insensitive), else None."""
        wanted = (alias or "").strip().lower()
        return next((t for t in self.tenants() if wanted in (t.tenant_id.lower(), t.domain.lower())), None)

    def tenant_of_upn(self, upn: str | None) -> Tenant | None:
        """The tenant of a user name's domain (None: no tenant has that domain)."""
        _, _, domain = normalise_upn(upn or "").partition("@")
        return next((t for t in self.tenants() if t.domain.lower() == domain), None) if domain else None

    def tenant_holding_refresh_token(self, token: str) -> Tenant | None:
        key = _token_key(token)
        return next((t for t in self.tenants() if key in t.refresh_tokens), None)

    def select(self, tenant: Tenant | None) -> None:
        """Work on `tenant` for the rest of the running task (an SMTP session after AUTH)."""
        _SELECTED.set(tenant.tenant_id if tenant is not None else None)

    @contextmanager
    def selecting(self, tenant: Tenant | None) -> Generator[Tenant, None, None]:
        """Work on `tenant` (None: the home tenant) within the block."""
        token = _SELECTED.set(tenant.tenant_id if tenant is not None else None)
        try:
            yield self.tenant
        finally:
            _SELECTED.reset(token)

    def add_tenant(self, domain: str, name: str) -> Tenant:
        """A new tenant as a fresh one looks (security defaults on, SMTP AUTH off, no consent),
        with the printer's app and no users; created now on the simulated clock."""
        domain = domain.strip().lower()
        name = name.strip()
        if not _DOMAIN.match(domain) or len(domain) > 253:
            raise SimStateError(f"not a domain name: {domain!r}")
        if self.find_tenant(domain) is not None:
            raise SimStateError(f"a tenant with the domain {domain} already exists")
        if not 1 <= len(name) <= 64:
            raise SimStateError("the tenant's name must have 1 to 64 characters")
        fresh = seeded_tenant(self.home.created_at)  # the printer's app as a new tenant has it
        tenant = Tenant(tenant_id=_new_guid(), domain=domain, name=name, created_at=fresh.created_at,
                        apps=fresh.apps)
        self.others[tenant.tenant_id] = tenant
        self.save()
        return tenant

    # -- persistence -----------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> SimState:
        """Load ``path``; seed (and save) a fresh tenant only when it does not exist.

        An unreadable file is never replaced: :class:`SimFileError` says what is wrong and
        how to start again, and the file stays for a human to look at (or repair).
        """
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            state = cls(path, seeded_tenant(), SimClock())
            state.save()
            return state
        except OSError as error:
            raise SimFileError(path, f"cannot read the simulator's state ({error.strerror or error})",
                               _RESET_HINT.format(path=path)) from None
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("tenant"), dict):
                raise ValueError("no tenant object")
            offset = data.get("clock_offset", 0)
            if not isinstance(offset, (int, float)) or isinstance(offset, bool) or not math.isfinite(offset):
                raise ValueError(f"clock_offset {offset!r} is not a finite number")
            others = data.get("tenants", [])
            if not isinstance(others, list):
                raise ValueError("tenants is not a list")
            state = cls(path, Tenant.from_dict(data["tenant"]), SimClock(offset),
                        [Tenant.from_dict(item) for item in others])
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            problem = f"the simulator's state is corrupt ({type(error).__name__}: {str(error)[:200]})"
            raise SimFileError(path, problem, _RESET_HINT.format(path=path)) from None
        return state

    def save_soon(self, delay: float = SAVE_SOON_DELAY) -> None:
        """Save within `delay` seconds, once for any number of calls (a counter bumped by every
        message must not cost a file write and its fsync each); at once without an event loop.
        Any other save in between writes the change too; :meth:`flush` writes a pending one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.save()
            return
        if self._save_later is None:
            self._save_later = loop.call_later(delay, self._deferred_save)

    def _deferred_save(self) -> None:
        self._save_later = None
        try:
            self.save()
        except OSError as error:  # a full disk: the counts stay in memory for the next save
            log.warning("could not save the simulator's state: %s", error)

    def flush(self) -> None:
        """Write a pending :meth:`save_soon` now (the simulator stopping)."""
        if self._save_later is not None:
            self._save_later.cancel()
            self._save_later = None
            self.save()

    def save(self) -> None:
        if self._save_later is not None:  # this write covers the pending one
            self._save_later.cancel()
            self._save_later = None
        self._forget_long_dead_refresh_tokens()
        payload = {
            "version": STATE_VERSION,
            "clock_offset": self.clock.offset,
            "tenant": self.home.to_dict(),
            "tenants": [tenant.to_dict() for tenant in self.others.values()],
        }
        write_bytes_atomic(self.path, json.dumps(payload, indent=1, sort_keys=True).encode("utf-8"))

    def reset(self) -> None:
        """Back to the seeded tenant alone and the real time."""
        self.home = seeded_tenant()
        self.others.clear()
        self.clock.reset()
        self.save()
        self._clock_moved()

    # -- clock -----------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def advance_clock(self, seconds: float) -> float:
        before = self.clock.offset
        now = self.clock.advance(seconds)
        try:
            self.save()
        except OSError:  # not saved (a full disk): the clock stays where it was saved
            self.clock.offset = before
            raise
        self._clock_moved()
        return now

    def _clock_moved(self) -> None:
        for listener in self.clock_listeners:
            listener(self.clock.offset)

    # -- users and mailboxes -----------------------------------------------------------

    def user(self, upn: str) -> User | None:
        return self.tenant.users.get(normalise_upn(upn))

    def require_user(self, upn: str) -> User:
        user = self.user(upn)
        if user is None:
            raise SimStateError(f"no such user: {upn}")
        return user

    def add_user(self, upn: str, display_name: str, password: str, roles: list[str] | tuple[str, ...] = ()) -> User:
        upn = self._full_upn(upn)
        if upn in self.tenant.users:
            raise SimStateError(f"a user named {upn} already exists")
        display_name = display_name.strip()
        if not 1 <= len(display_name) <= 64:
            raise SimStateError("the display name must have 1 to 64 characters")
        unknown = [role for role in roles if role not in KNOWN_ROLES]
        if unknown:
            raise SimStateError(f"unknown role: {unknown[0]}")
        self._check_password_rules(password)
        user = User(
            upn=upn,
            display_name=display_name,
            object_id=_new_guid(),
            roles=list(dict.fromkeys(roles)),
            password_hash=hash_password(password),
            password_changed=True,
        )
        self.tenant.users[upn] = user
        self.save()
        return user

    def reset_password(self, upn: str, password: str) -> None:
        """New password; like Entra, every refresh token issued before now stops working."""
        user = self.require_user(upn)
        self._check_password_rules(password)
        user.password_hash = hash_password(password)
        user.password_changed = True
        user.tokens_valid_from = self.now()
        self.save()

    def revoke_sessions(self, upn: str) -> None:
        """Entra's "Revoke sessions": refresh tokens from earlier sign-ins die (AADSTS50173)."""
        self.require_user(upn).tokens_valid_from = self.now()
        self.save()

    def set_mailbox_smtp_auth(self, upn: str, enabled: bool | None) -> None:
        """Per-mailbox SMTP AUTH: True/False override the organisation, None follows it."""
        self.require_user(upn).smtp_auth = enabled
        self.save()

    def set_policies(
        self,
        *,
        security_defaults: bool | None = None,
        smtp_auth_org: bool | None = None,
        conditional_access_block: bool | None = None,
    ) -> None:
        policies = self.tenant.policies
        if security_defaults is not None:
            policies.security_defaults = bool(security_defaults)
        if smtp_auth_org is not None:
            policies.smtp_auth_org = bool(smtp_auth_org)
        if conditional_access_block is not None:
            policies.conditional_access_block_device_code = bool(conditional_access_block)
        self.save()

    # -- Basic authentication for SMTP AUTH (MC786329) --------------------------------------

    def basic_smtp_auth_state(self) -> str:
        """Where the tenant stands on Microsoft's timeline now (one of BASIC_STATES)."""
        policies = self.tenant.policies
        if policies.basic_final_removal:
            return BASIC_REMOVED
        if self.tenant.created_at >= BASIC_DEFAULT_OFF_AT:
            return BASIC_NOT_AVAILABLE
        if policies.basic_smtp_auth is True:
            return BASIC_RE_ENABLED
        if policies.basic_smtp_auth is False:
            return BASIC_DISABLED
        return BASIC_ALLOWED if self.now() < BASIC_DEFAULT_OFF_AT else BASIC_OFF_BY_DEFAULT

    def basic_smtp_auth_allowed(self) -> bool:
        return self.basic_smtp_auth_state() in (BASIC_ALLOWED, BASIC_RE_ENABLED)

    def set_basic_smtp_auth(self, enabled: bool | None) -> None:
        """An administrator's choice: True re-enables, False turns off, None follows the
        timeline. A tenant created after the cutoff cannot turn it on."""
        if enabled and self.tenant.created_at >= BASIC_DEFAULT_OFF_AT:
            raise SimStateError("Basic authentication for SMTP AUTH is not available to tenants "
                                "created after December 2026")
        self.tenant.policies.basic_smtp_auth = enabled
        self.save()

    def set_basic_final_removal(self, removed: bool) -> None:
        self.tenant.policies.basic_final_removal = bool(removed)
        self.save()

    def set_tenant_created(self, created_at: float) -> None:
        """When the tenant was created (a trainer's "new tenant after the cutoff")."""
        if not math.isfinite(created_at):
            raise SimStateError("the creation time must be a finite number of seconds")
        self.tenant.created_at = float(created_at)
        self.save()

    def record_submission(self, upn: str, protocol: str) -> None:
        """Count one message submitted over SMTP AUTH, for the Clients Submission Report."""
        if protocol not in SUBMISSION_PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}")
        day = _utc_day(self.now())
        upn = normalise_upn(upn)
        entry = next((e for e in self.tenant.submissions
                      if e.day == day and e.upn == upn and e.protocol == protocol), None)
        if entry is None:
            entry = SubmissionCount(day=day, upn=upn, protocol=protocol)
            self.tenant.submissions.append(entry)
        entry.count += 1
        oldest = _utc_day(self.now() - _KEEP_SUBMISSION_DAYS * 86400)
        self.tenant.submissions = [e for e in self.tenant.submissions if e.day >= oldest]
        self.save_soon()

    def submission_report(self, days: int) -> list[SubmissionRow]:
        """Per sender and protocol, messages over the last ``days`` simulated days (today
        included), most first: the rows of Exchange's SMTP AUTH Clients Submission Report."""
        first = _utc_day(self.now() - (days - 1) * 86400)
        totals: dict[tuple[str, str], int] = {}
        last: dict[tuple[str, str], str] = {}
        for entry in self.tenant.submissions:
            if entry.day >= first:
                key = (entry.upn, entry.protocol)
                totals[key] = totals.get(key, 0) + entry.count
                last[key] = max(last.get(key, ""), entry.day)
        rows = [SubmissionRow(upn=upn, protocol=protocol, messages=count, last_day=last[(upn, protocol)])
                for (upn, protocol), count in totals.items()]
        return sorted(rows, key=lambda row: (-row["messages"], row["upn"], row["protocol"]))

    # -- Send As, shared mailboxes and sender verdicts --------------------------------------

    def may_send_as(self, upn: str, sender: str) -> bool:
        """The signed-in mailbox sends as itself, or as a mailbox that granted it Send As."""
        upn, sender = normalise_upn(upn), normalise_upn(sender)
        if upn == sender:
            return True
        target = self.user(sender)
        return target is not None and upn in target.send_as

    def grant_send_as(self, mailbox: str, trustee: str) -> None:
        target = self.require_user(mailbox)
        trustee = self.require_user(trustee).upn
        if trustee not in target.send_as and trustee != target.upn:
            target.send_as.append(trustee)
        self.save()

    def remove_send_as(self, mailbox: str, trustee: str) -> None:
        target = self.require_user(mailbox)
        target.send_as = [t for t in target.send_as if t != normalise_upn(trustee)]
        self.save()

    def add_shared_mailbox(self, upn: str, display_name: str) -> User:
        """A shared mailbox (no password anybody knows, nobody signs in as it)."""
        user = self.add_user(upn, display_name, secrets.token_urlsafe(24))
        user.shared = True
        user.password_changed = False
        self.save()
        return user

    def set_sender_block(self, upn: str, block: str | None) -> None:
        if block is not None and block not in SENDER_BLOCKS:
            raise SimStateError(f"unknown sender verdict {block!r}; known: {', '.join(SENDER_BLOCKS)}")
        self.require_user(upn).sender_block = block
        self.save()

    def smtp_auth_refusal(self, user: User, basic: bool = False) -> str | None:
        """Why Exchange would refuse SMTP AUTH for this mailbox, or None when it is allowed.

        Security defaults block legacy authentication, which for SMTP AUTH is Basic (a
        password): they refuse AUTH LOGIN/PLAIN, never OAuth 2.0 (XOAUTH2). See README.md."""
        if basic and self.tenant.policies.security_defaults:
            return SMTP_AUTH_SECURITY_DEFAULTS
        if user.smtp_auth is not None:  # the mailbox setting overrides the organisation
            return None if user.smtp_auth else SMTP_AUTH_DISABLED_MAILBOX
        return None if self.tenant.policies.smtp_auth_org else SMTP_AUTH_DISABLED_TENANT

    # -- apps and consent --------------------------------------------------------------

    def app(self, client_id: str) -> AppRegistration | None:
        return self.tenant.apps.get(client_id.strip().lower())

    def app_name(self, client_id: str) -> str:
        app = self.app(client_id)
        return app.display_name if app else APP_NAME

    def org_consent(self, client_id: str) -> Consent | None:
        return next(
            (c for c in self.tenant.consents if c.client_id == client_id and c.upn is None), None
        )

    def user_consents(self, client_id: str) -> list[Consent]:
        return [c for c in self.tenant.consents if c.client_id == client_id and c.upn is not None]

    def has_consent(self, upn: str, client_id: str) -> bool:
        upn = normalise_upn(upn)
        return any(
            c.client_id == client_id and c.upn in (None, upn) and covers_smtp_send(c)
            for c in self.tenant.consents
        )

    def grant_consent(self, client_id: str, granted_by: str, for_org: bool,
                      scopes: list[str] | None = None) -> None:
        """Grant `scopes` (default: the app's configured permissions, as the admin center's
        "Grant admin consent" does; the sign-in page passes what the device asked for)."""
        app = self.app(client_id)
        if app is None:
            raise SimStateError(f"no app registration with client id {client_id}")
        scopes = configured_scopes(app) if scopes is None else list(scopes)
        upn = None if for_org else normalise_upn(granted_by)
        existing = next((c for c in self.tenant.consents if c.client_id == client_id and c.upn == upn), None)
        if existing is not None:
            if existing.scopes is not None and not set(scopes) <= set(existing.scopes):
                existing.scopes = sorted(set(existing.scopes) | set(scopes))
                self.save()
            return
        self.tenant.consents.append(
            Consent(client_id=client_id, granted_by=normalise_upn(granted_by),
                    granted_at=self.now(), upn=upn, scopes=scopes)
        )
        self.save()

    def revoke_admin_consent(self, client_id: str) -> None:
        """Withdraw the organisation's consent (users' own consents stay, as in Entra)."""
        if self.app(client_id) is None:
            raise SimStateError(f"no app registration with client id {client_id}")
        self.tenant.consents = [
            c for c in self.tenant.consents if not (c.client_id == client_id and c.upn is None)
        ]
        self.save()

    # -- refresh tokens ----------------------------------------------------------------

    def issue_refresh_token(self, upn: str, client_id: str, scopes: list[str], auth_time: float) -> str:
        token = "0.SIM." + secrets.token_urlsafe(48)
        self.tenant.refresh_tokens[_token_key(token)] = RefreshTokenRecord(
            upn=normalise_upn(upn), client_id=client_id, scopes=list(scopes),
            auth_time=auth_time, issued_at=self.now(),
        )
        self.save()
        return token

    def redeem_refresh_token(self, token: str, client_id: str) -> RefreshTokenRecord:
        """Check a refresh token as Entra would. Like Entra, using one does not revoke it:
        it keeps working until 90 days pass without its use, a revocation or a password change.

        Raises :class:`IdpError` with AADSTS70000 (unknown or another client's),
        700082 (90 days unused), 50173 (revoked / password changed), 53003 (conditional
        access, enforced on device-code sessions) or 65001 (consent withdrawn).
        """
        key = _token_key(token)
        record = self.tenant.refresh_tokens.get(key)
        if record is None or record.client_id != client_id:
            raise IdpError(aadsts.REFRESH_TOKEN_INVALID)
        now = self.now()
        if now - record.last_active > REFRESH_TOKEN_MAX_INACTIVE:
            raise IdpError(aadsts.REFRESH_TOKEN_INACTIVE,
                           issued=aadsts.format_entra_date(record.issued_at))
        user = self.user(record.upn)
        if user is None:
            raise IdpError(aadsts.REFRESH_TOKEN_INVALID)
        if record.auth_time < user.tokens_valid_from:
            raise IdpError(aadsts.REFRESH_TOKEN_REVOKED,
                           issued=aadsts.format_entra_date(record.auth_time),
                           valid_from=aadsts.format_entra_date(user.tokens_valid_from))
        if self.tenant.policies.conditional_access_block_device_code:
            raise IdpError(aadsts.CONDITIONAL_ACCESS_BLOCKED_REFRESH)
        if not self.has_consent(user.upn, client_id):
            raise IdpError(aadsts.CONSENT_REQUIRED, client_id=client_id,
                           app_name=self.app_name(client_id))
        record.last_used = now
        return record

    def _forget_long_dead_refresh_tokens(self) -> None:
        now = self.now()
        self.tenant.refresh_tokens = {
            key: rec for key, rec in self.tenant.refresh_tokens.items()
            if now - rec.last_active <= _FORGET_REFRESH_TOKENS_AFTER
        }

    # -- views -------------------------------------------------------------------------

    def snapshot(self) -> StateSnapshot:
        """Everything a trainer or a test may look at; no password hashes, no tokens."""
        tenant = self.tenant
        live_tokens: dict[str, int] = {}
        now = self.now()
        for rec in tenant.refresh_tokens.values():
            user = self.user(rec.upn)
            if user and now - rec.last_active <= REFRESH_TOKEN_MAX_INACTIVE and rec.auth_time >= user.tokens_valid_from:
                live_tokens[rec.upn] = live_tokens.get(rec.upn, 0) + 1
        return {
            "tenant": {"id": tenant.tenant_id, "domain": tenant.domain, "name": tenant.name},
            "clock": {"now": now, "offset": self.clock.offset},
            "policies": {
                "security_defaults": tenant.policies.security_defaults,
                "smtp_auth_org": tenant.policies.smtp_auth_org,
                "conditional_access_block": tenant.policies.conditional_access_block_device_code,
                "basic_smtp_auth": tenant.policies.basic_smtp_auth,
                "basic_final_removal": tenant.policies.basic_final_removal,
            },
            "basic_smtp_auth": {
                "state": self.basic_smtp_auth_state(),
                "allowed": self.basic_smtp_auth_allowed(),
                "default_off_at": BASIC_DEFAULT_OFF_AT,
                "tenant_created_at": tenant.created_at,
            },
            "users": [
                {
                    "upn": user.upn,
                    "display_name": user.display_name,
                    "object_id": user.object_id,
                    "roles": list(user.roles),
                    "smtp_auth": user.smtp_auth,
                    "smtp_auth_refusal": self.smtp_auth_refusal(user),
                    "basic_refusal": self.smtp_auth_refusal(user, basic=True),
                    "tokens_valid_from": user.tokens_valid_from,
                    "live_refresh_tokens": live_tokens.get(user.upn, 0),
                    "password_changed": user.password_changed,
                    "shared": user.shared,
                    "send_as": list(user.send_as),
                    "sender_block": user.sender_block,
                }
                for user in tenant.users.values()
            ],
            "apps": [
                {
                    "client_id": app.client_id,
                    "display_name": app.display_name,
                    "admin_consent": self.org_consent(app.client_id) is not None,
                    "user_consents": sorted(c.upn for c in self.user_consents(app.client_id) if c.upn),
                }
                for app in tenant.apps.values()
            ],
        }

    # -- helpers -----------------------------------------------------------------------

    def _full_upn(self, upn: str) -> str:
        upn = normalise_upn(upn)
        local, _, domain = upn.partition("@")
        if domain and domain != self.tenant.domain:
            raise SimStateError(f"users must be in the tenant's domain {self.tenant.domain}")
        if not _LOCAL_PART.match(local):
            raise SimStateError("the user name may use letters, digits, '.', '_' and '-'")
        return f"{local}@{self.tenant.domain}"

    @staticmethod
    def _check_password_rules(password: str) -> None:
        if len(password) < PASSWORD_MIN_LENGTH or len(password) > 256:
            raise SimStateError(f"passwords need {PASSWORD_MIN_LENGTH} to 256 characters")


def _utc_day(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_guid() -> str:
    return str(uuid.uuid4())
