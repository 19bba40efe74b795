"""Confirmation dialogs: arrows move between the buttons, the hint bar describes the dialog,
Enter does the harmless action and cancels the destructive one."""
from __future__ import annotations

from panel_tui.ui.catalog import NETWORK_PATH, SETTINGS_PATH
from panel_tui.ui.dialogs import ConfirmScreen
from tests.helpers.screen import screen_text

SHEET = NETWORK_PATH + ("network_status", "print_status_sheet")
RESTORE = SETTINGS_PATH + ("system_administration", "restore_defaults")


async def _open(pilot, path) -> None:
    for node_id in path:
        pilot.app.open_node(node_id)
        await pilot.pause()
    assert isinstance(pilot.app.screen, ConfirmScreen)


async def test_print_status_sheet_defaults_to_print(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, SHEET)
        assert pilot.app.screen.focused.id == "yes"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmScreen)
        assert "sheet" in type(pilot.app.screen).__name__.lower()


async def test_arrows_move_between_buttons(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, SHEET)
        await pilot.press("left")
        assert pilot.app.screen.focused.id == "no"
        await pilot.press("right")
        assert pilot.app.screen.focused.id == "yes"
        await pilot.press("left", "enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmScreen)
        assert "sheet" not in type(pilot.app.screen).__name__.lower()


async def test_restore_defaults_defaults_to_cancel(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, RESTORE)
        assert pilot.app.screen.focused.id == "no"
        await pilot.press("right")
        assert pilot.app.screen.focused.id == "yes"


async def test_hint_bar_describes_the_dialog(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, SHEET)
        last_line = screen_text(pilot.app).splitlines()[-1]
        assert "←→" in last_line and "Move" in last_line and "Esc Cancel" in last_line, last_line
        assert "↑↓" not in last_line, last_line
