"""System Administration > Admin Password: change it (a separate step from Lock Setting)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from panel_tui.device.admin import check_admin_password, set_admin_password
from panel_tui.device.validation import FieldError
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen


class ChangeAdminPasswordScreen(PanelScreen):
    """Current password, new password, confirmation; Epson's 8-20 single-byte rule."""

    FOCUS = "#pw-current"

    def __init__(self) -> None:
        super().__init__(name="admin-password")
        self._error: tuple[str, dict] | None = None

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path("admin_password")]

    def hints(self):
        return (("Tab", "key.move"), ("Enter", "key.ok"), ("Esc", "key.cancel"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        yield Label(t("screen.admin.current_password"), classes="edit-label")
        yield Input(password=True, id="pw-current", max_length=64)
        yield Label(t("screen.admin.new_password"), classes="edit-label")
        yield Input(password=True, id="pw-new", max_length=64)
        yield Label(t("screen.admin.confirm_password"), classes="edit-label")
        yield Input(password=True, id="pw-confirm", max_length=64)
        message = t(self._error[0], **self._error[1]) if self._error else ""
        yield Static(message, id="edit-error", classes="error")
        yield Static(t("screen.admin.change_rule"), classes="edit-hint")

    def _fail(self, key: str, **params) -> None:
        self._error = (key, params)
        self.query_one("#edit-error", Static).update(panel_app(self).t(key, **params))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id != "pw-confirm":
            self.focus_next()
            return
        current = self.query_one("#pw-current", Input).value
        new = self.query_one("#pw-new", Input).value
        confirm = self.query_one("#pw-confirm", Input).value
        printer = panel_app(self).printer
        if not check_admin_password(printer.settings, current):
            self._fail("screen.admin.wrong_password")
            return
        if new != confirm:
            self._fail("screen.admin.mismatch")
            return
        try:
            printer.update(set_admin_password(printer.settings, new))
        except FieldError as error:
            self._fail(error.key, **error.params)
            return
        self.app.notify(panel_app(self).t("screen.admin.changed"))
        self.app.pop_screen()
