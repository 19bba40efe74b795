"""Editing one setting: a choice list or a text field with its validation rule."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Label, ListItem, ListView, Static

from panel_tui.device.validation import FieldError
from panel_tui.menus import MenuNode
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.cursor_mark import cursor_mark, row_is_marked
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.setting_binding import SETTING_BINDINGS


class ChoiceRow(ListItem):
    def __init__(self, value: str, label: str, current: bool) -> None:
        super().__init__(classes="menu-row choice-row")
        self.value = value
        self._label = label
        self._current = current

    def render(self) -> Content:
        radio = glyph("radio_on") if self._current else glyph("radio_off")
        return Content(f"{radio} {cursor_mark(row_is_marked(self))}{self._label}")


class ChoiceScreen(PanelScreen):
    """Pick one value; the current one is marked. Enter applies it and goes back."""

    FOCUS = "#choice-list"

    def __init__(self, node: MenuNode) -> None:
        super().__init__(name=f"choice:{node.id}")
        self.node = node
        self.binding = SETTING_BINDINGS[str(node.setting)]

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path(self.node.id)]

    def compose_body(self) -> ComposeResult:
        current = self.binding.current(panel_app(self))
        options = self.binding.choices(panel_app(self))
        rows = [ChoiceRow(value, label, value == current) for value, label in options]
        index = next((i for i, (value, _) in enumerate(options) if value == current), 0)
        yield ListView(*rows, id="choice-list", initial_index=index)
        yield Static("", id="edit-error", classes="error")

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        if not isinstance(event.item, ChoiceRow):
            return
        try:
            self.binding.change(panel_app(self), event.item.value)
        except FieldError as error:
            self.query_one("#edit-error", Static).update(
                panel_app(self).t("screen.text_refused", reason=panel_app(self).t(error.key, **error.params))
            )
            return
        if self.app.screen is self:
            self.app.pop_screen()



class TextEditScreen(PanelScreen):
    """Type a value; Enter validates with Epson's rule and saves, Esc cancels."""

    FOCUS = "#edit-input"

    def __init__(self, node: MenuNode) -> None:
        super().__init__(name=f"text:{node.id}")
        self.node = node
        self.binding = SETTING_BINDINGS[str(node.setting)]
        self._draft: str | None = None
        self._error = ""

    def breadcrumb(self) -> list[str]:
        return [panel_app(self).t(n.label) for n in panel_app(self).menu_tree.path(self.node.id)]

    def hints(self):
        return (("Enter", "key.ok"), ("Esc", "key.cancel"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        secret = self.binding.secret or self.node.secret
        value = self._draft if self._draft is not None else ("" if secret else self.binding.current(panel_app(self)))
        yield Label(t(self.node.label), classes="edit-label")
        yield Input(value=value, password=secret, id="edit-input")
        yield Static(self._error, id="edit-error", classes="error")
        if secret:
            yield Static(t("screen.secret_hint"), classes="edit-hint")
        if self.binding.rule_key:
            yield Static(t(self.binding.rule_key), classes="edit-hint")
        yield Static(t("screen.text_hint"), classes="edit-hint")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._draft = event.value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            self.binding.change(panel_app(self), event.value)
        except FieldError as error:
            self._error = panel_app(self).t("screen.text_refused", reason=panel_app(self).t(error.key, **error.params))
            self.query_one("#edit-error", Static).update(self._error)
            return
        self.app.notify(panel_app(self).t("screen.text_saved", name=panel_app(self).t(self.node.label)))
        if self.app.screen is self:
            self.app.pop_screen()
