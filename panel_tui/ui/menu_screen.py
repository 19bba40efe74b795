"""A list menu from the menu tree: breadcrumb title, items with right-aligned values."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ListItem, ListView, Static

from panel_tui.menus import MenuNode
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.setting_binding import SETTING_BINDINGS

LOCK = "🔒"


class MenuRow(ListItem):
    """One menu item: label on the left, its current value on the right."""

    def __init__(self, node: MenuNode, label: str, value: str, locked: bool) -> None:
        super().__init__(id=f"item-{node.id}", classes="menu-row")
        self.node = node
        self._label = label
        self._value = value
        self._locked = locked

    def compose(self) -> ComposeResult:
        with Horizontal(classes="menu-row-inner"):
            yield Label(LOCK if self._locked else " ", classes="menu-lock")
            yield Label(self._label, classes="menu-label")
            yield Label(self._value, classes="menu-value")
            arrow = "›" if self.node.kind in ("submenu", "choice", "text", "screen") else " "
            yield Label(arrow, classes="menu-arrow")


def node_value(app, node: MenuNode) -> str:
    """The value shown beside an item, as on the real panel (empty for submenus)."""
    if node.setting and node.setting in SETTING_BINDINGS:
        return SETTING_BINDINGS[node.setting].display(app)
    return ""


class MenuScreen(PanelScreen):
    """Any submenu node of the tree."""

    FOCUS = "#menu-list"

    def __init__(self, node_id: str) -> None:
        super().__init__(name=f"menu:{node_id}")
        self.node_id = node_id
        self._index = 0

    def breadcrumb(self) -> list[str]:
        return [self.app.t(n.label) for n in self.app.menu_tree.path(self.node_id)]

    def compose_body(self) -> ComposeResult:
        app = self.app
        children = app.menu_tree.children(self.node_id)
        if not children:
            yield Static(app.t("screen.menu_empty"))
            return
        rows = [
            MenuRow(child, app.t(child.label), node_value(app, child), app.is_locked(child))
            for child in children
        ]
        yield ListView(*rows, id="menu-list", initial_index=min(self._index, len(rows) - 1))

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, MenuRow):
            self._index = event.index
            self.app.open_node(event.item.node.id)

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.index is not None:
            self._index = event.list_view.index

    def on_screen_resume(self) -> None:
        # Values may have changed in a child screen; redraw them.
        self.relabel()

