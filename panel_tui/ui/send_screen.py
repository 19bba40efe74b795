"""Scan to Email and Fax via the email server: a recipient, a subject, then Send."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from panel_tui.device.validation import FieldError, validate_recipient
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.mail_jobs import start_mail_job


class SendScreen(PanelScreen):
    """One sending function of the Home screen; `kind` is "scan_to_email" or "fax_email"."""

    FOCUS = "#send-to"

    def __init__(self, kind: str, node_id: str) -> None:
        super().__init__(name=f"send:{kind}")
        self.kind = kind
        self.node_id = node_id
        self._error: tuple[str, dict] | None = None
        self._to = ""
        self._subject = ""
        self._sent = False

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path(self.node_id)]

    def hints(self):
        # Letter keys type into the fields here: the F-keys reach Home and Job/Status.
        return (("Tab", "key.move"), ("Enter", "key.send"), ("F2", "key.home"), ("F3", "key.job_status"),
                ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t(f"screen.send.{self.kind}.intro"), classes="edit-hint")
        yield Label(t("screen.send.to"), classes="edit-label")
        yield Input(value=self._to, id="send-to", placeholder="name@example.com", max_length=255)
        yield Label(t("screen.send.subject"), classes="edit-label")
        yield Input(value=self._subject, id="send-subject", max_length=120)
        yield Static(t(self._error[0], **self._error[1]) if self._error else "", id="edit-error", classes="error")
        yield Static(t("screen.send.hint"), classes="edit-hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "send-to":
            self._to = event.value
        else:
            self._subject = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            to = validate_recipient(self._to)
        except FieldError as error:
            self._error = (error.key, error.params)
            self.query_one("#edit-error", Static).update(panel_app(self).t(error.key, **error.params))
            self.query_one("#send-to", Input).focus()
            return
        self._error = None
        self.query_one("#edit-error", Static).update("")
        app, kind = panel_app(self), self.kind
        # An empty subject gets the printer's default, in the panel's language.
        subject = self._subject or app.t(f"screen.send.{kind}.subject")

        async def job():
            jobs = await app.mail_jobs()
            if kind == "fax_email":
                return await jobs.fax_email(to, subject)
            return await jobs.scan_to_email(to, subject)

        start_mail_job(app, job)
        # Focus leaves the address field: the outcome dialog takes it, and when it closes the
        # next letter key (I for the Inbox, J for Job Status) acts instead of being typed here.
        self._sent = True
        self.AUTO_FOCUS = ""  # type: ignore[misc]  # nor does Textual give it back to the first field
        self.set_focus(None)

    def focus_default(self) -> None:
        if not self._sent:  # back from the outcome dialog, the field stays unfocused (Tab reaches it)
            super().focus_default()
