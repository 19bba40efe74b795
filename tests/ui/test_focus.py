"""Keyboard focus is visible without colour, and a state is never shown by colour alone.

The screen is read as plain characters (every colour dropped): the focused control must
change what is drawn, not only its shade, so focus shows on a projector and in 16 colours.
"""
from __future__ import annotations

import pytest
from textual.widgets import Button, Input, RadioSet, Select

from panel_tui.ui import glyphs
from panel_tui.ui.webconfig.catalog import basic_pending
from panel_tui.ui.webconfig.tab_bar import WebTabBar


def screen_text(app) -> list[str]:
    """What the terminal shows, characters only (no colour, no attributes)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def region_text(app, widget) -> str:
    region = widget.region.grow((0, 1, 0, 1)) if widget.region.x else widget.region
    lines = screen_text(app)
    return "\n".join(lines[y][region.x:region.right] for y in range(region.y, region.bottom))


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_webconfig_focus_shows_without_colour(make_app, lang):
    app = make_app(lang)
    async with app.run_test(size=(100, 40)) as pilot:
        await basic_pending(pilot)
        screen = pilot.app.screen
        controls = [w for w in screen.query("*") if w.focusable and w.region.area
                    and isinstance(w, (Input, Select, RadioSet, Button, WebTabBar))]
        kinds = {type(w).__name__ for w in controls}
        assert {"Input", "Select", "RadioSet", "Button", "LinkButton", "WebTabBar"} <= kinds, kinds
        assert any(w.id == "email_server-ok" for w in controls)
        for widget in controls:
            other = next(w for w in controls if w is not widget and w.region.y != widget.region.y)
            other.focus()
            await pilot.pause()
            blurred = region_text(pilot.app, widget)
            widget.focus()
            await pilot.pause()
            focused = region_text(pilot.app, widget)
            assert focused != blurred, f"focus on {widget!r} changes only colours:\n{focused}"


async def test_radio_state_is_a_glyph(make_app):
    app = make_app("en")
    async with app.run_test(size=(100, 40)) as pilot:
        await basic_pending(pilot)
        radios = pilot.app.screen.query_one("#email_server-cert_validation", RadioSet)
        text = region_text(pilot.app, radios)
        on, off = glyphs.glyph("radio_on"), glyphs.glyph("radio_off")
        assert on in text and off in text, text
