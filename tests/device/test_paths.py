from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from panel_tui.device.paths import resolve_paths, simulator_dir


def test_home_env_puts_everything_under_it(home):
    paths = resolve_paths("office-2")
    assert paths.config_dir == home / "config" / "office-2"
    assert paths.data_dir == home / "data" / "office-2"
    assert paths.cache_dir == home / "cache" / "office-2"
    assert all(d.is_dir() for d in (paths.config_dir, paths.data_dir, paths.cache_dir))
    assert paths.settings_file == paths.config_dir / "settings.json"
    assert paths.token_cache_file == paths.config_dir / "token_cache.json"
    assert paths.joblog_file == paths.data_dir / "jobs.sqlite3"
    assert paths.sheets_dir == paths.data_dir / "status-sheets"
    assert paths.ca_dir == paths.data_dir / "ca-certificates"


def test_profiles_are_separate(home):
    a, b = resolve_paths("a"), resolve_paths("b")
    assert {a.config_dir, a.data_dir, a.cache_dir}.isdisjoint({b.config_dir, b.data_dir, b.cache_dir})
    assert resolve_paths().profile == "default"


def test_simulator_dir_is_shared_and_outside_the_profiles(home):
    directory = simulator_dir()
    assert directory == home / "simulator" and directory.is_dir()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_every_folder_of_a_profile_is_private(home):
    paths = resolve_paths("private")
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_platformdirs_without_env(tmp_path, monkeypatch):
    monkeypatch.delenv("PANEL_TUI_HOME", raising=False)
    calls = []

    def fake(kind):
        def where(appname, appauthor=None):
            calls.append((kind, appname))
            return str(tmp_path / kind / appname)
        return where

    for kind in ("config", "data", "cache"):
        monkeypatch.setattr(platformdirs, f"user_{kind}_dir", fake(kind))
    paths = resolve_paths("p1")
    assert paths.config_dir == tmp_path / "config" / "panel-tui" / "p1"
    assert paths.data_dir == tmp_path / "data" / "panel-tui" / "p1"
    assert paths.cache_dir == tmp_path / "cache" / "panel-tui" / "p1"
    assert simulator_dir() == tmp_path / "data" / "panel-tui-simulator"  # no profile name reaches it
    assert {name for _, name in calls} == {"panel-tui", "panel-tui-simulator"}


@pytest.mark.parametrize("bad", ["", "a" * 41, "../etc", "a/b", ".", "..", "spaced name", "profilă", "a\\b"])
def test_bad_profile_names_are_refused(home, bad):
    with pytest.raises(ValueError, match="profile name"):
        resolve_paths(bad)
    assert not (home / "config").exists() or list((home / "config").iterdir()) == []


@pytest.mark.parametrize("good", ["a", "A-b_c.1", "x" * 40])
def test_good_profile_names(home, good):
    assert resolve_paths(good).config_dir == Path(home) / "config" / good
