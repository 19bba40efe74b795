"""A DataTable, an OptionList and a Select whose cursor is marked with a glyph while focused (see
`panel_tui.ui.cursor_mark`): Job Status, the Inbox, Web Config's side menu and its lists, the
trainer, the classroom dashboard."""
from __future__ import annotations

from rich.style import Style
from textual.app import ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable, OptionList, Select
from textual.widgets._select import SelectCurrent, SelectOverlay  # Select's own parts (no public name)

from panel_tui.ui.cursor_mark import marked


def _mark_highlighted(options: OptionList, y: int, strip: Strip, over_first_cell: bool) -> Strip:
    """Line `y` of an option list, with the mark if it shows the highlighted option of a focused list."""
    if not options.has_focus or options.highlighted is None:
        return strip
    try:
        index, _ = options._lines[options.scroll_offset.y + y]
    except IndexError:
        return strip
    return marked(strip, over_first_cell=over_first_cell) if index == options.highlighted else strip


class MarkedOptionList(OptionList):
    """An OptionList whose highlighted option starts with the mark while the list has focus:
    before its text, or over its first cell when every option starts with a blank one."""

    def __init__(self, *options, over_first_cell: bool = False, **kwargs) -> None:
        super().__init__(*options, **kwargs)
        self.over_first_cell = over_first_cell

    def render_line(self, y: int) -> Strip:
        return _mark_highlighted(self, y, super().render_line(y), self.over_first_cell)


class MarkedSelectOverlay(SelectOverlay):
    """An open Select's list: its highlighted option starts with the mark, not a colour alone."""

    def render_line(self, y: int) -> Strip:
        # The compact list has no blank first cell: the mark goes before the option's text.
        return _mark_highlighted(self, y, super().render_line(y), over_first_cell=False)


class MarkedSelect(Select):
    """A Select whose open list marks the highlighted option (Web Config's Authentication Method)."""

    def compose(self) -> ComposeResult:
        yield SelectCurrent(self.prompt)
        yield MarkedSelectOverlay(type_to_search=self._type_to_search).data_bind(compact=Select.compact)


class MarkedDataTable(DataTable):
    """A DataTable whose cursor row starts with the mark while the table has focus (row cursor)."""

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        strip = super()._render_line(y, x1, x2, base_style)
        if not (self.has_focus and self.show_cursor and self.cursor_type == "row" and self.row_count):
            return strip
        row = self._get_row_region(self.cursor_row)  # y counts from the table's top, header included
        if not row.y <= y < row.bottom:
            return strip
        return marked(strip, over_first_cell=True)  # the first cell is the cell padding (blank)
