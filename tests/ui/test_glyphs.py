"""The app's own glyphs fall back to ASCII on a terminal that cannot draw them."""
from __future__ import annotations

import pytest
from textual.widgets import RadioSet

from panel_tui.ui import glyphs
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
