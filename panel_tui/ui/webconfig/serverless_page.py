"""Epson Open Platform > Print Admin Serverless > Authentication Settings: the To My Email sender."""
from __future__ import annotations

import dataclasses

from textual.app import ComposeResult
from textual.widgets import Button, RadioButton, RadioSet, Static

from panel_tui.device.settings import DeviceSettings
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.webconfig.form_rows import FormRow, PageSection, StateRadioButton

SENDERS = ("printer", "user")  # DeviceSettings.serverless_sender


class ServerlessPage(PageSection):
    """Sender's Email Address for To My Email: the printer's or the user's own; pending until OK."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pending = self._base = panel_app(self).printer.settings.serverless_sender

    def on_mount(self) -> None:
        # The sender saved elsewhere shows up here, unless this page has another one pending.
        panel_app(self).settings_changed_signal.subscribe(self, self._applied_changed)
        self._show()

    async def show_state(self) -> None:
        self._show()

    def _applied_changed(self, settings: DeviceSettings) -> None:
        applied = settings.serverless_sender
        if applied == self._base:
            return
        if self.pending == self._base:
            self.pending = applied
            with self.prevent(RadioSet.Changed):
                for who in SENDERS:
                    self.query_one(f"#serverless-{who}", RadioButton).value = who == applied
        self._base = applied
        self._show()

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        yield Static(t("webconfig.serverless.intro"), classes="wc-note", markup=False)
        yield Static(t("webconfig.pending"), id="serverless-pending", classes="wc-pending", markup=False)
        buttons = [StateRadioButton(t(f"webconfig.serverless.{who}"), value=self.pending == who, id=f"serverless-{who}")
                   for who in SENDERS]
        yield FormRow(t("field.sender"), RadioSet(*buttons, id="serverless-sender", compact=True),
                      name="serverless_sender")
        yield Static(t("webconfig.serverless.user_note"), id="serverless-user-note", markup=False)
        yield Button(t("key.ok"), id="serverless-ok", variant="primary")
        yield Static("", id="serverless-result", markup=False)

    def _show(self) -> None:
        applied = panel_app(self).printer.settings.serverless_sender
        self.query_one("#serverless-pending").set_class(self.pending != applied, "-shown")
        self.query_one("#serverless-user-note").display = self.pending == "user"

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.pending = SENDERS[event.index]
        self._show()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "serverless-ok":
            return
        event.stop()
        printer = panel_app(self).printer
        printer.update(dataclasses.replace(printer.settings, serverless_sender=self.pending))
        self._base = self.pending
        self.query_one("#serverless-result", Static).update(panel_app(self).t("webconfig.applied"))
        self.app.notify(panel_app(self).t("webconfig.applied"))
        self._show()
