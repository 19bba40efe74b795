"""Modal dialogs drawn over the panel: notices, confirmations and the admin login."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from panel_tui.ui.app_base import panel_app


class NoticeScreen(ModalScreen[None]):
    """A message with one OK button."""

    BINDINGS = [("escape", "close", "Close"), ("enter", "close", "Close")]

    def __init__(self, title: str, body: str, *, classes: str = "") -> None:
        super().__init__(classes=classes)
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(panel_app(self).t("key.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A question with Yes / No (No is focused: nothing happens by accident)."""

    BINDINGS = [("escape", "answer(False)", "No")]

    def __init__(self, title: str, body: str, yes_key: str = "key.yes", no_key: str = "key.no") -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_key = yes_key
        self._no_key = no_key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(panel_app(self).t(self._no_key), id="no")
                yield Button(panel_app(self).t(self._yes_key), id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class AdminLoginScreen(ModalScreen[bool]):
    """Asks for the administrator password; dismisses True once logged in."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        with Vertical(classes="dialog"):
            yield Static(f"🔒 {t('screen.admin.login_title')}", classes="dialog-title")
            yield Static(t("screen.admin.login_body"), classes="dialog-body")
            yield Input(password=True, id="admin-password", max_length=64)
            yield Static("", id="login-error", classes="error")
            yield Static(t("screen.admin.login_default_hint"), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.cancel"), id="cancel")
                yield Button(t("key.ok"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#admin-password", Input).focus()

    def _try_login(self) -> None:
        field = self.query_one("#admin-password", Input)
        if panel_app(self).printer.admin.login(field.value):
            self.app.notify(panel_app(self).t("screen.admin.logged_in"))
            self.dismiss(True)
        else:
            field.value = ""
            self.query_one("#login-error", Static).update(panel_app(self).t("screen.admin.wrong_password"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._try_login()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._try_login()
        else:
            self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
