"""Shared fixtures: every test gets its own PANEL_TUI_HOME, a fixed clock and a fresh profile."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

SNAPSHOT_TIME = datetime(2026, 3, 14, 9, 26, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def panel_home(tmp_path, monkeypatch):
    """All config, data and cache of the test under one temporary directory."""
    home = tmp_path / "panel-home"
    monkeypatch.setenv("PANEL_TUI_HOME", str(home))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return home


@pytest.fixture
def fixed_clock():
    from panel_tui.device.clock import FixedClock

    return FixedClock(SNAPSHOT_TIME)


@pytest.fixture
def make_app(fixed_clock):
    """Build the panel app on a fresh profile with the fixed clock."""
    from panel_tui.cli import build_app

    def factory(lang: str = "en", profile: str = "default", start_backend: bool = False):
        # Panel tests do not start the simulator; the end-to-end tests do.
        return build_app(profile=profile, lang=lang, clock=fixed_clock, start_backend=start_backend)

    return factory
