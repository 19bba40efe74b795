"""Every screen of every catalog at 80x24 with the guided lesson open, in every language: no value,
label or button is cut or broken inside a word (the lesson narrows the panel; rows wrap between
words, a value that does not fit beside its label goes under it)."""
from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Button, Static

from panel_tui.ui.catalog import LANGS, all_recipes

SHOTS = [pytest.param(recipe, lang, id=f"{recipe.name}-{lang}") for recipe in all_recipes() for lang in LANGS]


def cut_words(app) -> list[str]:
    """Words of the text widgets on screen that the user cannot read whole where the widget is."""
    compositor = app.screen._compositor
    strips = compositor.render_strips()
    problems: list[str] = []
    texts = []
    for widget, geometry in compositor.full_map.items():
        if isinstance(widget, (Static, Button)):
            region = _cut_in_widget(widget, geometry, strips, problems)
            if region is not None:
                texts.append((widget.id or type(widget).__name__, region))
    return problems + _run_together(texts, strips)


def _cut_in_widget(widget, geometry, strips, problems: list[str]):
    """Add the widget's cut words to `problems`; its region if the whole text is in view, else None."""
    text = str(widget.render()) if isinstance(widget, Button) else str(widget.visual)
    region, clip = geometry.region, geometry.clip
    if not text.strip() or region.area == 0:
        return None
    visible = region.intersection(clip)
    name = widget.id or type(widget).__name__
    if visible.width < region.width:
        problems.append(f"{name}: {text[:60]!r} runs past the edge of its view")
        return None
    if visible.height < region.height:
        return None  # partly scrolled out of view: the rest is a scroll away
    shown = "\n".join(strip.crop(region.x, region.right).text for strip in strips[region.y:region.bottom])
    room = clip.width - widget.styles.gutter.width  # what the widget could have had
    for word in text.split():
        if cell_len(word) <= room and word not in shown:
            problems.append(f"{name}: {word!r} of {text!r} is cut or broken:\n{shown}")
    return region


def _run_together(texts, strips) -> list[str]:
    """Two texts side by side with no blank between them read as one ("Link Speed & Duplex1000BASE-T")."""
    problems = []
    for left_name, left in texts:
        for right_name, right in texts:
            if left.right != right.x:
                continue
            for y in range(max(left.y, right.y), min(left.bottom, right.bottom)):
                line = strips[y].text
                if len(line[left.right - 1:left.right + 1].strip()) == 2:
                    problems.append(f"{left_name} and {right_name} run together: {line.strip()!r}")
    return problems


@pytest.mark.parametrize(("recipe", "lang"), SHOTS)
async def test_nothing_is_cut_at_80x24_with_the_lesson_open(request, recipe, lang):
    app = request.getfixturevalue("make_e2e_app" if recipe.needs_sim else "make_app")(lang)
    app.lesson_visible = True
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await recipe.run(pilot)
        await pilot.pause()
        problems = cut_words(app)
        assert not problems, "\n".join(problems)
