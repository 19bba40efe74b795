"""The review gallery: complete (one SVG per screen, language and size of the shared catalog),
deterministic (byte-identical on a second run), the snapshot tests' rendering, and isolated
from the user's profile.

Completeness is checked as data: the gallery's plan is the snapshot tests' matrix, and the
snapshot tests render every screen already. A few screens are rendered here (two worker
processes, one of them with its own simulator); the determinism check renders two of them
again: the status sheet (dates, a file written under the data directory) and a job's detail
(job log times, error code).
"""
from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from panel_tui import gallery
from panel_tui.i18n import LANGUAGES
from panel_tui.ui.catalog import RECIPES, all_recipes

# Under pytest-xdist the module stays on one worker, so its module fixture renders once.
pytestmark = pytest.mark.xdist_group("gallery")
SNAPSHOTS = Path(__file__).parent / "ui" / "__snapshots__" / "test_snapshots"
RERENDERED = ("status_sheet", "job_detail_361")
SIM_SCREEN = "outcome_not_signed_in_360"  # rendered by the worker that runs its own simulator
RENDERED = ("home", *RERENDERED, SIM_SCREEN)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Some screens, rendered with PANEL_TUI_HOME pointing at a folder that must stay empty."""
    user_home = tmp_path_factory.mktemp("users-own-profile")
    out = tmp_path_factory.mktemp("gallery")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANEL_TUI_HOME", str(user_home))
        paths = gallery.render_gallery(out, names=RENDERED, jobs=2,
                                       progress=lambda done, total, shot: REPORTED.append((done, total, shot)))
    return out, paths, user_home


REPORTED: list[tuple[int, int, gallery.Shot]] = []  # the progress calls of the `rendered` fixture


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag == "section":
            self.sections.append(attrs["id"])


def _normalized(svg: str) -> str:
    """Without the per-file id that Rich (and the snapshot plugin) put in CSS class names."""
    return re.sub(r"\bterminal-\d+-", "terminal-", svg)


def test_the_gallery_and_the_snapshot_tests_take_the_same_pictures():
    from tests.helpers.snapshots import LARGE, SMALL

    tested = {(p.values[0].name, p.values[1], (80, 24)) for p in SMALL}
    tested |= {(p.values[0].name, p.values[1], (120, 36)) for p in LARGE}
    planned = {(s.name, s.lang, s.size) for s in gallery.plan()}
    assert planned == tested  # every catalog: the panel's and Web Config's
    assert any(name.startswith("webconfig_") for name, _, _ in tested)
    assert [r.name for r in all_recipes()][:len(RECIPES)] == [r.name for r in RECIPES]


def test_every_catalog_picture_has_its_snapshot_and_no_snapshot_is_left_over():
    """What syrupy's unused-snapshot check does in a serial run, kept under pytest-xdist too."""
    expected = {f"test_screen_80x24[{s.name}-{s.lang}].svg" for s in gallery.plan() if s.size == (80, 24)}
    expected |= {f"test_screen_120x36[{s.name}-{s.lang}-120x36].svg" for s in gallery.plan() if s.size == (120, 36)}
    assert sorted(p.name for p in SNAPSHOTS.glob("*.svg")) == sorted(expected)


def test_the_plan_is_one_picture_per_screen_language_and_size():
    shots = gallery.plan()
    assert {s.name for s in shots} == {r.name for r in all_recipes()}
    assert {s.lang for s in shots} == set(LANGUAGES)
    assert len({s.filename for s in shots}) == len(shots)
    main = {r.name for r in all_recipes() if r.main}
    assert {(s.name, s.lang) for s in shots if s.size == (120, 36)} == {(n, lang) for n in main for lang in LANGUAGES}


def test_one_svg_per_rendered_screen_language_and_size(rendered):
    out, paths, _ = rendered
    shots = [s for s in gallery.plan() if s.name in RENDERED]
    assert {s.name for s in shots} == set(RENDERED)
    assert [p.name for p in paths] == [s.filename for s in shots] + ["index.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    for path in paths[:-1]:
        root = ET.fromstring(path.read_bytes())
        assert root.tag.endswith("svg"), path.name
    # a Romanian picture is really in Romanian
    assert "Setări" in (out / "home-ro-80x24.svg").read_text()
    assert "Settings" in (out / "home-en-80x24.svg").read_text()


def test_index_shows_every_picture_side_by_side():
    shots = gallery.plan()
    text = gallery.index_html(shots)
    links = _Links()
    links.feed(text)
    assert sorted(links.images) == sorted(s.filename for s in shots)
    assert links.sections == [r.name for r in all_recipes()]
    assert "http://" not in text and "https://" not in text  # nothing fetched from elsewhere
    # English and Romanian of a screen sit in the same row
    row = text.split('<section id="home">')[1].split("</div>")[0]
    assert row.index("home-en-80x24.svg") < row.index("home-ro-80x24.svg")


def test_a_second_run_writes_the_same_bytes(rendered, tmp_path):
    out, _, _ = rendered
    again = gallery.render_gallery(tmp_path, names=RERENDERED, jobs=2)
    assert len(again) > len(RERENDERED)
    for path in again[:-1]:
        assert path.read_bytes() == (out / path.name).read_bytes(), path.name
    shots = [s for s in gallery.plan() if s.name in RERENDERED]
    assert gallery.index_html(shots) == gallery.index_html(shots) == again[-1].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["home", *RERENDERED])
def test_it_is_the_snapshot_tests_rendering(rendered, name):
    out, _, _ = rendered
    for lang in LANGUAGES:
        snapshot = SNAPSHOTS / f"test_screen_80x24[{name}-{lang}].svg"
        rendered_svg = (out / f"{name}-{lang}-80x24.svg").read_text()
        assert _normalized(rendered_svg) == _normalized(snapshot.read_text()), (name, lang)


def test_the_users_profile_is_never_touched(rendered):
    """Only the parsed data-file cache, shared by all profiles, may appear in the user's home."""
    from panel_tui.device.paths import data_cache_dir

    _, _, user_home = rendered
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANEL_TUI_HOME", str(user_home))
        shared_cache = data_cache_dir()
    allowed = {shared_cache, *shared_cache.parents}
    assert [p for p in user_home.rglob("*") if p not in allowed and shared_cache not in p.parents] == []


def test_screens_of_real_cloud_state_are_rendered_with_a_simulator(rendered):
    out, _, _ = rendered
    sim_screens = [r.name for r in all_recipes() if r.needs_sim]
    assert {SIM_SCREEN, "trainer_console", "lesson_panel", "inbox"} <= set(sim_screens)
    assert "360" in (out / f"{SIM_SCREEN}-en-80x24.svg").read_text()


def test_index_escapes_what_it_shows():
    text = gallery.index_html([gallery.Shot('<b onclick="x()">&', "en", (80, 24))])
    assert "<b onclick" not in text
    assert "&lt;b onclick=&quot;x()&quot;&gt;&amp;" in text


def test_command_renders_some_screens_with_the_index_in_romanian(tmp_path, capsys):
    args = argparse.Namespace(out=tmp_path / "g", only=["help"], jobs=1, lang="ro")
    assert gallery.command(args) == 0
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["help-en-80x24.svg", "help-ro-80x24.svg", "index.html"]
    assert "Galeria de revizuire" in (tmp_path / "g" / "index.html").read_text(encoding="utf-8")
    assert "2 SVG files" in capsys.readouterr().out


def test_command_names_an_unknown_screen(tmp_path, capsys):
    args = argparse.Namespace(out=tmp_path / "g", only=["no_such_screen"], jobs=1, lang=None)
    assert gallery.command(args) == 1
    assert "no_such_screen" in capsys.readouterr().err


def _orphaned_simulators() -> list[str]:
    """Simulator services of this Python whose home is gone (a temporary home left running)."""
    orphans = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        if args[:3] != [sys.executable, "-m", "panel_tui.sim.service"] or "--data-dir" not in args:
            continue
        data_dir = Path(args[args.index("--data-dir") + 1])
        if not data_dir.parent.exists():
            orphans.append(f"pid {proc.name}: {data_dir}")
    return orphans


def test_rendering_leaves_no_simulator_running(rendered):
    """Every temporary home's simulator is stopped by pid before its folder goes."""
    assert _orphaned_simulators() == []


def test_progress_names_each_picture_once_as_it_is_ready(rendered):
    shots = [s for s in gallery.plan() if s.name in RENDERED]
    assert [done for done, _, _ in REPORTED] == list(range(1, len(shots) + 1))
    assert {total for _, total, _ in REPORTED} == {len(shots)}
    assert sorted(shot.filename for _, _, shot in REPORTED) == sorted(s.filename for s in shots)


def test_batches_keep_one_language_and_size_per_running_app():
    """Each batch is rendered by one app: one language, one size; every picture once; the
    simulator's batches first (they take longest), so the workers share them."""
    shots = gallery.plan()
    needs_sim = {r.name for r in all_recipes() if r.needs_sim}
    batches = gallery.batches(shots)
    assert sorted(s.filename for batch in batches for s in batch) == sorted(s.filename for s in shots)
    for batch in batches:
        assert len({(s.lang, s.size) for s in batch}) == 1
        assert len({s.name in needs_sim for s in batch}) == 1
        assert 0 < len(batch) <= gallery.BATCH_SIZE
    sim_first = [batch[0].name in needs_sim for batch in batches]
    assert sim_first == sorted(sim_first, reverse=True) and sim_first[0]
    # a language's screens at one size are cut into batches of even length
    en_small = [len(b) for b in batches if b[0].lang == "en" and b[0].size == (80, 24) and b[0].name not in needs_sim]
    assert max(en_small) - min(en_small) <= 1 and len(en_small) > 1
