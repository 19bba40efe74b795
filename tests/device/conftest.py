from __future__ import annotations

import pytest

from panel_tui.device.clock import SNAPSHOT_TIME, FixedClock
from panel_tui.device.paths import ProfilePaths, resolve_paths


@pytest.fixture
def home(tmp_path, monkeypatch):
    """PANEL_TUI_HOME pointed at a fresh temporary directory."""
    root = tmp_path / "home"
    monkeypatch.setenv("PANEL_TUI_HOME", str(root))
    return root


@pytest.fixture
def paths(home) -> ProfilePaths:
    return resolve_paths("test")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(SNAPSHOT_TIME)
