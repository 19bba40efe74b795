"""Modal dialogs drawn over the panel: notices, confirmations and the admin login."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import SCREENS_CSS
from panel_tui.ui.glyphs import glyph, key_cap

# Arrow keys move between a dialog's buttons (Tab does too).
ARROW_BINDINGS = [
    Binding("left,up", "move(-1)", "Previous button", show=False),
    Binding("right,down", "move(1)", "Next button", show=False),
]


class DialogHints(Static):
    """The dialog's own key hints, over the hint bar of the screen behind."""

    def __init__(self, hints: tuple[tuple[str, str], ...]) -> None:
        super().__init__(id="dialog-hint-bar")
        self._hints = hints

    def on_mount(self) -> None:
        t = panel_app(self).t
        parts: list = []
        for cap, key in self._hints:
            parts.extend(((key_cap(cap), "bold"), f" {t(key)}   "))
        self.update(Content.assemble(*parts))


class ButtonDialog(ModalScreen):
    """A dialog whose buttons are reached with the arrow keys."""

    CSS_PATH = SCREENS_CSS

    def action_move(self, step: int) -> None:
        buttons = [b for b in self.query(Button) if b.display and b.focusable]
        if not buttons:
            return
        index = buttons.index(self.focused) if self.focused in buttons else 0
        buttons[(index + step) % len(buttons)].focus()


class NoticeScreen(ButtonDialog):
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
        yield DialogHints((("Enter", "key.ok"), ("Esc", "key.close")))

    def on_mount(self) -> None:
        self.query_one("#ok").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ButtonDialog):
    """A question with Yes / No, reached with the arrow keys or Tab.

    The focused (default) button is No for a destructive action (nothing happens by
    accident: restore defaults, sign out, reset) and Yes for a harmless one (`harmless=True`:
    printing a status sheet), so Enter does what the dialog is for.
    """

    BINDINGS = [("escape", "answer(False)", "No"), *ARROW_BINDINGS]

    def __init__(self, title: str, body: str, yes_key: str = "key.yes", no_key: str = "key.no",
                 *, harmless: bool = False) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_key = yes_key
        self._no_key = no_key
        self.harmless = harmless

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield Static(self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(panel_app(self).t(self._no_key), id="no")
                yield Button(panel_app(self).t(self._yes_key), id="yes",
                             variant="primary" if self.harmless else "warning")
        yield DialogHints((("←→", "key.move"), ("Enter", "key.select"), ("Esc", self._no_key)))

    def on_mount(self) -> None:
        self.query_one("#yes" if self.harmless else "#no").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class AdminLoginScreen(ButtonDialog):
    """Asks for the administrator password; dismisses True once logged in."""

    BINDINGS = [("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        with Vertical(classes="dialog"):
            yield Static(f"{glyph('locked')} {t('screen.admin.login_title')}", classes="dialog-title")
            yield Static(t("screen.admin.login_body"), classes="dialog-body")
            yield Input(password=True, id="admin-password", max_length=64)
            yield Static("", id="login-error", classes="error")
            yield Static(t("screen.admin.login_default_hint"), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.cancel"), id="cancel")
                yield Button(t("key.ok"), id="ok", variant="primary")
        yield DialogHints((("Enter", "key.ok"), ("Tab", "key.move"), ("Esc", "key.cancel")))

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
