"""What a plain start does not pay for: other languages, TOML parsing of unchanged files,
the job log's SQLite, the scripting commands and the scenarios (bench/startup.py measures it)."""
from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
import textual.app
from textual.screen import Screen
from textual.widgets import ListView

import panel_tui.ui
import panel_tui.ui.webconfig as webconfig
from panel_tui import cli, scripting
from panel_tui.assembly import run_panel
from panel_tui.backend import BackendOptions
from panel_tui.datacache import cache_dir
from panel_tui.datafiles import data_dir
from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.i18n import LocaleError, Translator
from panel_tui.menus import load_menu_tree
from panel_tui.ui.frame import SCREENS_CSS
from panel_tui.ui.home import HomeScreen
from panel_tui.ui.webconfig.form_rows import PageSection

START = textwrap.dedent("""
    import sys
    import textual.app
    textual.app.App.run = lambda self, *args, **kwargs: None  # everything up to the event loop
    from panel_tui import cli
    code = cli.main(["--profile", "probe"])
    print(code, " ".join(sorted(sys.modules)))
""")


def _start_modules(home: Path) -> tuple[int, set[str]]:
    env = {**os.environ, "PANEL_TUI_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True, env=env, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    code, _, modules = done.stdout.strip().splitlines()[-1].partition(" ")
    return int(code), set(modules.split())


def test_a_plain_start_imports_only_what_the_first_frame_needs(panel_home):
    code, first = _start_modules(panel_home)
    assert code == 0 and "panel_tui.app" in first  # the probe started the panel
    # Nor Textual's DataTable and ListView, which Home does not show (menu screens load them later).
    # Nor hashlib (OpenSSL's binding): passwords are hashed at login, not at start.
    for module in ("panel_tui.scripting", "panel_tui.scenarios", "sqlite3", "panel_tui.device.joblog", "hashlib",
                   "textual.widgets._data_table", "textual.widgets._list_view"):
        assert module not in first, module
    _, second = _start_modules(panel_home)
    assert "tomllib" not in second  # the locale and menu files came from the data cache


def test_script_commands_are_the_scripting_commands():
    assert cli.SCRIPT_COMMANDS == scripting.COMMANDS


def test_the_job_log_opens_on_first_use(tmp_path):
    paths = resolve_paths("jobs")
    printer = Printer.open(paths)
    assert not paths.joblog_file.exists()
    assert printer.joblog.jobs() == [] and paths.joblog_file.exists()


# -- locales: the active language only, from the cache while its file is unchanged ---------


@pytest.fixture
def locales(tmp_path) -> Path:
    folder = tmp_path / "locales"
    shutil.copytree(data_dir("locales"), folder)
    return folder


def test_only_the_active_language_is_read(locales):
    (locales / "en.toml").write_text("this is = not [valid toml", encoding="utf-8")
    translator = Translator.load(locales, "ro")
    assert translator.t("menu.settings") == "Setări"
    with pytest.raises(LocaleError):
        Translator.load(locales, "en")


def test_other_languages_load_when_switched_to(locales):
    translator = Translator.load(locales, "en")
    translator.set_language("ro")
    assert translator.t("menu.settings") == "Setări"


def test_an_unchanged_locale_file_is_not_parsed_again(locales, monkeypatch):
    assert Translator.load(locales, "en").t("menu.settings") == "Settings"

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomllib, "loads", no_parsing)
    assert Translator.load(locales, "en").t("menu.settings") == "Settings"


def _edit(path: Path, old: str, new: str, same_size: bool = False) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    before = path.stat()
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if same_size:
        assert path.stat().st_size == before.st_size
    # a later modification time even on a coarse clock
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


@pytest.mark.parametrize("new", ["Sett1ngs", "Settings and more"], ids=["same size", "other size"])
def test_a_changed_locale_file_wins_over_the_cache(locales, new):
    assert Translator.load(locales, "en").t("menu.settings") == "Settings"
    _edit(locales / "en.toml", '"Settings"', f'"{new}"', same_size=len(new) == len("Settings"))
    assert Translator.load(locales, "en").t("menu.settings") == new


def test_a_broken_cache_entry_is_rebuilt(locales):
    Translator.load(locales, "en")
    entries = list(cache_dir().glob("locale-*.marshal"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x00garbage")
    assert Translator.load(locales, "en").t("menu.settings") == "Settings"


def test_a_broken_locale_file_is_reported_again_from_the_cache(locales):
    (locales / "ro.toml").write_text('[menu]\nsettings = "{oops"\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(LocaleError) as error:
            Translator.load(locales, "ro")
        assert "malformed placeholder" in str(error.value)


# -- the menu file ---------------------------------------------------------------------------


def test_a_changed_menu_file_wins_over_the_cache(tmp_path):
    menu = tmp_path / "panel.toml"
    shutil.copy(data_dir("menus") / "panel.toml", menu)
    assert load_menu_tree(menu).tiles[0] == "scan"
    text = menu.read_text(encoding="utf-8")
    _edit(menu, 'tiles = ["scan", "fax"', 'tiles = ["fax", "scan"')
    assert text != menu.read_text(encoding="utf-8")
    assert load_menu_tree(menu).tiles[:2] == ("fax", "scan")


def test_the_panel_starts_with_garbage_collection_paused(monkeypatch):
    seen = []
    monkeypatch.setattr(textual.app.App, "run", lambda self, *args, **kwargs: seen.append(gc.isenabled()))
    try:
        assert run_panel("gc-probe", None, BackendOptions()) == 0
    finally:
        gc.enable()
    assert seen == [False]  # paused while the first frame is built (the app resumes it after)
    assert gc.isenabled()  # and on when the panel has ended


def test_a_command_builds_its_parser_without_importing_the_others():
    code = textwrap.dedent("""
        import sys
        from panel_tui import cli, scripting
        scripting.run = lambda args: print(args.command, " ".join(sorted(sys.modules))) or 0
        cli.main(["send", "--to", "megan@example.com"])
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    command, _, modules = done.stdout.strip().partition(" ")
    assert command == "send"
    for module in ("panel_tui.doctor", "panel_tui.gallery", "panel_tui.serve", "textual", "panel_tui.scenarios"):
        assert module not in modules.split(), module


def test_a_panel_that_cannot_start_leaves_garbage_collection_on(monkeypatch, capsys):
    """A refused start (here an unknown scenario: exit 2) returns with collection on again,
    as a panel that ran does: a caller in the same process (a test, a script) keeps collecting."""
    assert gc.isenabled()
    try:
        assert run_panel("gc-probe", None, BackendOptions(), scenario_name="no-such-scenario") == 2
        assert gc.isenabled()
    finally:
        gc.enable()
    assert "no-such-scenario" in capsys.readouterr().err


async def test_the_first_frame_styles_home_alone_and_other_screens_bring_their_rules(make_app):
    """Home is the stack's base (no blank screen under it) and its frame reads app.tcss only; the
    other screens' rules are read when the first of them opens, and style it as before."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen_stack == [app.screen] and isinstance(app.screen, HomeScreen)
        assert not app.stylesheet.has_source(str(SCREENS_CSS), "")
        await pilot.press("down", "enter")  # Settings
        assert app.stylesheet.has_source(str(SCREENS_CSS), "")
        menu = app.screen.query_one("#menu-list", ListView)
        assert menu.styles.background.a == 0  # `#menu-list { background: transparent }` (screens.tcss)


def _screens_over_home():
    """Every screen class the panel app can open over Home (the classroom and the wipe prompt are apps of their own)."""
    apps_of_their_own = ("panel_tui.ui.classroom_screen", "panel_tui.ui.scenario_start")
    for module in pkgutil.walk_packages(panel_tui.ui.__path__, "panel_tui.ui."):
        if module.name not in apps_of_their_own:
            importlib.import_module(module.name)
    found, queue = [], [Screen]
    while queue:
        for cls in queue.pop().__subclasses__():
            queue.append(cls)
            if cls.__module__.startswith("panel_tui.ui.") and cls is not HomeScreen and \
                    cls.__module__ not in apps_of_their_own:
                found.append(cls)
    return found


def test_every_screen_over_home_reads_the_screens_rules():
    """A screen opened first after Home (Web Config, the trainer's console, a dialog ...) must
    carry screens.tcss itself, or it would be drawn without the rules the frame no longer loads."""
    screens = _screens_over_home()
    assert len(screens) >= 15, screens
    for cls in screens:
        paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
        assert paths and paths[0] == SCREENS_CSS, f"{cls.__module__}.{cls.__name__}: CSS_PATH = {cls.CSS_PATH!r}"


def test_web_config_page_sections_are_styled_by_webconfig_tcss():
    """A page section is part of one screen, not a reusable widget: its rules are in webconfig.tcss
    (CONTRIBUTING, where CSS goes), so the screen's stylesheet is the one place to read them."""
    for info in pkgutil.iter_modules(webconfig.__path__):
        importlib.import_module(f"panel_tui.ui.webconfig.{info.name}")
    sections = _all_subclasses(PageSection)
    assert len(sections) >= 6, sections
    css = (Path(webconfig.__file__).parent / "webconfig.tcss").read_text(encoding="utf-8")
    for cls in sections:
        assert "DEFAULT_CSS" not in vars(cls), f"{cls.__name__} carries DEFAULT_CSS"
        assert f"\n{cls.__name__} {{" in css, f"{cls.__name__} has no rules in webconfig.tcss"


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found
