"""The app's own glyphs fall back to ASCII on a terminal that cannot draw them."""
from __future__ import annotations

import pytest
from textual.widgets import RadioSet, Select

from panel_tui.ui import glyphs
from panel_tui.ui.catalog import all_recipes
from panel_tui.ui.webconfig.catalog import basic_pending
from tests.helpers.screen import region_text, screen_text


@pytest.mark.parametrize(("env", "unicode"), [
    ({"LANG": "en_US.UTF-8", "TERM": "xterm-256color"}, True),
    ({"LANG": "C.UTF-8", "TERM": "xterm"}, True),
    ({"LANG": "C", "LC_CTYPE": "C.UTF-8", "TERM": "xterm"}, False),  # Python's locale coercion
    ({"LANG": "POSIX", "TERM": "xterm"}, False),
    ({"LANG": "en_US.ISO-8859-1", "TERM": "xterm"}, False),
    ({"LANG": "en_US.UTF-8", "TERM": "linux"}, False),
    ({"LANG": "en_US.UTF-8", "TERM": "vt100"}, False),
    ({"LANG": "C", "TERM": "xterm", "PANEL_TUI_GLYPHS": "unicode"}, True),
    ({"LANG": "en_US.UTF-8", "TERM": "xterm", "PANEL_TUI_GLYPHS": "ascii"}, False),
])
def test_terminal_choice(env, unicode):
    assert glyphs.unicode_capable(env, encoding="utf-8") is unicode


def test_ascii_table_is_ascii():
    assert glyphs.UNICODE.keys() == glyphs.ASCII.keys()
    assert all(value.isascii() for value in glyphs.ASCII.values())


@pytest.mark.parametrize("mode", ["ascii", "unicode"])
async def test_webconfig_radio_in_both_modes(make_app, monkeypatch, mode):
    monkeypatch.setenv("PANEL_TUI_GLYPHS", mode)
    app = make_app("en")
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await basic_pending(pilot)
            radios = pilot.app.screen.query_one("#email_server-cert_validation", RadioSet)
            text = region_text(pilot.app, radios)
            table = glyphs.ASCII if mode == "ascii" else glyphs.UNICODE
            assert table["radio_on"] in text and table["radio_off"] in text, text
            if mode == "ascii":
                assert text.isascii(), text
    finally:
        glyphs.use(glyphs.UNICODE)


async def test_the_panel_draws_none_of_its_own_unicode_glyphs_on_an_ascii_terminal(make_app, monkeypatch):
    """Status bar, Home tiles, menus with the lock and the guided lesson, under TERM=linux-like terminals."""
    monkeypatch.setenv("PANEL_TUI_GLYPHS", "ascii")
    app = make_app("en")
    app.printer.update(lambda s: s.__class__(**{**s.__dict__, "lock_setting": True}))
    own = (set("".join(glyphs.UNICODE.values())) | set("▤☏▦❐◎≡◫◧")) - set("[]x ")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            home = screen_text(pilot.app)
            assert "[L]" in home and "<>" in home, home  # the lock and the network, in ASCII
            for node in ("settings", "general_settings", "system_administration"):
                app.open_node(node)
                await pilot.pause()
            await pilot.press("g")  # the guided lesson beside the panel
            await pilot.pause()
            menu = screen_text(pilot.app)
            for text in (home, menu):
                assert not own & set(text), sorted(own & set(text))
    finally:
        glyphs.use(glyphs.UNICODE)


FOCUS_AND_MARKS = set("◐◂▸▌▕—█")  # trainer values and user switch, focus bars, pane edges, "none"


@pytest.mark.parametrize("recipe_name", ["trainer_console", "webconfig_focus_ok", "email_server_status",
                                         "job_status", "webconfig_basic_pending"])
async def test_an_ascii_terminal_gets_no_unicode_marks_nor_focus_bars(request, monkeypatch, recipe_name):
    """TERM=linux / vt100 / LANG=C: the trainer console's ◐ ◂ ▸, the focus bars ▌ ▕, the lesson's
    edge and the "none" dash come from the glyph table (ASCII) too."""
    recipe = next(r for r in all_recipes() if r.name == recipe_name)
    monkeypatch.setenv("PANEL_TUI_GLYPHS", "ascii")
    app = request.getfixturevalue("make_e2e_app" if recipe.needs_sim else "make_app")("en")
    app.lesson_visible = not recipe.needs_sim  # the lesson's edge too (beside the panel's screens)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await recipe.run(pilot)
            if recipe_name == "trainer_console":
                pilot.app.screen.query_one("#trainer-controls").focus()
            await pilot.pause()
            text = screen_text(pilot.app)
            assert not FOCUS_AND_MARKS & set(text), (sorted(FOCUS_AND_MARKS & set(text)), text)
    finally:
        glyphs.use(glyphs.UNICODE)


@pytest.mark.parametrize("mode", ["unicode", "ascii"])
async def test_an_open_select_marks_its_highlighted_option_with_a_glyph(make_app, monkeypatch, mode):
    """Authentication Method opened: the highlighted option starts with the focus mark (not colour alone)."""
    monkeypatch.setenv("PANEL_TUI_GLYPHS", mode)
    app = make_app("en")
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await basic_pending(pilot)
            select = pilot.app.screen.query_one("#email_server-auth_method", Select)
            select.focus()
            await pilot.press("enter")  # open the list: OAuth2 (the value) is highlighted
            await pilot.pause()
            mark = glyphs.glyph("focus_left")
            lines = [line for line in screen_text(pilot.app).splitlines() if "OAuth2" in line or "SMTP-AUTH" in line]
            marked_lines = [line for line in lines if f"{mark}OAuth2" in line.replace(" ", "")]
            assert marked_lines, lines
            await pilot.press("up")  # the mark follows the highlight
            await pilot.pause()
            lines = screen_text(pilot.app).splitlines()
            assert not any(f"{mark}OAuth2" in line.replace(" ", "") for line in lines), lines
    finally:
        glyphs.use(glyphs.UNICODE)
