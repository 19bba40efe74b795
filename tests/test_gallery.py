"""The review gallery: complete (one SVG per screen, language and size of the shared catalog),
deterministic (byte-identical on a second run), the snapshot tests' rendering, and isolated
from the user's profile.

The whole gallery is rendered once (two worker processes, each with its own simulator) and
every picture is compared with the snapshot tests' file of that screen, language and size; the
determinism check renders two screens again: the status sheet (dates, a file written under the
data directory) and a job's detail (job log times, error code).
"""
from __future__ import annotations

import argparse
import gc
import multiprocessing
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import textual._wait

from panel_tui import gallery
from panel_tui.datafiles import data_dir
from panel_tui.device.paths import data_cache_dir
from panel_tui.i18n import LANGUAGES
from panel_tui.ui.catalog import RECIPES, all_recipes
from tests.helpers.snapshots import LARGE, SMALL

# Under pytest-xdist the module stays on one worker, so its module fixture renders once.
pytestmark = pytest.mark.xdist_group("gallery")
SNAPSHOTS = Path(__file__).parent / "ui" / "__snapshots__" / "test_snapshots"
RERENDERED = ("status_sheet", "job_detail_361")
SIM_SCREEN = "outcome_not_signed_in_360"  # rendered by a worker with its own simulator


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The whole gallery, rendered with PANEL_TUI_HOME pointing at a folder that must stay empty."""
    user_home = tmp_path_factory.mktemp("users-own-profile")
    out = tmp_path_factory.mktemp("gallery")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANEL_TUI_HOME", str(user_home))
        paths = gallery.render_gallery(out, jobs=2,
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


def test_one_svg_per_screen_language_and_size(rendered):
    out, paths, _ = rendered
    shots = gallery.plan()
    assert [p.name for p in paths] == [s.filename for s in shots] + ["index.html"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)
    for path in paths[:-1]:
        root = ET.fromstring(path.read_bytes())
        assert root.tag.endswith("svg"), path.name
    # a Romanian picture is really in Romanian
    assert "Setări" in (out / "home-ro-80x24.svg").read_text()
    assert "Settings" in (out / "home-en-80x24.svg").read_text()


def test_every_picture_is_the_snapshot_tests_picture(rendered):
    """Each picture, of every screen in every language and size, is the snapshot tests' file of it
    (but for the per-file id in CSS class names): the gallery shows what the tests check."""
    out, _, _ = rendered
    differ = []
    for shot in gallery.plan():
        width, height = shot.size
        snapshot = (SNAPSHOTS / f"test_screen_80x24[{shot.name}-{shot.lang}].svg" if shot.size == (80, 24)
                    else SNAPSHOTS / f"test_screen_{width}x{height}[{shot.name}-{shot.lang}-{width}x{height}].svg")
        if _normalized((out / shot.filename).read_text()) != _normalized(snapshot.read_text()):
            differ.append(shot.filename)
    assert differ == []


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


def test_the_users_profile_is_never_touched(rendered):
    """Only the parsed data-file cache, shared by all profiles, may appear in the user's home."""
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
    written = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert written == ["help-en-80x24.svg", "help-ro-80x24.svg", "index.html"]
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
    shots = gallery.plan()
    assert [done for done, _, _ in REPORTED] == list(range(1, len(shots) + 1))
    assert {total for _, total, _ in REPORTED} == {len(shots)}
    assert sorted(shot.filename for _, _, shot in REPORTED) == sorted(s.filename for s in shots)


def test_work_lists_keep_one_language_and_size_per_running_app():
    """Each list is rendered by one app at a time: one language, one size; every picture once; in
    each list the simulator's pictures first, then the other catalogs', then the panel's (the
    slowest first, so that the last pictures are short); the lists with most work first."""
    shots = gallery.plan()
    recipes = {r.name: r for r in all_recipes()}
    lists = gallery.work_lists(shots)
    assert sorted(p for positions in lists for p in positions) == list(range(len(shots)))
    assert len(lists) == len({(s.lang, s.size) for s in shots})
    for positions in lists:
        assert len({(shots[p].lang, shots[p].size) for p in positions}) == 1
        kind = [0 if recipes[shots[p].name].needs_sim else 2 if recipes[shots[p].name] in RECIPES else 1
                for p in positions]
        assert kind == sorted(kind) and kind[0] == 0 and kind[-1] == 2
    costs = [sum(gallery.picture_cost(shots[p]) for p in positions) for positions in lists]
    assert costs == sorted(costs, reverse=True)


def test_render_settings_are_restored_after_rendering():
    """A render checks for idle more often and collects garbage less often; the process (here the
    test process, whose snapshot tests use Textual's own waits) has its settings back after."""
    wait = textual._wait
    before = wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE, wait.wait_for_idle.__defaults__, gc.get_threshold()
    with gallery.render_settings():
        assert wait.SLEEP_GRANULARITY == gallery.IDLE_WINDOW < before[0]
        assert wait.wait_for_idle.__defaults__[0] == gallery.IDLE_WINDOW
        assert gc.get_threshold() == gallery.GC_THRESHOLDS
    assert (wait.SLEEP_GRANULARITY, wait.SLEEP_IDLE, wait.wait_for_idle.__defaults__, gc.get_threshold()) == before


def test_a_screen_that_cannot_be_rendered_stops_the_gallery_and_every_worker(tmp_path, capsys):
    """English locale file broken: exit 1, the message names a picture and the file; the Romanian
    worker stops too (no render process is left)."""
    locales = tmp_path / "locales"
    shutil.copytree(data_dir("locales"), locales)
    with (locales / "en.toml").open("a", encoding="utf-8") as toml:
        toml.write("broken = [\n")
    args = argparse.Namespace(out=tmp_path / "g", only=["home", "help"], jobs=2, lang=None, locales=locales)
    assert gallery.command(args) == 1
    err = capsys.readouterr().err
    assert "-en-" in err and "en.toml" in err and "Traceback" not in err
    assert multiprocessing.active_children() == []


def test_help_builds_the_gallery_and_guide_options_without_importing_the_renderer():
    """`panel-tui --help` lists the gallery's and the handout's options without loading Textual's
    screens and the simulator that rendering needs (the gallery imports them at its top)."""
    code = "import sys; from panel_tui import cli; cli.build_parser(full=True); print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split()
    for module in ("panel_tui.gallery", "panel_tui.guide", "panel_tui.ui.catalog", "panel_tui.sim.runtime"):
        assert module not in modules, module
