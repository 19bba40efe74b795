"""OAuth 2.0 for the printer: MSAL device code sign-in, one token cache per profile, silent
acquisition before each send, and sign-out.

The token cache is MSAL's ``SerializableTokenCache`` saved to the profile's
``token_cache.json`` (mode 0600, atomic; see ``token_cache``) whenever it changes. Next to it, a small state
file (also 0600, no tokens) remembers which account the printer's email server signed in
with and which sign-ins the identity provider declared dead (``invalid_grant``), so the
status reads "Expired" instead of tokens vanishing silently.

Blocking calls (MSAL uses requests): run them in a thread worker. msal and requests are
imported only when a session first needs them.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from panel_tui.device.clock import Clock
from panel_tui.device.status_sheet import NOT_SIGNED_IN, SignInInfo
from panel_tui.mail.errors import (
    AADSTS_CAUSES,
    CONDITIONAL_ACCESS_CODES,
    SIGNIN_DEAD_CAUSES,
    MailError,
    classify_idp_error,
    describe_idp_error,
    error_codes_of,
    scrub,
)
from panel_tui.mail.msal_http_cache import PersistentHttpCache
from panel_tui.mail.providers import Provider
from panel_tui.mail.token_cache import SignInState, TokenCacheFile

if TYPE_CHECKING:  # pragma: no cover
    import requests  # imported when a session first talks to the identity provider

log = logging.getLogger(__name__)

# Refresh the access token when it has less than this left (MSAL alone waits until 300 s).
REFRESH_MARGIN_SECONDS = 600
EMAIL_SERVER_ROLE = "email_server"
FAX_EMAIL_SERVER_ROLE = "fax_email_server"
# Where the sign-in pages send a panel sign-in's code (a form to post there): a public client's
# loopback address; the panel reads the form, nothing listens there.
PANEL_REDIRECT_URI = "http://localhost"
_AT, _RT, _IDT, _ACCOUNT = "AccessToken", "RefreshToken", "IdToken", "Account"

Outcome = Literal[
    "signed_in", "declined", "expired", "blocked", "consent_required", "idp_unavailable", "cancelled", "error"
]
# What a sign-in outcome means as a cause of the error table (None: nothing to fix).
OUTCOME_CAUSES: dict[str, str | None] = {
    "signed_in": None,
    "declined": None,
    "expired": None,
    "cancelled": None,
    "blocked": "conditional_access",
    "consent_required": "consent_required",
    "idp_unavailable": "idp_unavailable",
    "error": "auth_failed",
}


@dataclass
class DeviceFlow:
    """A device code sign-in in progress: what the panel shows, and MSAL's flow (private)."""

    user_code: str
    verification_uri: str
    expires_at: datetime  # on the session's clock
    expires_in: int
    interval: int
    message: str
    role: str | None = EMAIL_SERVER_ROLE
    msal_flow: dict[str, Any] = field(default_factory=dict, repr=False)
    cancelled: bool = False

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until the code expires (never negative), for the countdown."""
        return max(0, int((self.expires_at - now).total_seconds()))


@dataclass
class PanelSignIn:
    """An authorization code sign-in (PKCE) shown on the panel's own screens: the address of the
    sign-in pages, the loopback address they send the code back to, and MSAL's flow (private)."""

    auth_uri: str
    redirect_uri: str
    role: str | None = None
    msal_flow: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class SignInResult:
    """How a device code sign-in ended: signed_in(account), declined, expired, blocked,
    consent_required, idp_unavailable, cancelled or error(aadsts)."""

    outcome: Outcome
    account: str | None = None
    aadsts: int | None = None
    detail: str = ""
    cause: str | None = None  # the classified cause of an "error" outcome (AADSTS50194 ...)

    @property
    def ok(self) -> bool:
        return self.outcome == "signed_in"

    @property
    def cause_name(self) -> str | None:
        """The error-table cause for a failed outcome that someone must fix (else None)."""
        if self.outcome == "error" and self.cause:
            return self.cause
        return OUTCOME_CAUSES[self.outcome]

    @property
    def outcome_key(self) -> str:
        return f"signin.outcome.{self.outcome}"


def _result_from_device_flow(response: dict[str, Any], cancelled: bool) -> SignInResult:
    if "access_token" in response:
        claims = response.get("id_token_claims") or {}
        account = claims.get("preferred_username") or claims.get("upn") or claims.get("email")
        return SignInResult("signed_in", account=account)
    error = str(response.get("error", ""))
    codes = error_codes_of(response)
    aadsts = codes[0] if codes else None
    detail = describe_idp_error(response)
    if error in ("authorization_pending", "slow_down"):
        # MSAL stopped polling: we cancelled, or its own copy of the lifetime ran out.
        return SignInResult("cancelled" if cancelled else "expired", aadsts=aadsts, detail=detail)
    if error == "expired_token" or aadsts == 70020:
        return SignInResult("expired", aadsts=aadsts, detail=detail)
    if error == "authorization_declined" or aadsts == 65004:
        return SignInResult("declined", aadsts=aadsts, detail=detail)
    if set(codes) & CONDITIONAL_ACCESS_CODES:
        return SignInResult("blocked", aadsts=aadsts, detail=detail)
    cause = classify_idp_error(response)
    if cause == "consent_required":
        return SignInResult("consent_required", aadsts=aadsts, detail=detail)
    if cause == "idp_unavailable":
        return SignInResult("idp_unavailable", aadsts=aadsts, detail=detail)
    return SignInResult("error", aadsts=aadsts, detail=detail, cause=cause)


def _dead_cause(mark: dict[str, Any]) -> str:
    """The cause of a sign-in the identity provider declared dead (remembered in the state file)."""
    cause = AADSTS_CAUSES.get(mark.get("aadsts") or 0, "signin_expired")
    return cause if cause in SIGNIN_DEAD_CAUSES else "signin_expired"


@dataclass(frozen=True)
class _Issued:
    """A token acquire_token_for_send gave, when it expires (session clock), and the files then."""

    token: str
    expires_on: float
    files: tuple[tuple[int, int, int] | None, ...]


def _make_http_session(provider: Provider, on_token_request: Callable[[], None]) -> requests.Session:
    import requests

    class _CountingSession(requests.Session):
        """requests.Session that counts token endpoint requests (for tests and the benchmark)."""

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
            if str(method).upper() == "POST" and str(url).rstrip("/").endswith(provider.token_endpoint_suffix):
                on_token_request()
            return super().request(method, url, *args, **kwargs)

    session = _CountingSession()
    if provider.ca_path is not None:
        # REQUESTS_CA_BUNDLE (set in many environments) would override verify= otherwise.
        session.trust_env = False
        session.verify = str(provider.ca_path)
    else:
        session.verify = provider.verify
    return session


def _request_exceptions() -> tuple[type[BaseException], ...]:
    """Transport failures, and MSAL's error for a 5xx answer without a JSON body."""
    import requests
    from msal.exceptions import MsalServiceError

    return (requests.exceptions.RequestException, MsalServiceError, ConnectionError, TimeoutError)


class OAuthSession:
    """OAuth 2.0 for one printer profile and one provider. Thread-safe; calls block.

    `clock` (a device Clock) is the time used to judge token lifetimes; give the printer's
    clock, which a trainer moves together with the identity provider's.
    """

    def __init__(self, provider: Provider, cache_path: Path, clock: Clock | None = None,
                 *, refresh_margin: int = REFRESH_MARGIN_SECONDS) -> None:
        self.provider = provider
        self.cache_path = Path(cache_path)
        self.state_path = self.cache_path.with_name(self.cache_path.stem + ".signin-state.json")
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.token_requests = 0  # POSTs to the token endpoint made by this session
        self._lock = threading.RLock()
        self._cache_file = TokenCacheFile(self.cache_path, self._epoch)
        self._app: Any = None  # msal.PublicClientApplication (MSAL is untyped)
        self._http: requests.Session | None = None
        self._http_cache: PersistentHttpCache | None = None
        self._state = SignInState(self.state_path)
        # The last token acquire_token_for_send gave per (account, role), for cached_token_for_send.
        self._issued: dict[tuple[str | None, str], _Issued] = {}
        self._issued_lock = threading.Lock()

    # -- time ------------------------------------------------------------------------

    def _epoch(self) -> float:
        return self.clock.now().timestamp() if self.clock is not None else time.time()

    def _now(self) -> datetime:
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def _count_token_request(self) -> None:
        self.token_requests += 1

    # -- cache persistence -----------------------------------------------------------

    def _cache_obj(self) -> Any:
        return self._cache_file.cache()

    @property
    def _cache(self) -> Any:
        return self._cache_file.loaded

    def _profile_lock(self) -> AbstractContextManager[None]:
        """Serialise refreshes across processes (the panel and the CLI share a profile)."""
        return self._cache_file.locked()

    def _save_cache(self) -> None:
        self._cache_file.save()

    @property
    def cache_save_problem(self) -> OSError | None:
        """Why the token cache could not be saved (a full disk), or None: the tokens are kept
        in memory meanwhile and every later call tries the save again."""
        return self._cache_file.save_problem

    def save_cache(self) -> bool:
        """Try again to save tokens an earlier save could not (True when nothing is left unsaved)."""
        with self._lock, self._profile_lock():
            return self._cache_file.save()

    # -- MSAL ------------------------------------------------------------------------

    def _application(self) -> Any:
        """The MSAL public client (built on first use; building it fetches the OpenID config)."""
        if self._app is not None:
            return self._app
        import msal

        cache = self._cache_obj()
        self._http = self._http or _make_http_session(self.provider, self._count_token_request)
        # Discovery answers persisted in the profile: a fresh process with a valid access token
        # sends while the sign-in service is down, as a long-running panel does.
        if self._http_cache is None:
            self._http_cache = PersistentHttpCache(
                self.cache_path.with_name(self.cache_path.stem + ".msal-http-cache.json"))
        kwargs: dict[str, Any] = {"authority": self.provider.authority, "token_cache": cache,
                                  "http_client": self._http, "http_cache": self._http_cache}
        if not self.provider.instance_discovery:
            kwargs["instance_discovery"] = False
        try:
            self._app = msal.PublicClientApplication(self.provider.client_id, **kwargs)
            self._http_cache.save()
        except _request_exceptions() as error:
            raise MailError("idp_unavailable", f"identity provider unreachable: {type(error).__name__}") from None
        except ValueError as error:  # MSAL: discovery answered with an error: the tenant is unknown
            raise MailError("unknown_tenant", scrub(error)) from None
        return self._app

    def _accounts(self, upn: str | None = None) -> list[dict[str, Any]]:
        """Cached accounts for this provider's environment (optionally one username)."""
        cache = self._cache_obj()
        # MSAL keys entries by host name only (a simulator on a new port keeps its tokens).
        env = (urlsplit(self.provider.authority).hostname or "").lower()
        found = []
        for entry in cache.search(cache.CredentialType.ACCOUNT):
            if entry.get("environment", "").lower() != env:
                continue
            if upn is not None and entry.get("username", "").lower() != upn.lower():
                continue
            found.append(entry)
        return found

    def _access_token_expires_on(self, account: dict[str, Any]) -> float | None:
        """The latest expires_on (session clock) of an SMTP.Send access token for `account`."""
        scopes = {s.lower() for s in self.provider.scopes}
        latest = None
        # now=0: every access token, expired ones too (search() would drop those expired at `now`).
        for entry in self._cache.search(self._cache.CredentialType.ACCESS_TOKEN, now=0):
            if entry.get("home_account_id") != account.get("home_account_id"):
                continue
            if entry.get("client_id") != self.provider.client_id:
                continue
            if not scopes <= {t.lower() for t in entry.get("target", "").split()}:
                continue
            expires_on = float(entry.get("expires_on", 0))
            latest = expires_on if latest is None else max(latest, expires_on)
        return latest

    # -- device code sign-in ---------------------------------------------------------

    def start_device_flow(self, role: str | None = EMAIL_SERVER_ROLE) -> DeviceFlow:
        """Ask the identity provider for a device code (MailError if it cannot give one).

        `role` is what the sign-in is for: the email server (default), the fax email
        server, or None for a To My Email user (or the administrator's consent).
        """
        with self._lock:
            app = self._application()
            try:
                flow = app.initiate_device_flow(scopes=list(self.provider.scopes))
            except _request_exceptions() as error:
                raise MailError("idp_unavailable", f"device code request failed: {type(error).__name__}") from None
        if "user_code" not in flow:
            raise MailError(classify_idp_error(flow), describe_idp_error(flow))
        expires_in = int(flow.get("expires_in", 900))
        return DeviceFlow(
            user_code=flow["user_code"],
            verification_uri=flow.get("verification_uri") or flow.get("verification_url", ""),
            expires_at=self._now() + timedelta(seconds=expires_in),
            expires_in=expires_in,
            interval=max(1, int(flow.get("interval", 5))),
            message=str(flow.get("message", "")),
            role=role,
            msal_flow=flow,
        )

    def wait_for_device_flow(self, flow: DeviceFlow) -> SignInResult:
        """Poll until the user answers, the code expires or `cancel(flow)`. Blocks: run in a thread.

        Signed in: the account joins the cache (saved, 0600); with a role it becomes that
        role's account and any earlier "expired" mark for it is cleared.
        """
        app = self._application()
        try:
            # Not under the lock: polling can take minutes; MSAL's cache has its own lock.
            response = app.acquire_token_by_device_flow(flow.msal_flow)
        except _request_exceptions() as error:
            return SignInResult("idp_unavailable", detail=f"token request failed: {type(error).__name__}")
        result = _result_from_device_flow(response, flow.cancelled)
        self._remember(result, flow.role)
        log.info("device code sign-in ended: %s%s", result.outcome,
                 f" (AADSTS{result.aadsts})" if result.aadsts else "")
        return result

    def _remember(self, result: SignInResult, role: str | None) -> None:
        """Save the cache; signed in, the account becomes `role`'s and loses any "expired" mark."""
        with self._lock, self._profile_lock():
            self._save_cache()
            if result.ok and result.account:
                self._state.reload()
                if role is not None:
                    self._state.roles[role] = result.account
                self._state.expired.pop(result.account.lower(), None)
                self._state.save()

    # -- sign-in on the panel's own screens (authorization code with PKCE) --------------

    def start_panel_signin(self, login_hint: str | None = None, role: str | None = None) -> PanelSignIn:
        """MSAL's authorization code request for a sign-in the panel shows itself (To My Email):
        the pages at `auth_uri` send the code back to a loopback address (MailError if the
        sign-in service cannot be reached)."""
        with self._lock:
            app = self._application()
            flow = app.initiate_auth_code_flow(list(self.provider.scopes), redirect_uri=PANEL_REDIRECT_URI,
                                               login_hint=login_hint or None, response_mode="form_post")
        return PanelSignIn(auth_uri=str(flow["auth_uri"]), redirect_uri=PANEL_REDIRECT_URI, role=role,
                           msal_flow=flow)

    def finish_panel_signin(self, signin: PanelSignIn, answer: dict[str, str]) -> SignInResult:
        """Redeem the code the pages sent back (`answer`: code, state; MSAL checks the state and
        the id token's nonce, and sends the PKCE verifier). Blocks: run in a thread."""
        app = self._application()
        try:
            response = app.acquire_token_by_auth_code_flow(signin.msal_flow, answer,
                                                           scopes=list(self.provider.scopes))
        except _request_exceptions() as error:
            return SignInResult("idp_unavailable", detail=f"token request failed: {type(error).__name__}")
        except ValueError as error:  # MSAL: the answer does not belong to this request (state)
            return SignInResult("error", detail=scrub(error))
        result = _result_from_device_flow(response, cancelled=False)
        self._remember(result, signin.role)
        log.info("panel sign-in ended: %s%s", result.outcome, f" (AADSTS{result.aadsts})" if result.aadsts else "")
        return result

    def cancel(self, flow: DeviceFlow) -> None:
        """Stop `wait_for_device_flow` after its current poll (MSAL checks expires_at)."""
        flow.cancelled = True
        flow.msal_flow["expires_at"] = 0

    # -- state -----------------------------------------------------------------------

    def signin_info(self, role: str = EMAIL_SERVER_ROLE) -> SignInInfo:
        """Not signed in / Signed in (account) / Expired (account), without network traffic."""
        with self._lock:
            self._state.reload()
            upn = self._state.roles.get(role)
            if not upn:
                return NOT_SIGNED_IN
            if upn.lower() in self._state.expired:
                return SignInInfo("expired", upn)
            if not self._accounts(upn):
                return NOT_SIGNED_IN
            return SignInInfo("signed_in", upn)

    def access_token_expires_at(self, role: str = EMAIL_SERVER_ROLE) -> datetime | None:
        """When the role's cached SMTP.Send access token expires (session clock); None if none.

        No network traffic; the next send refreshes it with the refresh token when it is
        within REFRESH_MARGIN_SECONDS of this time.
        """
        with self._lock:
            self._state.reload()
            upn = self._state.roles.get(role)
            matches = self._accounts(upn) if upn else []
            expires_on = self._access_token_expires_on(matches[0]) if matches else None
        if expires_on is None:
            return None
        return datetime.fromtimestamp(expires_on, UTC)

    def account_for(self, role: str = EMAIL_SERVER_ROLE) -> str | None:
        """The account `role` signed in with (None if none)."""
        with self._lock:
            self._state.reload()
            return self._state.roles.get(role)

    def accounts(self) -> list[str]:
        """Usernames with tokens in this profile's cache (the email server and To My Email users)."""
        with self._lock:
            return sorted({a.get("username", "") for a in self._accounts()})

    def user_signed_in(self, upn: str) -> bool:
        """Whether a To My Email user has a live sign-in (tokens, not declared dead)."""
        with self._lock:
            self._state.reload()
            return bool(self._accounts(upn)) and upn.lower() not in self._state.expired

    # -- tokens for sending ----------------------------------------------------------

    def cached_token_for_send(self, account: str | None = None, role: str = EMAIL_SERVER_ROLE) -> str | None:
        """The token `acquire_token_for_send(account, role)` gave last, with no MSAL, lock or
        thread (two file stats), while it is sure to be what that call would give again: the
        token cache and sign-in state files are as that call left them (a refresh, sign-in or
        sign-out by any process changes them) and it has more than the refresh margin left on
        the session's clock. None: call `acquire_token_for_send`."""
        with self._issued_lock:
            issued = self._issued.get((account, role))
        if issued is None or self._cache_file.save_problem is not None:
            return None
        if issued.expires_on - self._epoch() < self.refresh_margin or issued.files != self._files():
            return None
        return issued.token

    def _files(self) -> tuple[tuple[int, int, int] | None, ...]:
        """What the token cache and sign-in state files are now (inode, size, mtime; None if absent)."""
        found: list[tuple[int, int, int] | None] = []
        for path in (self.cache_path, self.state_path):
            try:
                stat = path.stat()
            except OSError:
                found.append(None)
            else:
                found.append((stat.st_ino, stat.st_size, stat.st_mtime_ns))
        return tuple(found)

    def _remember_token(self, account: str | None, role: str, token: str, expires_on: float | None) -> None:
        with self._issued_lock:
            if expires_on is None:
                self._issued.pop((account, role), None)
            else:
                self._issued[(account, role)] = _Issued(token, expires_on, self._files())

    def acquire_token_for_send(self, account: str | None = None, role: str = EMAIL_SERVER_ROLE,
                               force_refresh: bool = False) -> str:
        """An access token for SMTP.Send, from the cache or refreshed (blocks: use a thread).

        `account` None: the account `role` signed in with (360 if none, 361 once its
        refresh token is dead). A named account is a To My Email user (370 if they have
        no live sign-in). Refreshes when under 600 s remain, or always with `force_refresh`
        (the server refused the cached token). Raises MailError.
        """
        per_user = account is not None
        missing = "user_signin_required" if per_user else "not_signed_in"
        with self._lock, self._profile_lock():
            self._state.reload()
            upn = account or self._state.roles.get(role)
            if not upn:
                raise MailError(missing, "no account has signed in")
            matches = self._accounts(upn)
            if not matches:
                raise MailError(missing, f"{upn} has not signed in on this printer")
            mark = self._state.expired.get(upn.lower())
            if mark is not None:
                raise MailError("user_signin_required" if per_user else _dead_cause(mark),
                                f"the sign-in of {upn} has expired (AADSTS{mark.get('aadsts', '')})")
            expires_on = self._access_token_expires_on(matches[0])
            force = force_refresh or (expires_on is not None and expires_on - self._epoch() < self.refresh_margin)
            app = self._application()
            msal_accounts = app.get_accounts(username=upn)
            if not msal_accounts:
                raise MailError(missing, f"{upn} has not signed in on this printer")
            try:
                result = app.acquire_token_silent_with_error(
                    list(self.provider.scopes), account=msal_accounts[0], force_refresh=force
                )
            except _request_exceptions() as error:
                raise MailError("idp_unavailable", f"token refresh failed: {type(error).__name__}") from None
            finally:
                self._save_cache()
            if result is None:  # no refresh token left for this account
                raise MailError(missing, f"no refresh token for {upn}")
            if "access_token" not in result:
                cause = classify_idp_error(result)
                detail = describe_idp_error(result)
                if cause in SIGNIN_DEAD_CAUSES:
                    codes = error_codes_of(result)
                    self._state.expired[upn.lower()] = {
                        "aadsts": codes[0] if codes else None,
                        "error": str(result.get("error", "")),
                        "at": self._now().isoformat(),
                    }
                    self._state.save()
                    raise MailError("user_signin_required" if per_user else cause, detail)
                raise MailError(cause, detail)
            token = str(result["access_token"])
            self._remember_token(account, role, token, self._access_token_expires_on(matches[0]))
            return token

    # -- sign-out --------------------------------------------------------------------

    def sign_out(self, account: str | None = None, role: str | None = EMAIL_SERVER_ROLE) -> bool:
        """Delete `account`'s tokens (default: the role's account) on purpose; works offline.

        Returns whether there was anything to remove. The role forgets the account.
        """
        with self._lock:
            self._state.reload()
            upn = account or (self._state.roles.get(role) if role else None)
            if not upn:
                return False
            return self._remove_account(upn)

    def _remove_account(self, upn: str) -> bool:
        with self._profile_lock():
            cache = self._cache_obj()
            homes = {a.get("home_account_id") for a in self._accounts(upn)}
            removed = False
            removers = {_AT: cache.remove_at, _RT: cache.remove_rt, _IDT: cache.remove_idt,
                        _ACCOUNT: cache.remove_account}
            for ctype, remove in removers.items():
                for entry in list(cache.search(ctype, now=0)):  # now=0: expired tokens are removed too
                    if entry.get("home_account_id") in homes:
                        remove(entry)
                        removed = True
            self._save_cache()
            for name, who in list(self._state.roles.items()):
                if who.lower() == upn.lower():  # its tokens are gone: no role can use it
                    del self._state.roles[name]
            self._state.expired.pop(upn.lower(), None)
            self._state.save()
            log.info("signed out one account (%d roles left)", len(self._state.roles))
            return removed
