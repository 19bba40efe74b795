"""The row of Web Config tabs; it wraps onto a second line when the terminal is narrow."""
from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.webconfig.site_map import WebTab

_GAP = 1  # columns between two tabs


class WebTabBar(Widget, can_focus=True):
    """All tabs stay visible (a browser page does not scroll its tabs away); ← → and clicks choose."""

    DEFAULT_CSS = """
    WebTabBar { height: auto; background: $primary-darken-2; color: $text; }
    WebTabBar:focus { background-tint: $foreground 5%; }
    """
    BINDINGS = [
        Binding("left", "move(-1)", "Previous tab", show=False),
        Binding("right", "move(1)", "Next tab", show=False),
    ]

    active: reactive[str] = reactive("", layout=True)

    class Activated(Message):
        """A tab was chosen by key or click."""

        def __init__(self, tab_id: str) -> None:
            super().__init__()
            self.tab_id = tab_id

    def __init__(self, tabs: tuple[WebTab, ...], active: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tabs = tabs
        self.set_reactive(WebTabBar.active, active)

    def _labels(self) -> list[tuple[str, str]]:
        return [(tab.id, f" {panel_app(self).t(tab.label_key)} ") for tab in self.tabs]

    def _layout(self, width: int) -> list[list[tuple[str, str, int]]]:
        """Lines of (tab id, label, start column), wrapped to `width`."""
        lines: list[list[tuple[str, str, int]]] = [[]]
        column = 0
        for tab_id, label in self._labels():
            if lines[-1] and column + len(label) > width:
                lines.append([])
                column = 0
            lines[-1].append((tab_id, label, column))
            column += len(label) + _GAP
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._layout(max(1, width)))

    def render(self) -> Content:
        rows = []
        for line in self._layout(max(1, self.size.width)):
            parts: list = []
            for index, (tab_id, label, _start) in enumerate(line):
                if index:
                    parts.append(" " * _GAP)
                style = "bold reverse" if tab_id == self.active else ""
                if tab_id == self.active and self.has_focus:
                    # Focus is a marker around the active tab, not only a shade.
                    style += " underline"
                    label = f"{glyph('focus_left')}{label[1:-1]}{glyph('focus_right')}"
                parts.append((label, style) if style else label)
            rows.append(Content.assemble(*parts))
        return Content("\n").join(rows)

    def on_click(self, event: Click) -> None:
        lines = self._layout(max(1, self.size.width))
        if 0 <= event.y < len(lines):
            for tab_id, label, start in lines[event.y]:
                if start <= event.x < start + len(label):
                    self._choose(tab_id)
                    return

    def action_move(self, step: int) -> None:
        ids = [tab.id for tab in self.tabs]
        index = ids.index(self.active) if self.active in ids else 0
        self._choose(ids[(index + step) % len(ids)])

    def _choose(self, tab_id: str) -> None:
        self.active = tab_id
        self.post_message(self.Activated(tab_id))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
