"""The tests' uses of Textual's private API (tests/helpers/textual_internals.py) were checked
against one Textual release; this fails on another, and shows each use still working."""
from __future__ import annotations

from importlib.metadata import version

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from tests.helpers import textual_internals


def test_the_internals_were_checked_against_the_installed_textual():
    installed = version("textual")
    assert installed == textual_internals.CHECKED_AGAINST, (
        f"Textual {installed} is installed; tests/helpers/textual_internals.py was checked against "
        f"{textual_internals.CHECKED_AGAINST}: re-check each private name it uses, then update CHECKED_AGAINST")


class _Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("drawn words", id="words")
        yield Input(id="field")


async def test_rendered_lines_read_what_the_terminal_shows():
    app = _Probe()
    async with app.run_test(size=(30, 5)) as pilot:
        await pilot.pause()
        lines = textual_internals.rendered_lines(app.screen)
        assert len(lines) == 5 and all(len(line) == 30 for line in lines)
        assert lines[0].startswith("drawn words")


async def test_burst_typing_delivers_every_letter_in_order():
    app = _Probe()
    async with app.run_test(size=(30, 5)) as pilot:
        app.query_one("#field", Input).focus()
        await pilot.pause()
        await pilot.press(*"a.b-c@d", "x")
        assert app.query_one("#field", Input).value == "a.b-c@dx"
        assert App._press_keys is textual_internals.press_keys  # the session-wide patch is in place
