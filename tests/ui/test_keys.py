"""Global letter keys vs text fields: upper case works, F-keys work inside a text field, focus
leaves the address field after a send, and Web Config's ← → reach the tabs from the address bar."""
from __future__ import annotations

from textual.widgets import Input

from panel_tui.ui.webconfig.catalog import basic_pending


async def _open_scan_to_email(pilot) -> None:
    for node in ("scan", "scan_to_email"):
        pilot.app.open_node(node)
        await pilot.pause()


async def test_upper_case_letters_act_like_lower_case(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("J")
        await pilot.pause()
        assert pilot.app.screen.name == "job_status" or "Job" in type(pilot.app.screen).__name__
        await pilot.press("H")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "HomeScreen"


async def test_f_keys_work_inside_a_text_field(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_scan_to_email(pilot)
        assert isinstance(pilot.app.focused, Input)
        await pilot.press("j")  # typed: a letter belongs to the field
        assert pilot.app.focused.value == "j"
        await pilot.press("f3")
        await pilot.pause()
        assert "Job" in type(pilot.app.screen).__name__
        await pilot.press("f2")
        await pilot.pause()
        assert type(pilot.app.screen).__name__ == "HomeScreen"


async def test_focus_leaves_the_address_field_after_a_send(make_app):
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_scan_to_email(pilot)
        await pilot.press(*"bob@contoso.com", "enter")
        for _ in range(50):  # the outcome dialog (here: job not started, no email service)
            await pilot.pause()
            if type(pilot.app.screen).__name__ == "NoticeScreen":
                break
        assert type(pilot.app.screen).__name__ == "NoticeScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(pilot.app.focused, Input)
        await pilot.press("j")
        await pilot.pause()
        assert "Job" in type(pilot.app.screen).__name__


async def test_webconfig_arrows_switch_tabs_from_administrator_login(make_app):
    app = make_app("en")
    async with app.run_test(size=(100, 30)) as pilot:
        await basic_pending(pilot)
        screen = pilot.app.screen
        bar = screen.query_one("#wc-tabs")
        before = bar.active
        screen.query_one("#wc-admin").focus()
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert screen.query_one("#wc-tabs").active != before
