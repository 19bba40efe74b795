"""Home: the tiles of the panel's main screen."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import is_ascii
from panel_tui.ui.tile_grid import TileGrid, TileSpec


class HomeScreen(PanelScreen):
    """The panel's main screen; arrows move between tiles, Enter (or a tap) opens one."""

    CSS_PATH = None  # its rules are in app.tcss: the first frame does not wait for the other screens'
    FOCUS = "#tiles"

    def __init__(self) -> None:
        super().__init__(name="home")
        self._cursor = 0  # the tile last chosen, kept when the screen is redrawn

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("menu.home")]

    def hints(self):
        return (("←↑↓→", "key.move"), ("Enter", "key.select"), ("?", "key.help"))

    def compose_body(self) -> ComposeResult:
        app = panel_app(self)
        tree = app.menu_tree
        icons = not is_ascii()  # the menu file's icons are Unicode: an ASCII terminal shows labels alone
        tiles = [TileSpec(tree[node_id].id, tree[node_id].icon if icons else "", app.t(tree[node_id].label))
                 for node_id in tree.tiles]
        yield TileGrid(tiles, cursor=self._cursor, id="tiles")
        yield Static(self._hint(), id="home-hint")

    def _hint(self) -> str:
        app = panel_app(self)
        return app.t("screen.home_hint", ip=app.printer.settings.ip_address)

    def on_mount(self) -> None:
        panel_app(self).settings_changed_signal.subscribe(self, self._settings_changed)

    def _settings_changed(self, _settings: object) -> None:
        self.query_one("#home-hint", Static).update(self._hint())

    def relabel(self, _change: object = None) -> None:
        for grid in self.query(TileGrid):
            self._cursor = grid.cursor  # the redrawn tiles keep the cursor where it was
        super().relabel(_change)

    def on_tile_grid_selected(self, event: TileGrid.Selected) -> None:
        event.stop()
        self._cursor = event.index
        panel_app(self).open_node(event.node_id)
