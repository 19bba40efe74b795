"""Microsoft's sign-in on the panel itself (To My Email, as the guide shows it): the e-mail
address > Next, the password > Sign in, the Authenticator's number when asked, the permissions
screen (Consent on behalf of your organization) > Accept, then the Print Admin Serverless
message > OK.

The steps are drawn here; what the user types goes to the sign-in pages through the backend
(an authorization code request with PKCE that MSAL builds and redeems), and the pages decide:
a wrong password, a locked account, the second factor, consent, conditional access. The
password is read from its field when Sign in is pressed and kept nowhere else. The screen
dismisses with the :class:`~panel_tui.mail.auth.SignInResult`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from panel_tui.mail.auth import SignInResult
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.mail.auth import OAuthSession, PanelSignIn

# The pages' errors (``data-error``) the panel words itself.
_PAGE_ERRORS = {"AADSTS50034": "screen.ps.error.account_unknown", "AADSTS50126": "screen.ps.error.password_wrong",
                "AADSTS50053": "screen.ps.error.account_locked"}
# Pages that end the sign-in without tokens, as a sign-in outcome.
_PAGE_OUTCOMES: dict[str, tuple[str, int | None]] = {
    "declined": ("declined", 65004), "blocked": ("blocked", 53003),
    "admin-approval": ("consent_required", 90094), "mfa-denied": ("error", 500121),
    "mfa-timeout": ("error", 500121),
}
ASKING = ("account", "password", "mfa-number", "permissions")


class ConsentToggle(Static, can_focus=True):
    """The permissions screen's check box, "[x] Consent on behalf of your organization": a line
    that wraps between words (a button would be cut beside the lesson); Enter, Space or a tap
    ticks it."""

    BINDINGS = [("enter", "tick", "Toggle"), ("space", "tick", "Toggle")]

    class Changed(Message):
        def __init__(self, checked: bool) -> None:
            super().__init__()
            self.checked = checked

    def __init__(self, label: str, checked: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._label = label
        self.checked = checked

    def on_mount(self) -> None:
        self._draw()

    def _draw(self) -> None:
        self.update(Content(f"{glyph('check_on' if self.checked else 'check_off')} {self._label}"))

    def action_tick(self) -> None:
        self.checked = not self.checked
        self._draw()
        self.post_message(self.Changed(self.checked))

    def on_click(self) -> None:
        self.action_tick()


class PanelSignInScreen(PanelScreen):
    """One sign-in, step by step as the pages answer; dismissed with its SignInResult."""

    FOCUS = "#ps-account, #ps-password, #ps-continue, #ps-accept, #ps-ok"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, session: OAuthSession, pages: Any, *, upn: str = "", admin: bool = False) -> None:
        super().__init__(name="panel-signin")
        self._session = session
        self._pages = pages  # the backend's PageSignIn (the UI never imports the simulator)
        self._signin: PanelSignIn | None = None
        self._upn = upn
        self._admin = admin
        self._page = ""  # the step on screen: a page name, "" while loading, "done" at the end
        self._error = ""  # locale key of the step's error
        self._mfa_number = ""
        self._mfa_asked = False
        self._offers_org = False
        self._consent_org = False  # the guide's administrator ticks it
        self._busy = True
        self._result: SignInResult | None = None

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("menu.to_my_email"), panel_app(self).t("screen.ps.title")]

    def hints(self):
        if self._page == "done":
            return (("Enter", "key.ok"),)
        return (("Enter", "key.select"), ("Tab", "key.move"), ("Esc", "key.cancel"))

    # -- drawing -----------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        page = {"account": self._compose_account, "password": self._compose_password,
                "mfa-number": self._compose_mfa, "permissions": self._compose_permissions,
                "done": self._compose_done}.get(self._page, self._compose_working)
        with VerticalScroll(id="ps-body"):
            yield from page()

    def _compose_account(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t("screen.ps.title"), classes="dialog-title")
        yield Static(t("screen.ps.account_help_admin" if self._admin else "screen.ps.account_help_user"),
                     classes="edit-hint")
        yield Label(t("screen.ps.account_label"), classes="edit-label")
        yield Input(value=self._upn, id="ps-account", max_length=255, placeholder="name@example.com")
        yield from self._error_line()
        yield from self._buttons(("ps-next", "screen.ps.next"))

    def _compose_password(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(self._upn, id="ps-identity", markup=False)
        yield Static(t("screen.ps.password_title"), classes="dialog-title")
        yield Label(t("screen.ps.password_label"), classes="edit-label")
        yield Input(password=True, id="ps-password", max_length=256)
        yield from self._error_line()
        yield from self._buttons(("ps-signin", "screen.ps.sign_in"))

    def _compose_mfa(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(self._upn, id="ps-identity", markup=False)
        yield Static(t("screen.ps.mfa_title"), classes="dialog-title")
        yield Static(self._mfa_number, id="ps-mfa-number", classes="signin-code")
        yield Static(t("screen.ps.mfa_body", number=self._mfa_number), classes="dialog-body")
        if self._mfa_asked:
            yield Static(t("screen.ps.mfa_waiting"), classes="error")
        yield from self._buttons(("ps-continue", "screen.ps.mfa_continue"))

    def _compose_permissions(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(self._upn, id="ps-identity", markup=False)
        yield Static(t("screen.ps.permissions_title"), classes="dialog-title")
        yield Static(t("screen.ps.permissions_body"), classes="dialog-body")
        if self._offers_org:
            yield ConsentToggle(t("screen.ps.consent_org"), self._consent_org, id="ps-consent-org")
        yield from self._buttons(("ps-cancel", "key.cancel"), ("ps-accept", "screen.ps.accept"))

    def _compose_done(self) -> ComposeResult:
        t = panel_app(self).t
        result = self._result
        assert result is not None  # "done" is drawn once the sign-in ended
        yield Static(t("screen.ps.done_title"), classes="dialog-title")
        if result.ok:
            key = "screen.ps.done_admin" if self._admin else "screen.ps.done_user"
            yield Static(t(key, account=result.account or self._upn), id="ps-done", classes="dialog-body")
        else:  # what failed, then as Web Config's sign-in says it: the cause, its fix, the AADSTS code
            yield Static(t(self._error or result.outcome_key), id="ps-done", classes="error")
            lines = []
            if result.outcome == "consent_required":  # fixed here, with this section's words
                lines += [t("cause.consent_required.message"), t("screen.ps.fix_consent")]
            elif result.outcome not in ("cancelled", "declined", "expired") and result.cause_name is not None:
                lines += [t(f"cause.{result.cause_name}.message"), t(f"cause.{result.cause_name}.fix")]
            if result.aadsts:
                lines.append(t("webconfig.signin.aadsts", code=result.aadsts))
            if lines:
                yield Static("\n".join(lines), id="ps-fix", classes="dialog-body")
        yield from self._buttons(("ps-ok", "key.ok"))

    def _compose_working(self) -> ComposeResult:
        yield Static(panel_app(self).t("screen.ps.working"), id="ps-working", classes="edit-hint")

    def _error_line(self) -> ComposeResult:
        yield Static(panel_app(self).t(self._error) if self._error else "", id="ps-error", classes="error")

    def _buttons(self, *buttons: tuple[str, str]) -> ComposeResult:
        t = panel_app(self).t
        with Horizontal(classes="ps-buttons"):
            for button_id, key in buttons:
                yield Button(t(key), id=button_id, compact=True, disabled=self._busy,
                             variant="primary" if button_id != "ps-cancel" else "default")

    def _redraw(self) -> None:
        self.refresh(recompose=True)
        self.call_after_refresh(self.focus_default)

    # -- the steps -----------------------------------------------------------------------
    def on_mount(self) -> None:
        super().on_mount()
        self._open()

    @work(thread=True, exclusive=True, exit_on_error=False, group="panel-signin")
    def _open(self) -> None:
        try:
            self._signin = self._session.start_panel_signin(self._upn or None)
            language = panel_app(self).translator.language
            step = self._pages.open(self._signin.auth_uri, self._signin.redirect_uri, language)
        except Exception:  # noqa: BLE001 - the sign-in service is down: say so
            self.app.call_from_thread(self._end, SignInResult("idp_unavailable"))
            return
        self.app.call_from_thread(self._show, step)

    @work(thread=True, exclusive=True, exit_on_error=False, group="panel-signin")
    def _answer(self, action: str, value: str = "") -> None:
        try:
            if action == "account":
                step = self._pages.account(value)
            elif action == "password":
                step = self._pages.password(value)
            elif action == "mfa":
                step = self._pages.check_authenticator()
            else:
                step = self._pages.consent(action == "accept", self._consent_org)
            if step.page == "signed-in" and self._signin is not None:  # MSAL redeems the code
                self.app.call_from_thread(self._end, self._session.finish_panel_signin(self._signin, dict(step.answer)))
                return
        except Exception:  # noqa: BLE001 - the sign-in service went away mid-way
            self.app.call_from_thread(self._end, SignInResult("idp_unavailable"))
            return
        self.app.call_from_thread(self._show, step)

    def _show(self, step: Any) -> None:
        if not self.is_attached:
            return
        self._busy = False
        if step.page not in ASKING:
            outcome, aadsts = _PAGE_OUTCOMES.get(step.page, ("error", None))
            if step.page == "enter-code" and step.error == "code_expired":  # the request outlived its 15 minutes
                outcome, aadsts = "expired", 70020
            if step.page.startswith("mfa-"):
                self._error = "screen.ps.error.mfa_failed"
            self._end(SignInResult(outcome, aadsts=aadsts, detail=step.page))  # type: ignore[arg-type]
            return
        self._mfa_asked = step.page == "mfa-number" and self._page == "mfa-number"
        self._error = _PAGE_ERRORS.get(step.error, "")
        self._page = step.page
        self._mfa_number = step.mfa_number or self._mfa_number
        self._offers_org = step.offers_org_consent
        self._redraw()

    def _end(self, result: SignInResult) -> None:
        if not self.is_attached:
            return
        self._busy = False
        self._result = result
        self._page = "done"
        self._redraw()

    def _submit(self, action: str, value: str = "") -> None:
        if self._busy:
            return
        self._busy = True
        for button in self.query(Button):
            button.disabled = True
        self._answer(action, value)

    # -- input -----------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "ps-account":
            self._next()
        elif event.input.id == "ps-password":
            self._sign_in()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ps-account":
            self._upn = event.value.strip()

    def _next(self) -> None:
        if self._upn:
            self._submit("account", self._upn)

    def _sign_in(self) -> None:
        field = self.query_one("#ps-password", Input)
        password, field.value = field.value, ""  # never kept: the field is emptied as it is sent
        if password:
            self._submit("password", password)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "ps-next":
            self._next()
        elif button == "ps-signin":
            self._sign_in()
        elif button == "ps-continue":
            self._submit("mfa")
        elif button in ("ps-accept", "ps-cancel"):
            self._submit("accept" if button == "ps-accept" else "cancel")
        elif button == "ps-ok":
            self._close()

    def on_consent_toggle_changed(self, event: ConsentToggle.Changed) -> None:
        self._consent_org = event.checked

    def _close(self) -> None:
        self._pages.close()
        self.dismiss(self._result or SignInResult("cancelled"))

    def on_unmount(self) -> None:
        self._pages.close()  # left by Home as well as by OK or Esc

    def action_cancel(self) -> None:
        if self._page == "done":
            self._close()
            return
        self._result = SignInResult("cancelled")
        self._close()
