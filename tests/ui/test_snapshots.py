"""SVG snapshots of every screen of every catalog (panel_tui.ui.catalog.all_recipes: the
panel, Web Config, and the screens that need the simulator) in English and Romanian.

80x24 for all screens; 120x36 for the main ones. The review gallery (`panel-tui gallery`)
renders the very same list. Review changes with `pytest --snapshot-update` and look at the
SVGs before accepting them.
"""
from __future__ import annotations

import pytest

from tests.helpers.snapshots import LARGE, SMALL


def _app(request, recipe, lang):
    # Screens of real cloud state join the test run's simulator (reset for each test).
    factory = request.getfixturevalue("make_e2e_app" if recipe.needs_sim else "make_app")
    return factory(lang)


@pytest.mark.parametrize(("recipe", "lang"), SMALL)
def test_screen_80x24(snap_compare, request, recipe, lang):
    assert snap_compare(_app(request, recipe, lang), terminal_size=(80, 24), run_before=recipe.run)


@pytest.mark.parametrize(("recipe", "lang"), LARGE)
def test_screen_120x36(snap_compare, request, recipe, lang):
    assert snap_compare(_app(request, recipe, lang), terminal_size=(120, 36), run_before=recipe.run)
