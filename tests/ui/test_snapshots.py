"""SVG snapshots of every panel screen (panel_tui.ui.catalog) in English and Romanian.

80x24 for all screens; 120x36 for the main ones. Review changes with
`pytest --snapshot-update` and look at the SVGs before accepting them.
"""
from __future__ import annotations

import pytest

from panel_tui.ui.catalog import RECIPES

LANGS = ("en", "ro")
SMALL = [pytest.param(r, lang, id=f"{r.name}-{lang}") for r in RECIPES for lang in LANGS]
LARGE = [pytest.param(r, lang, id=f"{r.name}-{lang}-120x36") for r in RECIPES if r.main for lang in LANGS]


@pytest.mark.parametrize(("recipe", "lang"), SMALL)
def test_screen_80x24(snap_compare, make_app, recipe, lang):
    assert snap_compare(make_app(lang), terminal_size=(80, 24), run_before=recipe.run)


@pytest.mark.parametrize(("recipe", "lang"), LARGE)
def test_screen_120x36(snap_compare, make_app, recipe, lang):
    assert snap_compare(make_app(lang), terminal_size=(120, 36), run_before=recipe.run)
