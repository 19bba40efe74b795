"""The Help key: what the keys do and what the lock icon means."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen


class HelpScreen(PanelScreen):
    FOCUS = "#help-body"

    def __init__(self) -> None:
        super().__init__(name="help")

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("screen.help.title")]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.close"))

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(panel_app(self).t("screen.help.body"), markup=False)
            yield Static(panel_app(self).t("app.webconfig_address", ip=panel_app(self).printer.settings.ip_address))
