"""To My Email (Epson Print Admin Serverless): the user's own sign-in on the panel, then send.

With "User's email address" as the sender, the guide's flow: the printer's administrator logs
in, then signs in here once with a global administrator account and consents on behalf of the
organisation (Administrator sign-in); afterwards each user signs in with their own account the
first time they send. Both sign-ins happen on the panel (``panel_signin``: address > Next,
password > Sign in, permissions > Accept, the message > OK); a device code (code, URL and a QR
code) remains for a phone. Later sends use the sign-in silently. A user whose sign-in is missing
or dead gets 370 and is offered the sign-in again; a sign-in cancelled, refused or left to
expire ends as a 370 job too (the guide's table: sign in to the cloud service).
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from panel_tui.device.validation import FieldError, validate_recipient
from panel_tui.mail.auth import SignInResult
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.dialogs import AdminLoginScreen
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.mail_jobs import start_mail_job
from panel_tui.ui.panel_signin import PanelSignInScreen
from panel_tui.ui.webconfig.qr_text import qr_lines, signin_address, unreachable_from_a_phone

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.mail.auth import DeviceFlow, OAuthSession


class ToMyEmailScreen(PanelScreen):
    FOCUS = "#tme-user"
    BINDINGS = [("escape", "cancel_or_back", "Back")]

    def __init__(self) -> None:
        super().__init__(name="to-my-email")
        self._user = ""
        self._flow: DeviceFlow | None = None
        self._session: OAuthSession | None = None
        self._message: tuple[str, dict] | None = None
        self._after_370 = False  # the sign-in on screen was offered by a 370 job already recorded
        self._offer_after_notice = False  # a 370 job's notice is open: the sign-in follows it

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("menu.to_my_email")]

    def hints(self):
        if self._flow is not None:
            return (("Esc", "key.cancel"),)
        if panel_app(self).printer.settings.serverless_sender == "user":  # the sign-in buttons are a Tab away
            return (("Enter", "key.send"), ("Tab", "key.move"), ("Esc", "key.back"))
        return (("Enter", "key.send"), ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        message = t(self._message[0], **self._message[1]) if self._message else ""
        if self._flow is None:
            mode = panel_app(self).printer.settings.serverless_sender
            # One scrolling form: the message under the address stays in view at 80x24.
            with VerticalScroll(id="tme-form"):
                yield Static(t(f"screen.tme.intro_{mode}"), classes="edit-hint")
                yield Label(t("screen.tme.user"), classes="edit-label")
                yield Input(value=self._user, id="tme-user", placeholder="name@example.com", max_length=255)
                yield Static(message, id="tme-message", classes=self._message_class())
                if mode == "user":
                    with Vertical(id="tme-buttons"):
                        yield Button(t("screen.tme.phone"), id="tme-phone", compact=True)
                        yield Button(t("screen.tme.admin_signin"), id="tme-admin", compact=True)
                    yield Static(t("screen.tme.admin_note"), id="tme-admin-note", classes="edit-hint")
        else:
            yield from self._compose_signin()
            yield Static(message, id="tme-message", classes=self._message_class())

    def _message_class(self) -> str:
        """A problem in the error colour; the administrator's success in the hint's."""
        if not self._message:
            return ""
        return "edit-hint" if self._message[0] == "screen.tme.admin_done" else "error"

    def _redraw(self) -> None:
        self.refresh(recompose=True)
        self.call_after_refresh(self.focus_default)

    def _compose_signin(self) -> ComposeResult:
        t = panel_app(self).t
        flow = self._flow
        assert flow is not None  # composed while a sign-in runs
        with VerticalScroll(id="tme-scroll"), Horizontal(id="tme-signin"):
            with Vertical(id="tme-code-box"):
                yield Static(t("screen.tme.signin_title"), classes="dialog-title")
                yield Static(flow.user_code, id="tme-code", classes="signin-code")
                address = signin_address(panel_app(self), flow.verification_uri)
                yield Static(address, id="tme-url", markup=False)
                if unreachable_from_a_phone(flow.verification_uri):  # beside the QR: a phone cannot open it
                    yield Static(t("webconfig.signin.qr_loopback"), id="tme-qr-note", classes="edit-hint")
                yield Static(self._countdown_text(), id="tme-countdown", classes="edit-hint")
                # Last: on a small terminal the explanation is what gives way.
                yield Static(t("screen.tme.signin_steps"), classes="dialog-body")
            yield Static("\n".join(qr_lines(address)), id="tme-qr", classes="qr", markup=False)
        self.call_after_refresh(self._fit_signin)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fit_signin)

    def _fit_signin(self) -> None:
        """Too narrow for the code beside the QR code (80 columns with the lesson open): the QR
        code goes under the code and the address, which stay whole."""
        for box in self.query("#tme-signin").results(Horizontal):
            qr = self.query_one("#tme-qr", Static)
            qr_width = max((cell_len(line) for line in str(qr.render()).splitlines()), default=0) + 1
            url = cell_len(str(self.query_one("#tme-url", Static).render()))
            box.set_class(box.size.width - qr_width < max(url, 30), "-stacked")

    # -- address -------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        self._user = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if (user := self._valid_user()) is not None:
            self._start(user)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "tme-admin":
            self._admin_signin()
        elif event.button.id == "tme-phone" and (user := self._valid_user()) is not None:
            self._phone_signin(user)

    def _valid_user(self) -> str | None:
        """The address typed, checked; None (the rule it broke shown) when it is not one."""
        try:
            user = validate_recipient(self._user)
        except FieldError as error:
            self._show(error.key, **error.params)
            return None
        self._show(None)
        return user

    def _admin_signin(self) -> None:
        """The guide: the administrator logs in on the panel first, then signs in with a global
        administrator account and consents for the organisation."""
        app = panel_app(self)
        if not app.printer.admin.logged_in:
            self.app.push_screen(AdminLoginScreen(), lambda ok: self._admin_signin() if ok else None)
            return
        session = app.cloud.session_for(app.printer.settings.email_server)
        self.run_worker(self._offer_signin(session, "", admin=True), exclusive=True, group="tme", exit_on_error=False)

    @work(exclusive=True, exit_on_error=False, group="tme")
    async def _phone_signin(self, user: str) -> None:
        self._user = user
        self._after_370 = False
        app = panel_app(self)
        await app.mail_jobs()  # the simulator is up
        await self._begin_signin(app.cloud.session_for(app.printer.settings.email_server))

    def _show(self, key: str | None, **params) -> None:
        self._message = (key, params) if key else None
        self.query_one("#tme-message", Static).update(panel_app(self).t(key, **params) if key else "")

    @work(exclusive=True, exit_on_error=False, group="tme")
    async def _start(self, user: str) -> None:
        app = panel_app(self)
        jobs = await app.mail_jobs()
        if app.printer.settings.serverless_sender == "printer":
            start_mail_job(app, lambda: jobs.scan_to_email(user, "To My Email"))
            return
        session = app.cloud.session_for(app.printer.settings.email_server)
        if await asyncio.to_thread(session.user_signed_in, user):
            start_mail_job(app, lambda: jobs.to_my_email(user), after=self._after_send)
        else:
            self._after_370 = False
            await self._offer_signin(session, user)

    async def _offer_signin(self, session: OAuthSession, user: str, *, admin: bool = False) -> None:
        """The sign-in on the panel's own screens; a device code where there are none (live mode:
        Microsoft's pages need a browser)."""
        pages = panel_app(self).cloud.panel_signin_pages()
        if pages is None:
            await self._begin_signin(session)
            return
        self._session = session
        self.app.push_screen(PanelSignInScreen(session, pages, upn=user, admin=admin),
                             lambda result: self._panel_signin_ended(result, user, admin))

    def _panel_signin_ended(self, result: SignInResult | None, user: str, admin: bool) -> None:
        if result is None or not self.is_attached:
            return
        if admin:  # the consent for the organisation: nothing is sent
            self._message = ("screen.tme.admin_done", {}) if result.ok else (result.outcome_key, {})
            self._redraw()
            return
        self._signin_ended(result)

    def _after_send(self, outcome) -> None:
        if outcome.error is not None and outcome.error.code == 370 and self.is_attached:
            # The user's sign-in is dead: offer it again (the failed job stays retryable).
            self._after_370 = True
            self._offer_after_notice = True  # once the 370 notice is closed (on_screen_resume)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        if self._offer_after_notice:
            self._offer_after_notice = False
            app = panel_app(self)
            self.run_worker(self._offer_signin(app.cloud.session_for(app.printer.settings.email_server), self._user),
                            exclusive=True, group="tme", exit_on_error=False)

    # -- the user's sign-in ---------------------------------------------------
    async def _begin_signin(self, session) -> None:
        try:
            flow = await asyncio.to_thread(session.start_device_flow, None)
        except Exception:  # noqa: BLE001 - the sign-in service is down: say so
            self._show("signin.outcome.idp_unavailable")
            return
        self._session, self._flow = session, flow
        self.refresh(recompose=True)
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self._tick)
        self._wait_for_signin(session, flow)

    def _countdown_text(self) -> str:
        if self._flow is None:
            return ""
        left = self._flow.seconds_left(panel_app(self).clock.now())  # the printer's clock (simulated time)
        return panel_app(self).t("screen.tme.countdown", minutes=left // 60, seconds=f"{left % 60:02d}")

    def _tick(self) -> None:
        for countdown in self.query("#tme-countdown").results(Static):
            countdown.update(self._countdown_text())

    @work(thread=True, exclusive=True, exit_on_error=False, group="tme-signin")
    def _wait_for_signin(self, session, flow) -> None:
        result = session.wait_for_device_flow(flow)
        self.app.call_from_thread(self._signin_ended, result)

    def _signin_ended(self, result) -> None:
        self._flow = None
        if not self.is_attached:
            return
        if result.ok:
            user = result.account or self._user
            self._user = user
            self._message = ("screen.tme.signed_in", {"account": user})
            self.refresh(recompose=True)
            app = panel_app(self)

            async def job():
                jobs = await app.mail_jobs()
                return await jobs.to_my_email(user)

            start_mail_job(app, job)
        elif result.outcome in ("cancelled", "expired"):
            self._not_signed_in(self._user)
        elif result.outcome == "idp_unavailable":  # nobody refused anything: the service is unreachable
            self._message = (result.outcome_key, {})
            self.refresh(recompose=True)
        else:  # refused (consent, policy, second factor): still no sign-in, so 370 too
            self._not_signed_in(self._user, message=(result.outcome_key, {}))

    def _not_signed_in(self, user: str, message: tuple[str, dict] | None = None) -> None:
        """The user did not sign in: To My Email cannot send, which the job log records as 370."""
        self._message = message or ("cause.user_signin_required.message", {})
        self.refresh(recompose=True)
        if self._after_370:
            return  # the 370 that offered this sign-in is in the job log already
        app = panel_app(self)

        async def job():
            jobs = await app.mail_jobs()
            return await jobs.to_my_email(user)

        start_mail_job(app, job)

    async def action_cancel_or_back(self) -> None:
        if self._flow is not None and self._session is not None:
            self._session.cancel(self._flow)  # the polling thread ends after its current poll (370 then)
            self._flow = None
            self._message = ("cause.user_signin_required.message", {})
            self.refresh(recompose=True)
        else:
            await self.run_action("app.back")

    def on_unmount(self) -> None:
        if self._flow is not None and self._session is not None:
            self._session.cancel(self._flow)
