"""A small synchronous client of the simulator's control API, and a scripted "user in
the browser" for the /devicelogin pages.

    control = SimControl(endpoints.control_url, endpoints.ca_path)   # or SimControl.for_endpoints(...)
    control.set_smtp_auth_org(True)
    control.approve_device_code(flow["user_code"], "admin@contoso.onmicrosoft.com",
                                "Sim-Admin-2024", consent_for_org=True)

:meth:`SimControl.approve_device_code` fetches the sign-in pages and submits their
forms the way a browser does (hidden fields, the clicked button's name and value,
ticked checkboxes only), so it exercises exactly what a person would.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote

if TYPE_CHECKING:
    from typing import TypeAlias

    from panel_tui.sim.endpoints import SimEndpoints
    from panel_tui.sim.form_browser import FormBrowser

    # What a control call sends.
    JsonValue: TypeAlias = None | bool | int | float | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"]

# A JSON object as the control API answers it (requests' Response.json() is untyped).
JsonObject = dict[str, Any]


class SignInOutcome(TypedDict):
    """What :meth:`SimControl.approve_device_code` saw: see its docstring."""

    page: str
    error: str
    signed_in: bool
    title: str
    pages: list[str]
    mfa_number: str
    org_consent_offered: bool


class SimControlError(RuntimeError):
    """The control API refused a request; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


SECRET_FILE = "control-secret"  # in the simulator's data directory, beside pki/
TENANT_HEADER = "X-Sim-Tenant"  # the tenant a control call works on (panel_tui.sim.tenancy)


def read_control_secret(path: Path | None) -> str | None:
    """The bearer secret in ``path``; None when there is no such file or it cannot be read."""
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="ascii").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


class SimControl:
    """Synchronous client of ``{control_url}/...`` (loopback, HTTPS with the simulator's CA).

    The control API wants its bearer secret: ``secret``, else the file ``secret_path``,
    else the ``control-secret`` file of the data directory holding ``ca_path`` (a simulator
    of this machine and user). Without it every call but the public ones is refused (401).
    """

    def __init__(self, control_url: str, ca_path: Path, timeout: float = 10.0, *,
                 secret: str | None = None, secret_path: Path | None = None, tenant: str | None = None) -> None:
        import requests  # only the callers of the control API pay for it

        self.control_url = control_url.rstrip("/")
        self.base_url = self.control_url.rsplit("/_sim", 1)[0]
        self.ca_path = Path(ca_path)
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy must not interfere
        self._session.verify = str(self.ca_path)
        self.secret_path = Path(secret_path) if secret_path else self.ca_path.parent.parent / SECRET_FILE
        secret = secret or read_control_secret(self.secret_path)
        if secret:
            self._session.headers["Authorization"] = f"Bearer {secret}"
        # The tenant every call works on (id or domain; None: the simulator's home tenant).
        self.tenant = tenant
        if tenant:
            self._session.headers[TENANT_HEADER] = tenant

    @classmethod
    def for_endpoints(cls, endpoints: SimEndpoints | dict[str, Any], timeout: float = 10.0,
                      tenant: str | None = None) -> SimControl:
        """A client for a SimEndpoints or its dict (``control_url``, ``ca_path``, ``control_secret_path``),
        working on `tenant` (id or domain; None: the home tenant)."""
        data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
        secret_path = data.get("control_secret_path")
        return cls(data["control_url"], Path(data["ca_path"]), timeout,
                   secret_path=Path(secret_path) if secret_path else None, tenant=tenant)

    def for_tenant(self, tenant: str | None) -> SimControl:
        """The same simulator, working on another tenant (a new client: close it too)."""
        auth = self._session.headers.get("Authorization", "")
        secret = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
        return SimControl(self.control_url, self.ca_path, self.timeout, secret=secret, secret_path=self.secret_path,
                          tenant=tenant)

    # -- tenants -----------------------------------------------------------------------

    def tenants(self) -> list[JsonObject]:
        """Every tenant the simulator serves: {"id", "domain", "name", "home"}."""
        return list(self._call("GET", "/tenants")["tenants"])

    def add_tenant(self, domain: str, name: str) -> JsonObject:
        """A new tenant (fresh: security defaults on, SMTP AUTH off, no consent, no users)."""
        return self._call("POST", "/tenants", {"domain": domain, "name": name})

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SimControl:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------

    def _call(self, method: str, path: str, payload: Mapping[str, JsonValue] | None = None) -> JsonObject:
        response = self._session.request(method, f"{self.control_url}{path}", json=payload, timeout=self.timeout)
        data: JsonObject
        try:
            data = response.json()
        except ValueError:
            data = {"error": response.text}
        if response.status_code >= 400:
            message = str(data.get("error", response.reason))
            if response.status_code in (401, 403) and "secret" in message:
                message += f" (looked for it in {self.secret_path})"
            raise SimControlError(message, response.status_code)
        return data

    # -- clock and faults --------------------------------------------------------------

    def now(self) -> float:
        """The simulated time, epoch seconds."""
        return float(self._call("GET", "/clock")["now"])

    def advance_clock(self, seconds: float) -> float:
        """Move the simulated clock forward; returns the new simulated time."""
        return float(self._call("POST", "/clock", {"advance": seconds})["now"])

    def set_fault(self, name: str, on: bool) -> None:
        """``idp_down``, ``idp_5xx``, ``smtp_down``, ``smtp_drop_mid_data`` or ``slow_down``."""
        self._call("POST", "/faults", {"name": name, "on": bool(on)})

    def request_counts(self) -> dict[str, int]:
        """HTTPS requests the simulator served, by "METHOD route" (e.g. ``GET /_sim/clock``)."""
        return {str(k): int(v) for k, v in self._call("GET", "/requests")["counts"].items()}

    def pid(self) -> int:
        """The process id of the simulator answering."""
        return int(self._call("GET", "/process")["pid"])

    # -- tenant policies ---------------------------------------------------------------

    def set_security_defaults(self, on: bool) -> None:
        self._call("POST", "/policies", {"security_defaults": bool(on)})

    def set_smtp_auth_org(self, enabled: bool) -> None:
        self._call("POST", "/policies", {"smtp_auth_org": bool(enabled)})

    def set_conditional_access_block(self, on: bool) -> None:
        self._call("POST", "/policies", {"conditional_access_block": bool(on)})

    def set_smtp_auth_mailbox(self, upn: str, enabled: bool | None) -> None:
        """True/False override the organisation for this mailbox; None follows it."""
        self._call("POST", f"/users/{quote(upn, safe='')}/smtp-auth", {"enabled": enabled})

    def set_basic_smtp_auth(self, enabled: bool | None) -> JsonObject:
        """Basic authentication for SMTP AUTH: True re-enables, False turns off, None follows
        Microsoft's timeline (MC786329). Returns the tenant's Basic state."""
        return dict(self._call("POST", "/basic-smtp-auth", {"enabled": enabled})["basic_smtp_auth"])

    def set_basic_final_removal(self, removed: bool) -> JsonObject:
        """The trainer's "final removal": Basic answers 550 5.7.30."""
        return dict(self._call("POST", "/basic-smtp-auth", {"final_removal": bool(removed)})["basic_smtp_auth"])

    def set_tenant_created(self, epoch: float) -> JsonObject:
        return dict(self._call("POST", "/basic-smtp-auth", {"tenant_created": float(epoch)})["basic_smtp_auth"])

    def smtp_auth_clients_report(self, days: int = 7) -> list[JsonObject]:
        """Rows of Exchange's SMTP AUTH Clients Submission Report: upn, protocol ("Basic"/"OAuth"),
        messages, last_day; over the last 7 or 30 simulated days."""
        return list(self._call("GET", f"/reports/smtp-auth-clients?days={int(days)}")["rows"])

    def add_shared_mailbox(self, upn: str, display_name: str) -> str:
        return str(self._call("POST", "/shared-mailboxes", {"upn": upn, "display_name": display_name})["upn"])

    def set_send_as(self, mailbox: str, trustee: str, granted: bool = True) -> None:
        """Grant (or remove) ``trustee``'s Send As permission on ``mailbox``."""
        self._call("POST", f"/users/{quote(mailbox, safe='')}/send-as", {"trustee": trustee, "granted": granted})

    def set_sender_block(self, upn: str, block: str | None) -> None:
        """restricted (550 5.1.8), outbound_spam (554 5.2.0), spam_abuse (550 5.7.501),
        banned (550 5.7.511) or None."""
        self._call("POST", f"/users/{quote(upn, safe='')}/sender-block", {"block": block})

    # -- users and consent -------------------------------------------------------------

    def add_user(self, upn: str, display_name: str, password: str, roles: list[str] | None = None) -> JsonObject:
        return self._call("POST", "/users", {"upn": upn, "display_name": display_name,
                                             "password": password, "roles": roles or []})

    def revoke_sessions(self, upn: str) -> None:
        self._call("POST", f"/users/{quote(upn, safe='')}/revoke")

    def reset_password(self, upn: str, new: str) -> None:
        self._call("POST", f"/users/{quote(upn, safe='')}/password", {"password": new})

    def grant_admin_consent(self, client_id: str) -> None:
        self._call("POST", f"/consents/{quote(client_id, safe='')}", {"granted": True})

    def revoke_admin_consent(self, client_id: str) -> None:
        self._call("POST", f"/consents/{quote(client_id, safe='')}", {"granted": False})

    def app_registration(self, client_id: str) -> JsonObject:
        """{"registered", "audience" ("single"/"multi"), "public_client_flows", "smtp_send", ...}."""
        return self._call("GET", f"/apps/{quote(client_id, safe='')}")

    def set_app_registration(self, client_id: str, **changes: bool | str) -> JsonObject:
        """Change the app registration: registered, audience ("single"/"multi"),
        public_client_flows, smtp_send (see panel_tui.sim.apps)."""
        return self._call("POST", f"/apps/{quote(client_id, safe='')}", changes)

    # -- mail, state, reset ------------------------------------------------------------

    def mailbox(self, upn: str) -> list[JsonObject]:
        """Messages received by ``upn``: subject, from, to, date, attachments [{filename,
        content_type, size}], plus id, text preview, size."""
        return list(self._call("GET", f"/mailboxes/{quote(upn, safe='')}")["messages"])

    def raw_message(self, upn: str, message_id: str) -> bytes:
        response = self._session.get(
            f"{self.control_url}/mailboxes/{quote(upn, safe='')}/{quote(message_id, safe='')}",
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise SimControlError("no such message", response.status_code)
        return response.content

    def state(self) -> JsonObject:
        return self._call("GET", "/state")

    def reset(self) -> None:
        """Back to the seeded tenant: policies, users, consents, tokens, clock, faults, mail."""
        self._call("POST", "/reset")

    # -- the user in the browser -------------------------------------------------------

    def _browser(self) -> FormBrowser:
        # The page-reading browser loads html.parser (~5 ms): only callers that sign in pay for it,
        # not every send that asks this module for its endpoints.
        from panel_tui.sim.form_browser import FormBrowser

        return FormBrowser(self._session, self.timeout)

    def authenticator_requests(self, upn: str) -> int:
        """How many sign-in requests wait on `upn`'s simulated Authenticator."""
        page = self._browser().get(f"{self.base_url}/authenticator?upn={quote(upn)}")
        return sum(1 for form in page.forms if form.action == "/authenticator")

    def answer_authenticator(self, upn: str, number: str, approve: bool = True) -> bool:
        """Answer `upn`'s newest Authenticator request as its owner would (the number, Yes or
        No); True when it was approved."""
        browser = self._browser()
        page = browser.get(f"{self.base_url}/authenticator?upn={quote(upn)}")
        if not any(form.action == "/authenticator" for form in page.forms):
            raise SimControlError(f"no Authenticator request waits for {upn}", 404)
        page = browser.submit(page, {"number": number}, button="approve" if approve else "deny")
        return page.title == "Authenticator" and page.status == "approved"

    def approve_device_code(self, user_code: str, upn: str, password: str,
                            consent_for_org: bool = False, accept: bool = True,
                            lang: str = "en", mfa: str = "approve") -> SignInOutcome:
        """Sign in at the verification page as a person would, and say what happened.

        A second factor (security defaults, an administrator) is answered on the simulated
        Authenticator as `mfa` says: ``approve`` (the number shown), ``wrong`` (another
        number), ``deny``, or ``ignore`` (stop at the number, unanswered).

        Returns ``{"page", "error", "signed_in", "title", "pages", "mfa_number"}``: ``page`` is
        the last page's ``data-page`` (``signed-in``, ``declined``, ``blocked``,
        ``admin-approval``, ``mfa-denied``, ``mfa-number`` (ignored), or the page that refused
        input: ``enter-code``, ``account``, ``password``), ``error`` its AADSTS code or message
        key, ``pages`` the pages seen.
        """
        browser = self._browser()
        page = browser.get(f"{self.base_url}/devicelogin?lang={quote(lang)}")
        pages = [page.name]
        answers = {"enter-code": {"otc": user_code}, "account": {"loginfmt": upn}, "password": {"passwd": password}}
        seen: dict[str, int] = {}
        mfa_number = ""
        while page.name in answers or page.name in ("permissions", "mfa-number"):
            seen[page.name] = seen.get(page.name, 0) + 1
            if seen[page.name] > 1:  # the page came back: it refused what we typed
                break
            if page.name == "mfa-number":
                mfa_number = page.mfa_number
                if mfa == "ignore":
                    break
                self.answer_authenticator(upn, mfa_number if mfa == "approve" else
                                          str((int(mfa_number or 0) + 1) % 90 + 10), approve=mfa != "deny")
                page = browser.submit(page, {})
            elif page.name == "permissions":
                fields = {"consent_org": "on"} if consent_for_org and page.has_field("consent_org") else {}
                page = browser.submit(page, fields, button="accept" if accept else "cancel")
            else:
                page = browser.submit(page, answers[page.name])
            pages.append(page.name)
        return SignInOutcome(
            page=page.name,
            error=page.error,
            signed_in=page.name == "signed-in",
            title=page.title,
            pages=pages,
            mfa_number=mfa_number,
            org_consent_offered=any(p == "permissions" for p in pages) and browser.saw_org_consent,
        )
