"""Home: the tiles of the panel's main screen."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Button, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.frame import PanelScreen

COLUMNS = 4


class Tile(Button):
    """One Home tile; remembers the menu node it opens."""

    def __init__(self, node_id: str, label: str, icon: str) -> None:
        super().__init__(f"{icon}\n{label}" if icon else label, id=f"tile-{node_id}", classes="tile")
        self.node_id = node_id


class HomeScreen(PanelScreen):
    """The panel's main screen; arrows move between tiles, Enter opens one."""

    BINDINGS = [
        ("left", "move(-1)", "Left"),
        ("right", "move(1)", "Right"),
        ("up", f"move(-{COLUMNS})", "Up"),
        ("down", f"move({COLUMNS})", "Down"),
    ]

    def __init__(self) -> None:
        super().__init__(name="home")
        self._focused_index = 0

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t("menu.home")]

    def hints(self):
        return (("←↑↓→", "key.move"), ("Enter", "key.select"), ("?", "key.help"))

    def compose_body(self) -> ComposeResult:
        tree = panel_app(self).menu_tree
        with Grid(id="tiles"):
            for node_id in tree.tiles:
                node = tree[node_id]
                yield Tile(node.id, panel_app(self).t(node.label), node.icon)
        yield Static(self._hint(), id="home-hint")

    def _hint(self) -> str:
        app = panel_app(self)
        return app.t("screen.home_hint", ip=app.printer.settings.ip_address)

    def on_mount(self) -> None:
        panel_app(self).settings_changed_signal.subscribe(self, self._settings_changed)

    def _settings_changed(self, _settings: object) -> None:
        self.query_one("#home-hint", Static).update(self._hint())

    def focus_default(self) -> None:
        self._focus_tile(self._focused_index)

    def _tiles(self) -> list[Tile]:
        return list(self.query(Tile))

    def _focus_tile(self, index: int) -> None:
        if not self.is_attached:
            return
        tiles = self._tiles()
        if tiles:
            self._focused_index = max(0, min(index, len(tiles) - 1))
            tiles[self._focused_index].focus()

    def action_move(self, delta: int) -> None:
        tiles = self._tiles()
        current = next((i for i, tile in enumerate(tiles) if tile.has_focus), self._focused_index)
        target = current + delta
        if 0 <= target < len(tiles):
            self._focus_tile(target)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, Tile):
            event.stop()
            self._focused_index = self._tiles().index(event.button)
            panel_app(self).open_node(event.button.node_id)

