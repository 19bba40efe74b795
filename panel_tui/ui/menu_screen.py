"""A list menu from the menu tree: breadcrumb title, items with right-aligned values."""
from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import ListItem, ListView, Static

from panel_tui.menus import MenuNode
from panel_tui.ui.app_base import PanelAppBase, panel_app
from panel_tui.ui.cursor_mark import cursor_mark, row_is_marked
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.setting_binding import SETTING_BINDINGS


class MenuRow(ListItem):
    """One menu item: lock icon, cursor mark, label on the left, current value right-aligned, arrow.

    Drawn by one widget (no child labels) so that menus open quickly.
    """

    def __init__(self, node: MenuNode, label: str, value: str, locked: bool) -> None:
        super().__init__(id=f"item-{node.id}", classes="menu-row")
        self.node = node
        self.label = label
        self.value = value
        self.locked = locked

    def set_value(self, value: str, locked: bool) -> None:
        if (value, locked) != (self.value, self.locked):
            self.value, self.locked = value, locked
            self.refresh()

    def render(self) -> Content:
        width = self.size.width or 60
        lock_glyph = glyph("locked")
        lock = lock_glyph if self.locked else " " * cell_len(lock_glyph)
        arrow = " " + glyph("more") if self.node.kind in ("submenu", "choice", "text", "screen") else "  "
        mark = cursor_mark(row_is_marked(self))  # in the cell between the lock and the label
        room = width - cell_len(lock) - cell_len(mark) - len(arrow)
        label, value = self.label, self.value
        max_value = max(0, min(len(value), room - min(len(label), room // 2) - 1))
        if len(value) > max_value:
            value = value[: max(0, max_value - 1)] + glyph("ellipsis") if max_value else ""
        max_label = room - len(value) - (1 if value else 0)
        if len(label) > max_label:
            label = label[: max(0, max_label - 1)] + glyph("ellipsis")
        gap = " " * max(1, room - len(label) - len(value))
        value_style = "$text-muted" if not self.highlighted else ""
        return Content.assemble(f"{lock}{mark}", label, gap, (value, value_style), arrow)


def node_value(app: PanelAppBase, node: MenuNode) -> str:
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
        app = panel_app(self)
        return [app.t(n.label) for n in app.menu_tree.path(self.node_id)]

    def compose_body(self) -> ComposeResult:
        app = panel_app(self)
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
            panel_app(self).open_node(event.item.node.id)

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.index is not None:
            self._index = event.list_view.index

    def on_mount(self) -> None:
        # The values and lock icons it shows: updated in place (no recompose).
        app = panel_app(self)
        app.settings_changed_signal.subscribe(self, self.show_values)
        app.admin_changed_signal.subscribe(self, self.show_values)

    def on_screen_resume(self) -> None:
        self.show_values()  # the clock's value, and an administrator session that lapsed

    def show_values(self, _change: object = None) -> None:
        app = panel_app(self)
        for row in self.query(MenuRow):
            row.set_value(node_value(app, row.node), app.is_locked(row.node))

