"""Sign in with Microsoft: the OAuth 2.0 device code sign-in opened by Sign In on Web Config.

Three steps as on the printer: the "Sign in with Microsoft" button; the code, the address,
its QR code and a countdown while MSAL polls in a thread; the outcome with the guide's
wording and fix. Cancel (or closing the screen) cancels the flow, so no thread keeps polling.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import SCREENS_CSS
from panel_tui.ui.webconfig.qr_text import qr_lines, signin_address, unreachable_from_a_phone

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.device.clock import Clock
    from panel_tui.mail.auth import DeviceFlow, OAuthSession, SignInResult

STEPS = ("start", "code", "outcome")


def format_countdown(seconds: int) -> str:
    """895 -> "14:55"."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class SignInWithMicrosoftScreen(ModalScreen["SignInResult | None"]):
    """Dismisses with the SignInResult (None if closed before any outcome).

    `flow` or `result` open it at the code or outcome step without a session: previews and
    snapshot tests, where the real random code must not appear.
    """

    CSS_PATH = [SCREENS_CSS, "webconfig.tcss"]  # read after the .dialog rules: beats them, which DEFAULT_CSS cannot
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, session_factory: Callable[[], OAuthSession] | None, role: str | None, *,
                 flow: DeviceFlow | None = None, result: SignInResult | None = None,
                 clock: Clock | None = None) -> None:
        super().__init__()
        self._session_factory = session_factory
        self.role = role
        self.session: OAuthSession | None = None
        self.flow = flow
        self.result = result
        self._clock = clock
        self._cancel_requested = False  # Cancel pressed: dismiss as soon as the worker has stopped
        self.code_request: Worker | None = None
        self.answer_wait: Worker | None = None

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        with Vertical(classes="dialog", id="signin-dialog"):
            yield Static(t("webconfig.signin.title"), classes="dialog-title", markup=False)
            with Vertical(id="signin-start"):
                yield Static(t("webconfig.signin.intro"), markup=False)
                yield Static("", id="signin-start-status", markup=False)
            with Horizontal(id="signin-code-step"):
                with Vertical(id="signin-code-text"):
                    yield Static(t("webconfig.signin.copy_code"), markup=False)
                    yield Static("", id="signin-code", markup=False)
                    yield Static(t("webconfig.signin.open_url"), markup=False)
                    yield Static("", id="signin-url", markup=False)
                    yield Static(t("webconfig.signin.qr_hint"), id="signin-qr-hint", markup=False)
                    yield Static("", id="signin-countdown", markup=False)
                    yield Static(t("webconfig.signin.waiting"), id="signin-status", markup=False)
                yield Static("", id="signin-qr", markup=False)
            with Vertical(id="signin-outcome-step"):
                yield Static("", id="signin-outcome", markup=False)
                yield Static("", id="signin-outcome-fix", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.cancel"), id="signin-cancel", compact=True)
                yield Button(t("webconfig.signin.button"), id="signin-microsoft", variant="primary", compact=True)
                yield Button(t("key.close"), id="signin-close", variant="primary", compact=True)

    def on_mount(self) -> None:
        if self.result is not None:
            self._show_outcome(self.result)
        elif self.flow is not None:
            self._show_flow(self.flow)
        else:
            self._show_step("start")
            self.query_one("#signin-microsoft").focus()
        self.set_interval(1.0, self._tick)

    def _show_step(self, step: str) -> None:
        for name in STEPS:
            self.query_one(f"#signin-{'start' if name == 'start' else name + '-step'}").display = name == step
        self.query_one("#signin-microsoft").display = step in ("start", "outcome") and self.can_sign_in
        self.query_one("#signin-close").display = step == "outcome"
        self.query_one("#signin-cancel").display = step != "outcome"

    @property
    def can_sign_in(self) -> bool:
        return self._session_factory is not None and (self.result is None or not self.result.ok)

    # -- the code step ---------------------------------------------------------------
    def _countdown_clock(self) -> Clock:
        """The clock `flow.expires_at` is on: the session's (it follows the simulator's)."""
        session_clock = getattr(self.session, "clock", None)
        return self._clock or session_clock or panel_app(self).clock

    def _show_flow(self, flow: DeviceFlow) -> None:
        self.flow = flow
        self.query_one("#signin-code", Static).update(flow.user_code)
        address = signin_address(panel_app(self), flow.verification_uri)
        self.query_one("#signin-url", Static).update(address)
        self.query_one("#signin-qr", Static).update("\n".join(qr_lines(address)))
        # A loopback simulator's address opens nothing on a phone: say so beside the QR code.
        hint = "webconfig.signin.qr_loopback" if unreachable_from_a_phone(flow.verification_uri) \
            else "webconfig.signin.qr_hint"
        self.query_one("#signin-qr-hint", Static).update(panel_app(self).t(hint))
        self._tick()
        self._show_step("code")
        self.query_one("#signin-cancel").focus()

    def _tick(self) -> None:
        if self.flow is None or self.result is not None:
            return
        left = self.flow.seconds_left(self._countdown_clock().now())
        text = panel_app(self).t("webconfig.signin.expires_in", time=format_countdown(left))
        self.query_one("#signin-countdown", Static).update(text)

    # -- the outcome step ------------------------------------------------------------
    def _show_outcome(self, result: SignInResult) -> None:
        t = panel_app(self).t
        self.result = result
        outcome = self.query_one("#signin-outcome", Static)
        outcome.update(t(result.outcome_key))
        outcome.set_class(result.ok, "-ok")
        outcome.set_class(not result.ok and result.outcome != "cancelled", "-failed")
        lines = []
        if result.ok:
            lines += [t("webconfig.signin.account", account=result.account or ""), t("webconfig.signin.signed_in_next")]
        elif result.outcome == "declined":
            lines.append(t("webconfig.signin.declined_fix"))
        elif result.cause_name is not None:
            lines += [t(f"cause.{result.cause_name}.message"), t(f"cause.{result.cause_name}.fix")]
        if result.aadsts and not result.ok:
            lines.append(t("webconfig.signin.aadsts", code=result.aadsts))
        self.query_one("#signin-outcome-fix", Static).update("\n".join(lines))
        self._show_step("outcome")
        self.query_one("#signin-close").focus()

    def _show_start_error(self, text: str) -> None:
        self.query_one("#signin-start-status", Static).update(text)
        self._show_step("start")

    # -- workers ---------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "signin-microsoft":
            self.start_sign_in()
        elif event.button.id == "signin-cancel":
            self.action_cancel()
        elif event.button.id == "signin-close":
            self.dismiss(self.result)

    def start_sign_in(self) -> None:
        """Ask the identity provider for a code (in a thread), then wait for the answer."""
        if self._session_factory is None:
            return
        self.result = None
        self.flow = None
        self.query_one("#signin-start-status", Static).update(panel_app(self).t("webconfig.signin.requesting"))
        self._show_step("start")
        self.query_one("#signin-microsoft").display = False
        self.code_request = self._request_code()

    @work(thread=True, exclusive=True, exit_on_error=False, group="signin-code")
    def _request_code(self) -> tuple[OAuthSession, DeviceFlow]:
        factory = self._session_factory
        assert factory is not None  # started only when there is one (see can_sign_in)
        session = factory()
        return session, session.start_device_flow(role=self.role)

    @work(thread=True, exclusive=True, exit_on_error=False, group="signin-wait")
    def _wait_for_answer(self, session: OAuthSession, flow: DeviceFlow) -> SignInResult:
        return session.wait_for_device_flow(flow)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker, state = event.worker, event.state
        if worker.group == "signin-code" and state is WorkerState.SUCCESS:
            session, flow = cast("tuple[OAuthSession, DeviceFlow]", worker.result)
            self.session = session
            if self._cancel_requested:
                session.cancel(flow)  # nothing polls it yet: the code simply lapses
                self.dismiss(None)
                return
            self._show_flow(flow)
            self.answer_wait = self._wait_for_answer(session, flow)
        elif worker.group == "signin-code" and state is WorkerState.ERROR:
            if self._cancel_requested:
                self.dismiss(None)
            else:
                self._show_start_error(self._describe_error(worker.error))
        elif worker.group == "signin-wait" and state is WorkerState.SUCCESS:
            self.flow = None
            if self._cancel_requested:
                self.dismiss(worker.result)
            else:
                self._show_outcome(cast("SignInResult", worker.result))
        elif worker.group == "signin-wait" and state is WorkerState.ERROR:
            self.flow = None
            self._show_start_error(self._describe_error(worker.error))

    def _describe_error(self, error: BaseException | None) -> str:
        t = panel_app(self).t
        cause = getattr(error, "cause", None)
        if cause is not None:  # a MailError: the error table's message and fix
            return f"{t(cause.message_key)}\n{t(cause.fix_key)}"
        return t("webconfig.backend_unavailable", detail=str(error))

    # -- leaving ---------------------------------------------------------------------
    def _cancel_flow(self) -> None:
        if self.session is not None and self.flow is not None:
            self.session.cancel(self.flow)

    def action_cancel(self) -> None:
        """Cancel: stop the polling thread, then close once it has stopped (within a second)."""
        busy = [w for w in (self.code_request, self.answer_wait) if w is not None and not w.is_finished]
        if not busy:
            self.dismiss(self.result)
            return
        self._cancel_requested = True
        self._cancel_flow()
        self.query_one("#signin-status", Static).update(panel_app(self).t("webconfig.signin.cancelling"))
        self.query_one("#signin-start-status", Static).update(panel_app(self).t("webconfig.signin.cancelling"))

    def on_unmount(self) -> None:
        self._cancel_flow()  # however the screen went away, the thread stops polling
