"""A device's own sign-in screens on the simulator's sign-in pages.

An Epson panel shows Microsoft's sign-in itself (To My Email): the account, the password, the
Authenticator's number, the permissions screen. The panel draws those steps with its own
widgets and this class posts what the user typed to the simulator's pages, one step at a time,
exactly as a browser would (the ``/authorize`` request MSAL built, then the forms each page
returns). The pages decide everything (wrong password, lockout, second factor, consent,
conditional access); each step returns the page they answered with. Signed in, the last page
carries the authorization code to the device's loopback address (``response_mode=form_post``:
a form to post there; else a redirect); it is read here, never sent: MSAL redeems it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.sim.form_browser import FormBrowser, _Page

# The pages (``data-page``) that ask the user something; every other page ends the sign-in.
ACCOUNT = "account"
PASSWORD = "password"
MFA = "mfa-number"
PERMISSIONS = "permissions"
SIGNED_IN = "signed-in"  # the answer carrying the authorization code
_FORM_POST = "form-post"


@dataclass(frozen=True)
class SignInStep:
    """Where the sign-in is: the page (``data-page``), its error (``AADSTS50126`` ...), the
    Authenticator number to show, whether the organisation-wide consent is offered, and once
    signed in the answer for the loopback address (``code``, ``state``)."""

    page: str
    error: str = ""
    mfa_number: str = ""
    offers_org_consent: bool = False
    answer: tuple[tuple[str, str], ...] = ()

    @property
    def asks(self) -> bool:
        """The page waits for the user (else the sign-in is over, well or not)."""
        return self.page in (ACCOUNT, PASSWORD, MFA, PERMISSIONS)


class PageSignIn:
    """One sign-in through the pages. Calls block (HTTPS): run them in a thread.

    `session` is a ``requests.Session`` trusting the simulator's CA.
    """

    def __init__(self, session: Any, timeout: float = 10.0) -> None:
        # The page reader loads html.parser: only a sign-in pays for it, not every import of the client.
        from panel_tui.sim.form_browser import FormBrowser  # noqa: PLC0415 - start-up cost

        self._browser: FormBrowser = FormBrowser(session, timeout)
        self._browser.follow_redirects = False
        self._page: _Page | None = None
        self._redirect_uri = ""

    def open(self, auth_uri: str, redirect_uri: str, lang: str) -> SignInStep:
        """Load the authorization request (the account step, or the page refusing it)."""
        self._redirect_uri = redirect_uri
        joiner = "&" if "?" in auth_uri else "?"
        return self._step(self._browser.get(f"{auth_uri}{joiner}{urlencode({'ui_locales': lang})}"))

    def account(self, upn: str) -> SignInStep:
        return self._submit(ACCOUNT, {"loginfmt": upn})

    def password(self, password: str) -> SignInStep:
        return self._submit(PASSWORD, {"passwd": password})

    def check_authenticator(self) -> SignInStep:
        """Ask the page whether the Authenticator request was answered (Continue)."""
        return self._submit(MFA, {})

    def consent(self, accept: bool, for_organization: bool) -> SignInStep:
        values = {"consent_org": "on"} if accept and for_organization else {}
        return self._submit(PERMISSIONS, values, "accept" if accept else "cancel")

    def close(self) -> None:
        self._browser.session.close()

    def _submit(self, expected: str, values: dict[str, str], button: str | None = None) -> SignInStep:
        page = self._page
        if page is None or page.name != expected:
            raise RuntimeError(f"the sign-in is not at the {expected} step")
        return self._step(self._browser.submit(page, values, button))

    def _step(self, page: _Page) -> SignInStep:
        self._page = page
        if page.location:
            if self._redirect_uri and page.location.startswith(self._redirect_uri):
                return SignInStep(SIGNED_IN, answer=tuple(parse_qsl(urlsplit(page.location).query)))
            return SignInStep(page.name, error="redirect")
        if page.name == _FORM_POST and page.forms and self._redirect_uri \
                and page.forms[0].action.startswith(self._redirect_uri):
            fields = page.forms[0].inputs
            return SignInStep(SIGNED_IN, answer=tuple((str(f.get("name", "")), str(f.get("value", "")))
                                                      for f in fields if f.get("name")))
        return SignInStep(page.name, page.error, page.mfa_number,
                          page.name == PERMISSIONS and page.has_field("consent_org"))
