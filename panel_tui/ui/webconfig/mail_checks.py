"""Connection Check and a test email from Web Config: real mail jobs on the APPLIED settings."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Rule, Static

from panel_tui.backend import BackendError
from panel_tui.ui.app_base import MailJobsChanged, panel_app
from panel_tui.ui.webconfig.form_rows import FormRow, PageSection


def describe_outcome(t, outcome, ok_key: str, **ok_params: object) -> tuple[bool, str]:
    """(ok, text) for a JobOutcome: the success line, or the cause's message and fix with the code."""
    if outcome.ok:
        return True, t(ok_key, **ok_params) + "\n" + t("webconfig.job_ok", job=outcome.job_id)
    error = outcome.error
    if error is None:  # the job crashed: it is in the job log, retryable
        message, fix = t("error.unknown.situation"), t("error.unknown.solution")
    else:
        message, fix = t(error.message_key), t(error.fix_key)
    code = outcome.job.error_code if outcome.job.error_code is not None else "-"
    return False, "\n".join((message, fix, t("webconfig.job_failed", code=code, job=outcome.job_id)))


class MailChecks(PageSection):
    """Connection Check, and Send test email to a recipient; the outcome shows under them."""

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        yield Rule()
        yield Static(t("webconfig.checks_note"), classes="wc-checks-note", markup=False)
        yield FormRow(t("webconfig.test_mail_to"),
                      Input(id="test-mail-to", compact=True, max_length=255, placeholder="name@example.com"),
                      name="test_mail_to", id="row-test_mail_to")
        with Horizontal(classes="wc-check-buttons"):
            yield Button(t("webconfig.connection_check"), id="connection-check")
            yield Button(t("webconfig.test_mail"), id="send-test-mail")
        yield Static("", id="check-outcome", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "connection-check":
            event.stop()
            self.run_check("connection_check")
        elif event.button.id == "send-test-mail":
            event.stop()
            self.run_check("test_mail", self.query_one("#test-mail-to", Input).value.strip())

    def _show(self, ok: bool | None, text: str) -> None:
        outcome = self.query_one("#check-outcome", Static)
        outcome.update(text)
        outcome.set_class(ok is True, "-ok")
        outcome.set_class(ok is False, "-failed")

    @work(exclusive=True, exit_on_error=False, group="mail-check")
    async def run_check(self, kind: str, to: str = "") -> None:
        """Run one job and show its outcome (the job log records it too)."""
        from panel_tui.mail.jobs import InvalidRequest

        app = panel_app(self)
        t = app.t
        self._show(None, t("webconfig.check_running"))
        app.post_message(MailJobsChanged(+1))  # to the App itself: it hears the end even if the page is gone
        try:
            # The first use waits for the embedded simulator: not on the event loop.
            jobs = await app.mail_jobs()
            if kind == "connection_check":
                outcome = await jobs.connection_check()
                self._show(*describe_outcome(t, outcome, "webconfig.check_ok"))
            else:
                outcome = await jobs.test_mail(to)
                self._show(*describe_outcome(t, outcome, "webconfig.test_mail_ok", to=to))
        except InvalidRequest as error:
            self._show(False, t(error.key))
        except BackendError as error:
            self._show(False, t("webconfig.backend_unavailable", detail=str(error)))
        finally:
            app.post_message(MailJobsChanged(-1))
