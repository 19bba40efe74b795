"""The cursor of a focused list, table or tile grid is marked with a glyph, not only a colour,
so it shows on a projector, in 16 colours and without colour at all (▸, or > on ASCII terminals).

The mark takes a cell the row already leaves blank (a table's cell padding, a list row's
leading space) where there is one: nothing else moves when the cursor or the focus does.
"""
from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import DataTable, ListItem, ListView, OptionList

from panel_tui.ui.glyphs import glyph


def cursor_mark(marked: bool) -> str:
    """The mark before the row under a focused cursor, or as many blank cells."""
    mark = glyph("focus_left")
    return mark if marked else " " * cell_len(mark)


def row_is_marked(item: ListItem) -> bool:
    """Whether a list row is under the cursor of a focused list."""
    return item.highlighted and isinstance(item.parent, ListView) and item.parent.has_focus


def _marked(strip: Strip, *, over_first_cell: bool) -> Strip:
    """`strip` with the mark at its start: over its first cell (a blank one), or before its text."""
    mark = glyph("focus_left")
    width = strip.cell_length
    if not width:
        return strip
    first = next(iter(strip))
    rest = strip.crop(cell_len(mark), width) if over_first_cell else strip.crop(0, width - cell_len(mark))
    return Strip([Segment(mark, first.style), *rest], width)


class MarkedOptionList(OptionList):
    """An OptionList whose highlighted option starts with the mark while the list has focus:
    before its text, or over its first cell when every option starts with a blank one."""

    def __init__(self, *options, over_first_cell: bool = False, **kwargs) -> None:
        super().__init__(*options, **kwargs)
        self.over_first_cell = over_first_cell

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self.has_focus or self.highlighted is None:
            return strip
        try:
            index, _ = self._lines[self.scroll_offset.y + y]
        except IndexError:
            return strip
        return _marked(strip, over_first_cell=self.over_first_cell) if index == self.highlighted else strip


class MarkedDataTable(DataTable):
    """A DataTable whose cursor row starts with the mark while the table has focus (row cursor)."""

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        strip = super()._render_line(y, x1, x2, base_style)
        if not (self.has_focus and self.show_cursor and self.cursor_type == "row" and self.row_count):
            return strip
        row = self._get_row_region(self.cursor_row)  # y counts from the table's top, header included
        if not row.y <= y < row.bottom:
            return strip
        return _marked(strip, over_first_cell=True)  # the first cell is the cell padding (blank)
