"""Pieces shared by the Web Config pages: the page section base, a labelled form row with its
error line, link buttons."""
from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Label, RadioButton, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.glyphs import glyph


class PageSection(Vertical):
    """A part of a Web Config page; it redraws itself in the panel's language when that changes.

    Subclasses keep their pending edits in attributes that `compose` reads, and put the
    rest of their state back on screen in `show_state` (after mounting and after a redraw).
    """

    @on(events.Mount)
    def _follow_language(self) -> None:
        panel_app(self).language_changed_signal.subscribe(self, self._relabel)

    async def _relabel(self, _language: str) -> None:
        await self.recompose()
        await self.show_state()

    async def show_state(self) -> None:
        """Put what `compose` does not draw back on screen (errors, visibility, lists)."""


class FormRow(Horizontal):
    """`Label : control`, with the control's rule shown under it when the value breaks it."""

    DEFAULT_CSS = """
    FormRow { height: auto; }
    FormRow > .wc-label { width: 24; padding-right: 1; }
    FormRow > .wc-control { width: 1fr; height: auto; }
    FormRow .wc-error { color: $error; text-style: bold; display: none; }
    FormRow .wc-error.-shown { display: block; }
    """

    def __init__(self, label: str, *controls: Widget, name: str = "", id: str | None = None) -> None:
        super().__init__(id=id, name=name)
        self._label_text = label
        self._control_widgets = controls

    def compose(self) -> ComposeResult:
        yield Label(self._label_text, classes="wc-label", markup=False)
        with Vertical(classes="wc-control"):
            yield from self._control_widgets
            yield Static("", classes="wc-error", markup=False)

    def set_label(self, text: str) -> None:
        self.query_one(".wc-label", Label).update(text)

    def show_error(self, text: str | None) -> None:
        """Show `text` under the control (None or "" hides it)."""
        error = self.query_one(".wc-error", Static)
        error.update(text or "")
        error.set_class(bool(text), "-shown")

    @property
    def error_text(self) -> str:
        error = self.query_one(".wc-error", Static)
        return str(error.content) if error.has_class("-shown") else ""


class LinkButton(Button):
    """A hyperlink on the page: underlined text, no button face; Enter or a click follows it."""

    DEFAULT_CSS = """
    LinkButton.-textual-compact, LinkButton.-textual-compact:hover {
        border: none; height: 1; min-width: 0; width: auto; padding: 0 1 0 0; margin-right: 2;
        background: transparent; color: $text-accent; text-style: underline;
    }
    LinkButton.-textual-compact:focus { background: $accent 30%; color: $text; text-style: bold underline; }
    """

    def __init__(self, label: str, *, id: str | None = None, action: str | None = None) -> None:
        super().__init__(label, id=id, compact=True, action=action)


class StateRadioButton(RadioButton):
    """A radio button whose state is a glyph (● chosen, ○ not), not only a colour."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble((glyph("radio_on" if self.value else "radio_off"), style))
