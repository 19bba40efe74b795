"""Read-only status screens: Email Server Status, Wired LAN/Wi-Fi Status, the printed sheet."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Static

from panel_tui.device.status_sheet import SHEET_WIDTH, email_server_status_rows, network_status_rows
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph


class StatusRowsView(VerticalScroll):
    """Label : value rows, values right-aligned, scrollable."""

    def __init__(self, rows, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows = rows

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        for row in self._rows:
            value = t(row.value) if row.value_is_key else row.value
            with Horizontal(classes="status-row"):
                yield Label(t(row.label_key), classes="status-label")
                # markup=False: addresses are text, not Rich markup.
                yield Label(value or glyph("none"), classes="status-value", markup=False)

    def on_resize(self, _event: events.Resize) -> None:
        self.fit_rows()

    def fit_rows(self) -> None:
        """A row whose label and value do not fit on one line shows its value on the next line,
        right-aligned and whole (an address is never broken; a label wraps between words)."""
        width = self.scrollable_content_region.width
        for row in self.query(".status-row").results(Horizontal):
            label = str(row.query_one(".status-label", Label).render())
            value = str(row.query_one(".status-value", Label).render())
            row.set_class(cell_len(label) + 1 + cell_len(value) > width, "-stacked")


class _RowsScreen(PanelScreen):
    FOCUS = "#status-rows"
    node_id = ""

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path(self.node_id)]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.back"))

    def rows(self):
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        yield StatusRowsView(self.rows(), id="status-rows")

    def on_mount(self) -> None:
        panel_app(self).settings_changed_signal.subscribe(self, self.relabel)  # its rows are settings



class EmailServerStatusScreen(_RowsScreen):
    """Settings > General Settings > Network Settings > Network Status > Email Server Status."""

    node_id = "email_server_status"

    def rows(self):
        printer = panel_app(self).printer
        return email_server_status_rows(printer.settings, printer.signin_info())


class WiredLanStatusScreen(_RowsScreen):
    """... > Network Status > Wired LAN/Wi-Fi Status (shows the address Web Config uses)."""

    node_id = "wired_lan_status"

    def rows(self):
        return network_status_rows(panel_app(self).printer.settings)


class StatusSheetScreen(PanelScreen):
    """The printed network status sheet as paper: scrollable, monospaced, secrets redacted."""

    FOCUS = "#paper-tray"

    def __init__(self, text: str, path: Path, layout: Callable[[int], str] | None = None) -> None:
        super().__init__(name="status-sheet")
        self.text = text  # the sheet as printed (the file)
        self.path = path
        self._layout = layout  # the same sheet for another width (the paper view's)

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path("print_status_sheet")]

    def hints(self):
        return (("↑↓", "key.scroll"), ("Esc", "key.close"))

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="paper-tray"):
            yield Static(self.text, id="paper", markup=False)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fit_paper)

    def _fit_paper(self) -> None:
        """Narrower than the printed sheet (80 columns with the lesson open): the rows wrap
        so every value stays on screen, instead of running off the paper's edge."""
        if self._layout is None:
            return
        paper = self.query_one("#paper", Static)
        room = self.query_one("#paper-tray").scrollable_content_region.width - paper.styles.gutter.width
        paper.update(self.text if room >= SHEET_WIDTH else self._layout(max(room, 24)))

