"""The Help key: what the keys do and what the lock icon means."""
from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen


def simulator_urls(backend) -> tuple[str, str] | None:
    """(admin center URL, sign-in page URL) of the simulator the backend uses; None in live mode
    or before it is known. Blocking only once (call it from a thread)."""
    endpoints = backend.endpoints() if backend.ready and not backend.options.live else None
    if endpoints is None:
        return None
    data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
    return data["admin_url"], data["verification_uri"]


class HelpScreen(PanelScreen):
    FOCUS = "#help-body"

    def __init__(self) -> None:
        super().__init__(name="help")

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("screen.help.title")]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.close"))

    def compose_body(self) -> ComposeResult:
        app = panel_app(self)
        settings = app.printer.settings
        with VerticalScroll(id="help-body"):
            yield Static(app.t("screen.help.body"), markup=False)
            yield Static(app.t("app.webconfig_address", ip=settings.ip_address))
            # As on the printer's label: the serial number is the administrator password until changed.
            key = "screen.help.serial" if settings.admin_password_hash is None else "screen.help.serial_changed"
            yield Static(app.t(key, serial=settings.serial_number), markup=False, id="help-serial")
            yield Static(id="help-sim")

    def on_mount(self) -> None:
        self._read_urls()

    @work(thread=True, exclusive=True, exit_on_error=False, group="help")
    def _read_urls(self) -> None:
        backend = panel_app(self).backend
        urls = simulator_urls(backend) if backend is not None else None
        if urls is not None:
            text = panel_app(self).t("screen.help.sim_urls", admin=urls[0], signin=urls[1])
            self.app.call_from_thread(self._show_urls, text)

    def _show_urls(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#help-sim", Static).update(Content(text))
