"""Keyboard focus is visible without colour, and a state is never shown by colour alone.

The screen is read as plain characters (every colour dropped): the focused control must
change what is drawn, not only its shade, so focus shows on a projector and in 16 colours.
"""
from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Input, ListView, OptionList, RadioSet, Select

from panel_tui.ui import glyphs
from panel_tui.ui.catalog import RECIPES, _with_jobs
from panel_tui.ui.inbox import InboxScreen
from panel_tui.ui.screen_recipe import screens_loaded
from panel_tui.ui.webconfig.catalog import basic_pending
from panel_tui.ui.webconfig.tab_bar import WebTabBar
from tests.helpers.panel import open_trainer
from tests.helpers.screen import region_text, screen_lines

# The marks of app.tcss and ui/cursor_mark.py: a compact control's (or a scrolling view's) left edge
# becomes a half block (Textual's `outer` border); a full-size field or button gets a heavy frame;
# lists, tables, tiles and Web Config's tabs put the focus glyph beside the row or label.
EDGE_BAR, HEAVY_FRAME = "\u258c", "\u2503"


def focus_mark(widget) -> str:
    """The character that shows `widget` has the focus, whatever the colours."""
    if isinstance(widget, (WebTabBar, ListView, OptionList, DataTable)) or widget.id == "tiles":
        return glyphs.glyph("focus_left")
    if widget.has_class("-textual-compact") or widget.id == "wc-page" or not isinstance(widget, (Input, Button)):
        return EDGE_BAR
    return HEAVY_FRAME


def assert_marked(widget, blurred: str, focused: str) -> None:
    mark = focus_mark(widget)
    assert focused.count(mark) > blurred.count(mark), \
        f"focus on {widget!r} is not marked with {mark!r}:\n{focused}\n--- without focus:\n{blurred}"


async def blurred_and_focused(pilot, widget, away) -> tuple[str, str]:
    """What `widget` shows while `away` has focus, then while it has focus itself."""
    away.focus()
    await pilot.pause()
    blurred = region_text(pilot.app, widget)
    widget.focus()
    await pilot.pause()
    return blurred, region_text(pilot.app, widget)


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_webconfig_focus_shows_without_colour(make_app, lang):
    app = make_app(lang)
    # Tall enough for the whole OAuth2 form: every control is read where it is drawn, unscrolled.
    async with app.run_test(size=(100, 50)) as pilot:
        await basic_pending(pilot)
        screen = pilot.app.screen
        controls = [w for w in screen.query("*") if w.focusable and w.region.area
                    and isinstance(w, (Input, Select, RadioSet, Button, WebTabBar))]
        kinds = {type(w).__name__ for w in controls}
        assert {"Input", "MarkedSelect", "RadioSet", "Button", "LinkButton", "WebTabBar"} <= kinds, kinds
        assert any(w.id == "email_server-ok" for w in controls)
        for widget in controls:
            other = next(w for w in controls if w is not widget and w.region.y != widget.region.y)
            blurred, focused = await blurred_and_focused(pilot, widget, other)
            assert_marked(widget, blurred, focused)


async def test_radio_state_is_a_glyph(make_app):
    app = make_app("en")
    async with app.run_test(size=(100, 40)) as pilot:
        await basic_pending(pilot)
        radios = pilot.app.screen.query_one("#email_server-cert_validation", RadioSet)
        text = region_text(pilot.app, radios)
        on, off = glyphs.glyph("radio_on"), glyphs.glyph("radio_off")
        assert on in text and off in text, text


# -- lists, tables and tiles: the cursor and the focus are drawn, not only coloured ----------

async def _open_menu(pilot) -> str:
    pilot.app.open_node("settings")
    await pilot.pause()
    return "#menu-list"


async def _open_choice(pilot) -> str:
    for node in ("settings", "general_settings", "basic_settings", "language"):
        pilot.app.open_node(node)
        await pilot.pause()
    return "#choice-list"


async def _open_jobs(pilot) -> str:
    _with_jobs(pilot.app)
    pilot.app.open_node("job_status")
    await screens_loaded(pilot)
    return "#jobs-table"


async def _show_inbox(pilot):
    """The Inbox with two mailboxes and two messages (given to the screen: no simulator needed)."""
    pilot.app.push_screen(InboxScreen())
    await pilot.pause()
    screen = pilot.app.screen
    await pilot.app.workers.wait_for_complete()
    message = {"date": "Sat, 14 Mar 2026 09:26:00 +0000", "from": "printer@contoso.onmicrosoft.com",
               "subject": "Scan", "attachments": []}
    screen._boxes = {"alex@contoso.onmicrosoft.com": [message, dict(message, subject="Scan 2")],
                     "megan@contoso.onmicrosoft.com": [message]}
    screen._show_boxes()
    await pilot.pause()
    return screen


async def _open_mailboxes(pilot) -> str:
    await _show_inbox(pilot)
    return "#mailboxes"


async def _open_messages(pilot) -> str:
    screen = await _show_inbox(pilot)
    screen.query_one("#messages").focus()
    await pilot.pause()
    return "#messages"


async def _open_home(pilot) -> str:
    return "#tiles"


CURSOR_WIDGETS = {
    "menu": (_open_menu, "down"), "choice": (_open_choice, "down"), "job_status": (_open_jobs, "down"),
    "inbox_mailboxes": (_open_mailboxes, "down"), "inbox_messages": (_open_messages, "down"),
    "home_tiles": (_open_home, "right"),
}


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("case", sorted(CURSOR_WIDGETS))
async def test_list_cursor_and_focus_show_without_colour(make_app, case, lang, size):
    """Menus, choice lists, Job Status, the Inbox's panes and Home's tiles: the row (or tile)
    under the cursor is marked, and the mark goes when the list loses focus."""
    opener, move = CURSOR_WIDGETS[case]
    app = make_app(lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        selector = await opener(pilot)
        widget = pilot.app.screen.query_one(selector)
        widget.focus()
        await pilot.pause()
        first = region_text(pilot.app, widget)
        if isinstance(widget, ListView) and widget.index == len(widget) - 1:
            move = "up"  # the current language is the last choice
        await pilot.press(move)
        await pilot.pause()
        second = region_text(pilot.app, widget)
        assert second != first, f"the cursor of {case} moves only colours:\n{first}"
        pilot.app.screen.set_focus(None)
        await pilot.pause()
        blurred = region_text(pilot.app, widget)
        assert blurred != second, f"focus on {case} changes only colours:\n{second}"
        assert_marked(widget, blurred, second)


async def test_inbox_cursor_is_on_the_listed_mailbox(make_app):
    """The focused mailbox list shows its cursor on the mailbox whose messages are listed."""
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _show_inbox(pilot)
        view = screen.query_one("#mailboxes", ListView)
        assert view.has_focus
        assert view.index == 0 and view.highlighted_child.address == screen._selected
        assert glyphs.glyph("focus_left") in region_text(pilot.app, view)


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_webconfig_menu_and_page_focus_show_without_colour(make_app, lang):
    """Web Config's side menu and its scrolling page are Tab stops too: focus on them is drawn."""
    app = make_app(lang)
    async with app.run_test(size=(100, 40)) as pilot:
        await basic_pending(pilot)
        screen = pilot.app.screen
        for selector in ("#wc-nav", "#wc-page"):
            widget = screen.query_one(selector)
            blurred, focused = await blurred_and_focused(pilot, widget, screen.query_one("#email_server-ok"))
            assert_marked(widget, blurred, focused)


async def test_trainer_lists_show_cursor_and_focus_without_colour(make_e2e_app):
    """The trainer's controls and scenarios: the highlighted line is marked in the focused list."""
    app = make_e2e_app("en")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_trainer(app, pilot)
        controls, scenarios = screen.query_one("#trainer-controls"), screen.query_one("#trainer-scenarios")
        assert screen.focused is controls
        before = region_text(app, controls)
        await pilot.press("down")
        await pilot.pause()
        assert region_text(app, controls) != before, before
        on_controls = region_text(app, controls), region_text(app, scenarios)
        await pilot.press("tab")
        await pilot.pause()
        assert screen.focused is scenarios
        on_scenarios = region_text(app, controls), region_text(app, scenarios)
        mark = glyphs.glyph("focus_left")  # the focused list's row carries it (a label may too: counted)
        assert on_scenarios[0].count(mark) < on_controls[0].count(mark), on_scenarios
        assert on_scenarios[1].count(mark) > on_controls[1].count(mark), on_scenarios


async def test_cursor_marks_fall_back_to_ascii(make_app, monkeypatch):
    """On an ASCII terminal the marks of tables, lists and tiles are ">" (and "<"), never ▸ ◂."""
    monkeypatch.setenv("PANEL_TUI_GLYPHS", "ascii")
    app = make_app("en")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            seen = [region_text(pilot.app, pilot.app.screen.query_one("#tiles"))]
            selector = await _open_jobs(pilot)
            table = pilot.app.screen.query_one(selector)
            seen.append(region_text(pilot.app, table))
            await basic_pending(pilot)
            nav = pilot.app.screen.query_one("#wc-nav")
            nav.focus()
            await pilot.pause()
            seen.append(region_text(pilot.app, nav))
        for text in seen:
            assert ">" in text and not {"▸", "◂"} & set(text), text
        assert "<" in seen[0]
    finally:
        glyphs.use(glyphs.UNICODE)


SCROLL_VIEWS = {"wired_lan_status": "#status-rows", "job_detail_361": "#job-detail", "help": "#help-body",
                "status_sheet": "#paper-tray"}


@pytest.mark.parametrize("recipe", sorted(SCROLL_VIEWS))
async def test_scroll_views_show_focus_without_colour(make_app, recipe):
    """Status rows, a job's detail, Help and the printed sheet are Tab stops that arrows scroll:
    focused, their left edge is a bar (a glyph), and nothing inside moves when it comes."""
    app = make_app("en")
    async with app.run_test(size=(80, 24)) as pilot:
        await next(r for r in RECIPES if r.name == recipe).run(pilot)
        view = pilot.app.screen.query_one(SCROLL_VIEWS[recipe])
        view.focus()
        await pilot.pause()

        def seen() -> list[str]:
            lines = screen_lines(pilot.app)
            return [lines[y][view.region.x:view.region.right] for y in range(view.region.y, view.region.bottom)]

        focused = seen()
        pilot.app.screen.set_focus(None)
        await pilot.pause()
        blurred = seen()
        assert_marked(view, "\n".join(blurred), "\n".join(focused))
        assert [line[1:] for line in focused] == [line[1:] for line in blurred], \
            f"the text of {recipe} moved when focused:\n{focused}\n---\n{blurred}"
        assert {line[0] for line in blurred} == {" "} and {line[0] for line in focused} == {EDGE_BAR}
        assert view.content_region.x > view.region.x  # the bar has its own cell beside the text
