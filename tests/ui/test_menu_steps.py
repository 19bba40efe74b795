"""Menu steps stay quick: screens built ahead in idle time, nothing redrawn that did not change.

These tests count what Textual is asked to do (compose, layout, repaint); they never time it.
`bench/menu_latency.py` measures the latency itself.
"""
from __future__ import annotations

import gc

from panel_tui.ui.hardware_keys import HardwareKeys
from panel_tui.ui.home import HomeScreen
from panel_tui.ui.menu_screen import MenuRow, MenuScreen
from tests.helpers.screen import screen_text
from tests.helpers.textual_internals import rendered_strips


async def test_menu_screens_built_in_idle_time_are_not_composed_on_their_first_visit(make_app, monkeypatch):
    app = make_app()
    app.prebuild_menus = True  # as on a terminal (a Pilot test's headless panel builds them on first use)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.menus_ready.wait()
        await pilot.pause()
        # Built off screen: Home is still the screen, with its stack and focus as they were.
        assert app.screen_stack == [app.screen] and isinstance(app.screen, HomeScreen)  # Home is the base
        assert app.screen.focused is not None and app.screen.focused.id == "tiles"
        built = app.get_screen("menu:server_settings")  # the deepest menu
        assert built.is_running and built.query_one("#menu-list").region.height > 0  # laid out too
        composed: list[str] = []
        compose = MenuScreen.compose

        def counting_compose(screen):
            composed.append(screen.node_id)
            return compose(screen)

        monkeypatch.setattr(MenuScreen, "compose", counting_compose)
        await pilot.press("down", "enter")  # Settings, never visited
        assert isinstance(app.screen, MenuScreen) and app.screen.node_id == "settings"
        await pilot.press("enter")  # General Settings
        assert app.screen.node_id == "general_settings"
        assert composed == []
        assert "Settings > General Settings" in screen_text(app) and "Network Settings" in screen_text(app)
        await pilot.press("escape", "escape")
        assert app.screen_stack == [app.screen] and isinstance(app.screen, HomeScreen)  # Home is the base


async def test_a_headless_panel_leaves_the_menus_to_their_first_visit(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.menus_ready.wait()
        await pilot.pause()
        assert not app.is_screen_installed("menu:settings")
        await pilot.press("down", "enter")
        assert app.screen.node_id == "settings"


async def test_menu_screens_built_ahead_are_frozen_with_the_start_up(make_app):
    app = make_app()
    app.prebuild_menus = True
    gc.disable()  # as `panel-tui` does before building the app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await app.menus_ready.wait()
            await pilot.pause()
            built = app.get_screen("menu:server_settings")
            # Kept for the whole run: full collections do not scan it (Textual's strips are many).
            assert gc.isenabled() and not any(tracked is built for tracked in gc.get_objects())
    finally:
        gc.enable()
        gc.unfreeze()


async def test_menu_screens_built_ahead_have_their_lines_drawn_before_the_first_visit(make_app, monkeypatch):
    app = make_app()
    app.prebuild_menus = True
    async with app.run_test(size=(80, 24)) as pilot:
        await app.menus_ready.wait()
        await pilot.pause()
        drawn_now: list[str] = []
        row_render, keys_line = MenuRow.render, HardwareKeys.render_line
        monkeypatch.setattr(MenuRow, "render", lambda row: drawn_now.append(row.id) or row_render(row))
        monkeypatch.setattr(HardwareKeys, "render_line",
                            lambda keys, y: drawn_now.append(f"keys {y}") or keys_line(keys, y))
        await pilot.press("down", "enter")  # Settings, never visited: its frame from lines kept ahead
        assert app.screen.node_id == "settings"
        assert drawn_now == []
        assert "General Settings" in screen_text(app)


async def test_home_and_a_menu_built_ahead_look_as_without_building_ahead(make_app):
    def styled(app) -> list[list[tuple[str, str]]]:
        return [[(segment.text, str(segment.style)) for segment in strip]
                for strip in rendered_strips(app.screen)]

    async def look(prebuild: bool) -> tuple[list, list]:
        app = make_app()
        app.prebuild_menus = prebuild
        async with app.run_test(size=(80, 24)) as pilot:
            await app.menus_ready.wait()
            await pilot.pause()
            home = styled(app)
            await pilot.press("down", "enter", "enter", "down")  # Settings > General Settings, cursor moved
            await pilot.pause()
            assert app.screen.node_id == "general_settings"
            return home, styled(app)

    assert await look(prebuild=True) == await look(prebuild=False)
