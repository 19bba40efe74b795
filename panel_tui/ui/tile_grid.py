"""Home's tiles as one widget: drawn like the panel's buttons, fitted to the width without
breaking a word (fewer tiles per row, then a list), moved with the arrows, tapped with the mouse.

One widget instead of a Grid of Buttons: the first frame has fewer widgets to style and lay
out, and a tile shows no press effect (nothing repaints after the screen has changed).
"""
from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from panel_tui.ui.cursor_mark import cursor_mark
from panel_tui.ui.glyphs import glyph


def centered(text: str, width: int, style: Style, marks: tuple[str, str] = (" ", " ")) -> list[Segment]:
    """`text` centred in `width` cells as a Button draws a line (a space either side, `line-pad`,
    or the focus `marks` in those cells); the blank sides carry only the colours."""
    plain = Style(bgcolor=style.bgcolor)
    if not text:
        return [Segment(" " * width, plain)]
    text = f"{marks[0]}{text}{marks[1]}"
    left = (width - cell_len(text)) // 2
    right = width - cell_len(text) - left
    segments = [Segment(" " * left, plain), Segment(text, style), Segment(" " * right, plain)]
    return [segment for segment in segments if segment.text]

MAX_COLUMNS = 4
GUTTER = 1  # blank cells between tiles, across and down
PADDING = 1  # blank cells inside a tile, left and right


@dataclass(frozen=True)
class TileSpec:
    node_id: str
    icon: str
    label: str


def wrap_words(text: str, width: int) -> list[str] | None:
    """`text` in lines of at most `width` cells, broken only between words (None if a word is longer)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if cell_len(word) > width:
            return None
        if not line:
            line = word
        elif cell_len(line) + 1 + cell_len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


@dataclass(frozen=True)
class TileLayout:
    """Where each tile goes for a given width: `columns` tiles per row, or one line each (`columns == 0`).

    A row is as tall as its tallest tile: an edge above and below the icon and the label's lines.
    """

    columns: int
    widths: tuple[int, ...] = ()  # each column's width
    heights: tuple[int, ...] = ()  # each row's height
    lines: tuple[tuple[str, ...], ...] = ()  # each tile's content lines (icon, label words)

    @property
    def is_list(self) -> bool:
        return self.columns == 0

    def total_height(self, count: int) -> int:
        if self.is_list:
            return count
        return sum(self.heights) + GUTTER * (len(self.heights) - 1)

    def row_at(self, y: int) -> tuple[int, int] | None:
        """(row, line within the row) of line `y`, or None for a gutter or below the tiles."""
        top = 0
        for row, height in enumerate(self.heights):
            if top <= y < top + height:
                return row, y - top
            top += height + GUTTER
        return None

    def tile_at(self, x: int, y: int, count: int) -> int | None:
        """The index of the tile under cell (x, y), or None (a gutter or nothing)."""
        if self.is_list:
            return y if 0 <= y < count else None
        found = self.row_at(y)
        if found is None:
            return None
        left = 0
        for column, width in enumerate(self.widths):
            if left <= x < left + width:
                index = found[0] * self.columns + column
                return index if index < count else None
            left += width + GUTTER
        return None


def column_widths(width: int, columns: int) -> tuple[int, ...]:
    """`columns` equal widths (some one cell wider when it does not divide) with gutters between."""
    room = width - GUTTER * (columns - 1)
    # as Textual shares `1fr` columns: cumulative edges rounded down
    edges = [room * column // columns for column in range(columns + 1)]
    return tuple(right - left for left, right in zip(edges, edges[1:], strict=False))


def fit_tiles(tiles: list[TileSpec], width: int, max_height: int | None = None) -> TileLayout:
    """The most tiles per row (up to MAX_COLUMNS) in which no label breaks inside a word, and
    that fits `max_height` lines when given; else a list, one tile a line."""
    for columns in range(min(MAX_COLUMNS, len(tiles)), 1, -1):
        widths = column_widths(width, columns)
        inner = min(widths) - 2 * PADDING
        if inner < 1:
            continue
        wrapped = [wrap_words(tile.label, inner) for tile in tiles]
        if any(words is None for words in wrapped):
            continue
        lines = tuple(((tile.icon,) if tile.icon else ()) + tuple(words or ())
                      for tile, words in zip(tiles, wrapped, strict=True))
        heights = tuple(max(len(tile_lines) for tile_lines in lines[start:start + columns]) + 2
                        for start in range(0, len(tiles), columns))
        layout = TileLayout(columns, widths, heights, lines)
        if max_height is None or layout.total_height(len(tiles)) <= max_height:
            return layout
        break  # fewer tiles a row would only be taller
    return TileLayout(0)


class TileGrid(Widget, can_focus=True):
    """The Home tiles; posts `TileGrid.Selected` when one is chosen (Enter, Space or a tap)."""

    DEFAULT_CSS = """
    TileGrid { height: auto; }
    TileGrid > .tile-grid--tile { background: $surface; color: $foreground; text-style: bold; }
    TileGrid > .tile-grid--cursor {
        background: $accent; background-tint: $foreground 5%; color: $text; text-style: bold;
    }
    TileGrid > .tile-grid--top { color: $surface-lighten-1; }
    TileGrid > .tile-grid--bottom { color: $surface-darken-1; }
    """
    COMPONENT_CLASSES = {"tile-grid--tile", "tile-grid--cursor", "tile-grid--top", "tile-grid--bottom"}
    BINDINGS = [
        Binding("left", "move(-1)", "Left", show=False),
        Binding("right", "move(1)", "Right", show=False),
        Binding("up", "move_row(-1)", "Up", show=False),
        Binding("down", "move_row(1)", "Down", show=False),
        Binding("enter,space", "select", "Select", show=False),
    ]

    cursor: reactive[int] = reactive(0)

    class Selected(Message):
        """A tile was chosen."""

        def __init__(self, grid: TileGrid, index: int, node_id: str) -> None:
            super().__init__()
            self.grid = grid
            self.index = index
            self.node_id = node_id

        @property
        def control(self) -> TileGrid:
            return self.grid

    def __init__(self, tiles: list[TileSpec], *, cursor: int = 0, max_height: int | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.tiles = list(tiles)
        self.set_reactive(TileGrid.cursor, max(0, min(cursor, len(self.tiles) - 1)))
        self.max_height = max_height
        self._fitted: tuple[int, int | None, TileLayout] | None = None

    # -- layout ------------------------------------------------------------------------
    def set_tiles(self, tiles: list[TileSpec]) -> None:
        """New labels (a language switch): drawn again, the cursor kept."""
        self.tiles = list(tiles)
        self._fitted = None
        self.refresh(layout=True)

    def set_max_height(self, max_height: int | None) -> None:
        if max_height != self.max_height:
            self.max_height = max_height
            self._fitted = None
            self.refresh(layout=True)

    def tile_layout(self, width: int | None = None) -> TileLayout:
        """The layout last fitted (by `get_content_height`) for `width`, or one fitted now."""
        width = self.size.width if width is None else width
        cached = self._fitted
        if cached is None or cached[0] != width or (self.max_height is not None and cached[1] != self.max_height):
            cached = (width, self.max_height, fit_tiles(self.tiles, width, self.max_height))
            self._fitted = cached
        return cached[2]

    def _room_below_siblings(self, container: Size) -> int:
        """Lines of the container left for the tiles: what the widgets above take (fixed heights) is gone."""
        used = self.styles.margin.top + self.styles.margin.bottom
        for sibling in self.parent.children if self.parent is not None else ():
            if sibling is self:
                break
            if not sibling.display:
                continue
            height = sibling.styles.height
            used += int(height.value) if height is not None and height.is_cells else sibling.outer_size.height
            used += sibling.styles.margin.top + sibling.styles.margin.bottom
        return container.height - used

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.max_height is None and container.height:
            # No taller than the room under the title: fewer rows or a list rather than tiles cut off.
            room = self._room_below_siblings(container)
            if self._fitted is None or self._fitted[1] != room or self._fitted[0] != width:
                self._fitted = (width, room, fit_tiles(self.tiles, width, room))
            return self._fitted[2].total_height(len(self.tiles))
        return self.tile_layout(width).total_height(len(self.tiles))

    # -- drawing -------------------------------------------------------------------------
    def _styles(self, current: bool) -> tuple[Style, Style, Style]:
        body = self.get_component_rich_style("tile-grid--cursor" if current else "tile-grid--tile")
        top = self.get_component_rich_style("tile-grid--top")
        bottom = self.get_component_rich_style("tile-grid--bottom")
        return (body, Style(color=top.color, bgcolor=body.bgcolor), Style(color=bottom.color, bgcolor=body.bgcolor))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        layout = self.tile_layout(width)
        blank = Style(bgcolor=self.rich_style.bgcolor)  # as the padding around it is drawn
        count = len(self.tiles)
        show_cursor = self.has_focus
        if layout.is_list:
            if y >= count:
                return Strip.blank(width, blank)
            tile = self.tiles[y]
            current = show_cursor and y == self.cursor
            body, _, _ = self._styles(current)
            mark = cursor_mark(current)  # the cursor shows without colour too
            text = f"{mark}{tile.icon} {tile.label} " if tile.icon else f"{mark}{tile.label} "
            plain = Style(color=body.color, bgcolor=body.bgcolor)
            return Strip([Segment(text, body), Segment(" " * max(0, width - cell_len(text)), plain)],
                         width).crop(0, width)
        found = layout.row_at(y)
        if found is None:
            return Strip.blank(width, blank)
        row, within = found
        height = layout.heights[row]
        # One top line for the row's icons and labels (the tallest label centred): an icon never
        # sits lower than its neighbours' because its label is shorter ("Setări" beside "Stare operație").
        in_row = range(row * layout.columns, min(count, (row + 1) * layout.columns))
        tallest = max((len(layout.lines[i]) for i in in_row), default=0)
        segments: list[Segment] = []
        for column, cell_width in enumerate(layout.widths):
            if column:
                segments.append(Segment(" " * GUTTER, blank))
            index = row * layout.columns + column
            if index >= count:
                segments.append(Segment(" " * cell_width, blank))
                continue
            current = show_cursor and index == self.cursor
            body, top, bottom = self._styles(current)
            if within == 0:
                segments.append(Segment("▔" * cell_width, top))
            elif within == height - 1:
                segments.append(Segment("▁" * cell_width, bottom))
            else:
                lines = layout.lines[index]
                first = (height - 2 - tallest) // 2
                line_index = within - 1 - first
                text = lines[line_index] if 0 <= line_index < len(lines) else ""
                # The cursor shows without colour too: ▸ label ◂ in the cells padding the first label line.
                marked = current and line_index == (1 if self.tiles[index].icon else 0)
                marks = (glyph("focus_left"), glyph("focus_right")) if marked else (" ", " ")
                segments.extend(centered(text, cell_width, body, marks))
        used = sum(layout.widths) + GUTTER * (len(layout.widths) - 1)
        if used < width:
            segments.append(Segment(" " * (width - used), blank))
        return Strip(segments, width)

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- keys and taps ---------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        target = self.cursor + delta
        if 0 <= target < len(self.tiles):
            self.cursor = target

    def action_move_row(self, rows: int) -> None:
        layout = self.tile_layout()
        self.action_move(rows * (1 if layout.is_list else layout.columns))

    def action_select(self) -> None:
        if 0 <= self.cursor < len(self.tiles):
            self.post_message(self.Selected(self, self.cursor, self.tiles[self.cursor].node_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        index = None if offset is None else self.tile_layout().tile_at(offset.x, offset.y, len(self.tiles))
        if index is not None:
            event.stop()
            self.cursor = index
            self.post_message(self.Selected(self, index, self.tiles[index].node_id))

    def tile_offset(self, node_id: str) -> tuple[int, int]:
        """A cell inside the tile of `node_id` (for tests that tap it)."""
        layout = self.tile_layout()
        index = next(i for i, tile in enumerate(self.tiles) if tile.node_id == node_id)
        if layout.is_list:
            return 1, index
        row, column = divmod(index, layout.columns)
        x = sum(layout.widths[:column]) + GUTTER * column + layout.widths[column] // 2
        return x, sum(layout.heights[:row]) + GUTTER * row + layout.heights[row] // 2
