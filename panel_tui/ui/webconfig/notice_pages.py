"""Pages that only say something: a page outside the emulation, and the administrator gate."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static


class InertPage(Vertical):
    """A page of the real Web Config that this emulator does not reproduce."""

    DEFAULT_CSS = """
    InertPage { height: auto; }
    InertPage #inert-title { text-style: bold; margin-bottom: 1; }
    InertPage #inert-body { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self.app.t("screen.not_emulated_title"), id="inert-title", markup=False)
        yield Static(self.app.t("webconfig.inert_body"), id="inert-body", markup=False)


class LoginRequiredPage(Vertical):
    """Lock Setting is on and nobody is logged in: settings pages ask for the administrator."""

    DEFAULT_CSS = """
    LoginRequiredPage { height: auto; }
    LoginRequiredPage Static { margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(f"🔒 {self.app.t('webconfig.login_required')}", markup=False)
        yield Button(self.app.t("webconfig.admin_login"), id="page-admin-login", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.screen.action_admin_login()
