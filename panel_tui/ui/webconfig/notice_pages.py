"""Pages that only say something: a page outside the emulation, and the administrator gate."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Button, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.webconfig.form_rows import PageSection


class InertPage(PageSection):
    """A page of the real Web Config that this emulator does not reproduce."""

    def compose(self) -> ComposeResult:
        yield Static(panel_app(self).t("screen.not_emulated_title"), id="inert-title", markup=False)
        yield Static(panel_app(self).t("webconfig.inert_body"), id="inert-body", markup=False)


class LoginRequiredPage(PageSection):
    """Lock Setting is on and nobody is logged in: settings pages ask for the administrator."""

    def compose(self) -> ComposeResult:
        yield Static(f"🔒 {panel_app(self).t('webconfig.login_required')}", markup=False)
        yield Button(panel_app(self).t("webconfig.admin_login"), id="page-admin-login", variant="primary",
                     action="screen.admin_login")
