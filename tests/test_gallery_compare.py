"""`panel-tui gallery --compare OLD`: what changed between two galleries, cell by cell, and
progress while rendering.

Three screens only (home, settings, help: 8 pictures) are rendered, once with the shipped
locales and once with one menu label changed in English and Romanian.
"""
from __future__ import annotations

import argparse
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from panel_tui import gallery, gallery_compare
from panel_tui.datafiles import data_dir

# Under pytest-xdist the module stays on one worker, so its module fixture renders once.
pytestmark = pytest.mark.xdist_group("gallery_compare")
SCREENS = ["home", "settings", "help"]


def _args(out: Path, **extra) -> argparse.Namespace:
    values = dict(out=out, only=list(SCREENS), jobs=2, lang=None, compare=None, fail_on_change=False, locales=None)
    values.update(extra)
    return argparse.Namespace(**values)


@pytest.fixture(scope="module")
def old_gallery(tmp_path_factory):
    out = tmp_path_factory.mktemp("old")
    gallery.render_gallery(out, names=SCREENS, jobs=2)
    return out


@pytest.fixture(scope="module")
def edited_locales(tmp_path_factory):
    """The shipped locales with the label "Supply Settings" (on the Settings screen) reworded."""
    folder = tmp_path_factory.mktemp("locales")
    for lang, old, new in (("en", 'supply_settings = "Supply Settings"', 'supply_settings = "Supply Options"'),
                           ("ro", "supply_settings = ", None)):
        text = (data_dir("locales") / f"{lang}.toml").read_text(encoding="utf-8")
        if new is None:  # Romanian: whatever the wording, append a word
            text = re.sub(r'^(supply_settings = ".*)"$', r'\1 (nou)"', text, count=1, flags=re.M)
        else:
            assert old in text
            text = text.replace(old, new, 1)
        (folder / f"{lang}.toml").write_text(text, encoding="utf-8")
    return folder


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.by_class: dict[str, list[str]] = {}
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "section":
            self.by_class.setdefault(attrs.get("class", ""), []).append(attrs["id"])
        if tag == "img":
            self.images.append(attrs["src"])


def test_one_changed_locale_string_lists_exactly_that_screen_in_both_languages(
        old_gallery, edited_locales, tmp_path, capsys):
    new = tmp_path / "new"
    code = gallery.command(_args(new, compare=old_gallery, locales=edited_locales, fail_on_change=True))
    out, err = capsys.readouterr()
    assert code == 1  # --fail-on-change: something changed
    assert "~ settings-en-80x24.svg" in out and "~ settings-ro-80x24.svg" in out
    assert "0 added, 0 removed, 6 unchanged" in out
    assert str((new / "index.html").resolve()) in out
    assert "[8/8]" in err  # progress lines (not a terminal)

    page = (new / "index.html").read_text(encoding="utf-8")
    sections = _Sections()
    sections.feed(page)
    assert sections.by_class == {"changed": ["settings-en-80x24", "settings-ro-80x24"]}
    # before and after side by side, from the gallery's own folder
    assert sections.images == [f"compare/settings-{lang}-80x24.{side}.svg"
                               for lang in ("en", "ro") for side in ("before", "after")]
    for src in sections.images:
        assert (new / src).exists()
    assert page.index("Changed (2)") < page.index("Added (0)") < page.index("Removed (0)") < page.index("Unchanged: 6")
    assert "Supply Settings" in page and "Supply Options" in page  # the changed line, before and after
    assert (new / gallery_compare.ALL_SCREENS).exists()  # the whole gallery is still there

    # the outlined cells are the label's, on its line only
    after = (new / "compare" / "settings-en-80x24.after.svg").read_text(encoding="utf-8")
    marks = re.findall(r'<rect class="changed" x="([\d.]+)" y="([\d.]+)"', after)
    assert marks and len({y for _, y in marks}) == 1
    grid = gallery_compare.cell_grid(after, (80, 24))
    row = round((float(marks[0][1]) - 1.5) / gallery_compare.LINE_HEIGHT)
    assert "Supply Options" in gallery_compare.grid_text(grid, row)


def test_without_fail_on_change_it_exits_0(old_gallery, edited_locales, tmp_path, capsys):
    new = tmp_path / "new"
    assert gallery.command(_args(new, compare=old_gallery, locales=edited_locales, only=["settings"], jobs=1)) == 0
    assert "2 changed" in capsys.readouterr().out


def test_an_identical_gallery_has_nothing_changed(old_gallery, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(old_gallery, copy)
    # another SVG id for the same cells is no change
    svg = copy / "home-en-80x24.svg"
    svg.write_text(re.sub(r"terminal-(\d+)-", "terminal-42-", svg.read_text(encoding="utf-8")), encoding="utf-8")
    files = sorted(p.name for p in copy.glob("*.svg"))
    comparison = gallery_compare.compare_dirs(old_gallery, copy, files)
    assert not comparison.any_change and len(comparison.unchanged) == 8


def test_added_and_removed_pictures(old_gallery, tmp_path):
    new = tmp_path / "new"
    new.mkdir()
    shutil.copy(old_gallery / "home-en-80x24.svg", new / "home-en-80x24.svg")
    shutil.copy(old_gallery / "home-en-80x24.svg", new / "brand_new-en-80x24.svg")
    comparison = gallery_compare.compare_dirs(old_gallery, new, ["home-en-80x24.svg", "brand_new-en-80x24.svg"])
    assert comparison.added == ["brand_new-en-80x24.svg"]
    assert "help-ro-80x24.svg" in comparison.removed and len(comparison.removed) == 7
    assert comparison.any_change
    # limited to some screens (--only), only their pictures can have been removed
    limited = gallery_compare.compare_dirs(old_gallery, new, ["home-en-80x24.svg"], names=["home"])
    assert limited.removed == ["home-en-120x36.svg", "home-ro-120x36.svg", "home-ro-80x24.svg"]


def test_compare_refuses_a_missing_folder(tmp_path, capsys):
    code = gallery.command(_args(tmp_path / "new", compare=tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in capsys.readouterr().err
    assert gallery.command(_args(tmp_path / "new", fail_on_change=True)) == 2


def test_progress_is_a_bar_on_a_terminal_and_lines_otherwise():
    shot = gallery.Shot("home", "en", (80, 24))
    stream = io.StringIO()
    bar = gallery.Progress(stream, tty=True)
    bar(1, 4, shot)
    bar(4, 4, shot)
    bar.close()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "######" in text and "4/4 home-en-80x24.svg" in text
    stream = io.StringIO()
    lines = gallery.Progress(stream, tty=False)
    lines(1, 2, shot)
    lines.close()
    assert stream.getvalue() == "[1/2] home-en-80x24.svg\n"


def test_the_page_escapes_what_it_shows():
    change = gallery_compare.Change('<img src=x onerror="y()">-en-80x24.svg', [(0, 0)], [(0, "<b>", "&")])
    page = gallery_compare.compare_html(gallery_compare.Comparison([change], [], [], []), "<old>", lambda k, **p: k)
    assert "<img src=x" not in page and "<b>" not in page and "<old>" not in page
