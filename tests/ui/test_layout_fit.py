"""Home and the frame fit the terminal: no label broken inside a word, hardware keys as a strip
when the column does not fit, and the one-widget tiles and keys still work with keys and taps."""
from __future__ import annotations

import gc
from datetime import timedelta

import pytest

from panel_tui.ui.hardware_keys import HARDWARE_KEYS, HardwareKeys, needs_strip
from panel_tui.ui.home import HomeScreen
from panel_tui.ui.jobs import JobStatusScreen
from panel_tui.ui.menu_screen import MenuScreen
from panel_tui.ui.tile_grid import TileGrid, TileSpec, fit_tiles, wrap_words
from tests.helpers.screen import region_lines


def assert_words_whole(lines: list[str], labels: list[str]) -> None:
    for label in labels:
        for word in label.split():
            assert any(word in line for line in lines), f"{word!r} of {label!r} is broken or cut:\n" + "\n".join(lines)


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_no_label_is_broken_inside_a_word_with_the_lesson_open(make_app, lang, size):
    app = make_app(lang)
    async with app.run_test(size=size) as pilot:
        await pilot.press("g")  # the guided lesson beside the panel
        await pilot.pause()
        assert app.screen.query("#lesson")
        tree = app.menu_tree
        tiles = app.screen.query_one("#tiles")
        assert_words_whole(region_lines(app, tiles), [app.t(tree[node].label) for node in tree.tiles])
        keys = app.screen.query_one("#hardware-keys")
        assert_words_whole(region_lines(app, keys), [app.t(key[1]) for key in HARDWARE_KEYS])
        # a one-line strip only where the column does not fit
        assert (keys.region.height == 1) == (size == (80, 24))


async def test_the_compact_strip_takes_taps(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        keys = app.screen.query_one(HardwareKeys)
        assert keys.compact and keys.size.height == 1
        await pilot.click(HardwareKeys, offset=keys.key_offset("job_status"))
        assert isinstance(app.screen, JobStatusScreen)
        await pilot.pause()  # the pushed screen composed (on a loaded machine the click returns before)
        await pilot.click(HardwareKeys, offset=app.screen.query_one(HardwareKeys).key_offset("home"))
        assert isinstance(app.screen, HomeScreen)


async def test_tiles_are_one_widget_that_takes_arrows_enter_and_taps(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        grid = app.screen.query_one(TileGrid)
        assert app.screen.focused is grid and len(app.screen.query("Button")) == 0
        await pilot.press("right", "down")  # Fax, then one row down: Job/Status
        assert grid.tiles[grid.cursor].node_id == "job_status"
        await pilot.press("left", "up")  # Settings, then one row up: Scan
        assert grid.tiles[grid.cursor].node_id == "scan"
        await pilot.press("down", "enter")
        assert isinstance(app.screen, MenuScreen) and app.screen.node_id == "settings"
        await pilot.press("escape")
        await pilot.click(TileGrid, offset=grid.tile_offset("fax"))
        assert isinstance(app.screen, MenuScreen) and app.screen.node_id == "fax"


# -- fitting, without an app ------------------------------------------------------------------

LABELS = ["Scan", "Fax", "Print", "Copy", "Settings", "Job/Status", "To My Email", "Supply Status",
          "Stare operație", "Către e-mailul meu", "Stare consumabile"]


def test_wrap_words_never_breaks_a_word():
    assert wrap_words("To My Email", 5) == ["To My", "Email"]
    assert wrap_words("Supply Status", 6) == ["Supply", "Status"]
    assert wrap_words("Settings", 7) is None


@pytest.mark.parametrize("width", range(8, 121, 3))
def test_every_width_gets_whole_words_or_a_list(width):
    tiles = [TileSpec(f"t{i}", "▤", label) for i, label in enumerate(LABELS)]
    layout = fit_tiles(tiles, width, max_height=40)
    if layout.is_list:
        return
    for tile_lines, tile in zip(layout.lines, tiles, strict=True):
        assert " ".join(tile_lines[1:]) == tile.label
        assert all(len(line) + 2 <= min(layout.widths) for line in tile_lines)
    assert layout.total_height(len(tiles)) <= 40


def test_too_little_height_gives_a_list():
    tiles = [TileSpec(f"t{i}", "▤", label) for i, label in enumerate(LABELS[:8])]
    assert not fit_tiles(tiles, 60).is_list
    assert fit_tiles(tiles, 60, max_height=6).is_list


# -- the status bar: repainted only when its text changes, never laid out again ----------------


async def test_the_status_bar_repaints_only_when_its_text_changes(make_app, fixed_clock, monkeypatch):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one("#status-bar")
        calls = []
        real_refresh = bar.refresh

        def counting_refresh(*args, **kwargs):
            calls.append(kwargs)
            return real_refresh(*args, **kwargs)

        monkeypatch.setattr(bar, "refresh", counting_refresh)
        for _ in range(3):  # the once-a-second check, nothing changed
            bar.update_status()
        fixed_clock.advance(timedelta(seconds=20))  # 09:26:20: the clock still reads 09:26
        bar.update_status()
        assert calls == []
        fixed_clock.advance(timedelta(seconds=40))
        bar.update_status()
        assert len(calls) == 1 and not calls[0].get("layout") and not calls[0].get("recompose")
        await pilot.pause()
        assert "09:27" in region_lines(app, bar)[0]
        await pilot.press("down", "enter", "escape")  # a screen resumed: nothing changed on the bar
        assert len(calls) == 1


# -- start-up: garbage collection paused until the first frame ---------------------------------


async def test_collection_paused_for_the_start_resumes_after_the_first_frame(make_app):
    app = make_app()
    gc.disable()  # as `panel-tui` does before building the app
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()


async def test_a_panel_started_with_collection_on_leaves_it_alone(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_keys_become_a_strip_when_the_column_does_not_fit():
    assert not needs_strip(80, 0, 22)  # 80x24: the column beside the screen
    assert needs_strip(80, 34, 22)  # 80x24 with the lesson
    assert not needs_strip(120, 34, 34)  # 120x36 with the lesson
    assert needs_strip(100, 0, 16)  # too low for five keys


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_the_icons_of_a_row_of_tiles_are_on_one_line(make_app, lang, size):
    """Romanian at 80x24: "Setări" (one line) beside "Stare operație" (two): its icon is level with theirs."""
    app = make_app(lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        grid = app.screen.query_one(TileGrid)
        lines = region_lines(app, grid)
        icons = [tile.icon for tile in grid.tiles if tile.icon]
        assert icons
        rows_of = {icon: next(y for y, line in enumerate(lines) if icon in line) for icon in icons}
        layout = grid.tile_layout(grid.size.width)
        for start in range(0, len(grid.tiles), layout.columns):
            row_icons = [t.icon for t in grid.tiles[start:start + layout.columns] if t.icon]
            assert len({rows_of[icon] for icon in row_icons}) == 1, (row_icons, "\n".join(lines))
