"""The cursor of a focused list, table or tile grid is marked with a glyph, not only a colour,
so it shows on a projector, in 16 colours and without colour at all (▸, or > on ASCII terminals).

Home's tiles need only `cursor_mark`: the marked table and option list, which load Textual's
DataTable and OptionList, are in `panel_tui.ui.marked_widgets` (not on Home's start-up path).
The mark takes a cell the row already leaves blank (a table's cell padding, a list row's
leading space) where there is one: nothing else moves when the cursor or the focus does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.segment import Segment
from textual.strip import Strip

from panel_tui.ui.glyphs import glyph

if TYPE_CHECKING:  # pragma: no cover
    from textual.widgets import ListItem


def cursor_mark(marked: bool) -> str:
    """The mark before the row under a focused cursor, or as many blank cells."""
    mark = glyph("focus_left")
    return mark if marked else " " * cell_len(mark)


def row_is_marked(item: ListItem) -> bool:
    """Whether a list row is under the cursor of a focused list."""
    from textual.widgets import ListView  # loaded by then: only lists have rows to mark

    return item.highlighted and isinstance(item.parent, ListView) and item.parent.has_focus


def marked(strip: Strip, *, over_first_cell: bool) -> Strip:
    """`strip` with the mark at its start: over its first cell (a blank one), or before its text."""
    mark = glyph("focus_left")
    width = strip.cell_length
    if not width:
        return strip
    first = next(iter(strip))
    rest = strip.crop(cell_len(mark), width) if over_first_cell else strip.crop(0, width - cell_len(mark))
    return Strip([Segment(mark, first.style), *rest], width)
