"""Before `--scenario NAME` wipes a profile that has work in it: the trainer confirms it."""
from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static


class WipeConfirmApp(App[bool]):
    """A one-question app run before the panel: True only when "Wipe and start" is chosen."""

    DEFAULT_CSS = """
    WipeConfirmApp { align: center middle; }
    #wipe-dialog { width: 70; max-width: 100%; height: auto; border: heavy $warning; padding: 1 2; }
    #wipe-title { text-style: bold; margin-bottom: 1; }
    #wipe-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #wipe-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, t: Callable[..., str], scenario: str, said: str) -> None:
        super().__init__()
        self._t = t
        self._scenario = scenario
        self._said = said

    def compose(self) -> ComposeResult:
        t = self._t
        with Vertical(id="wipe-dialog"):
            yield Static(t("scenario.start.confirm_title", scenario=self._scenario), id="wipe-title")
            yield Static(self._said, id="wipe-body")
            with Horizontal(id="wipe-buttons"):
                # Cancel first and focused: wiping a trainer's work is never the default.
                yield Button(t("scenario.start.confirm_cancel"), id="cancel")
                yield Button(t("scenario.start.confirm_wipe"), id="wipe", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.exit(event.button.id == "wipe")

    def action_answer(self, answer: bool) -> None:
        self.exit(answer)
