"""Shared fixtures: every test gets its own PANEL_TUI_HOME, a fixed clock and a fresh profile."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

SNAPSHOT_TIME = datetime(2026, 3, 14, 9, 26, 0, tzinfo=timezone.utc)


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (make test): three workers for two cores. Half of a panel test's time is spent
    waiting (Textual's idle checks after each key, a simulator's answer, a subprocess), so one
    worker per core leaves the cores idle that long; a fourth worker costs more CPU (collection,
    contention) than it saves. PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own hook reads it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + (cores + 1) // 2


@pytest.fixture(autouse=True, scope="session")
def _fast_typing():
    """pilot.press types a word into a text field as one burst (tests/pilot_typing.py)."""
    from tests import pilot_typing

    with pytest.MonkeyPatch.context() as mp:
        pilot_typing.install(mp)
        yield


@pytest.fixture(autouse=True)
def panel_home(tmp_path, monkeypatch):
    """All config, data and cache of the test under one temporary directory."""
    home = tmp_path / "panel-home"
    monkeypatch.setenv("PANEL_TUI_HOME", str(home))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("PANEL_TUI_GLYPHS", "unicode")  # snapshots do not depend on the CI's LANG/TERM
    yield home
    stop_home_simulator(home)


def stop_home_simulator(home) -> None:
    """Stop the background simulator a test's panel or command started in `home` (if any)."""
    sim_dir = home / "simulator"
    if (sim_dir / "simulator.lock").exists():
        from panel_tui.sim import service

        service.stop(sim_dir)


@pytest.fixture
def connections_opened(monkeypatch) -> list[int]:
    """One entry per connection the job log opens from now on."""
    from panel_tui.device.joblog import JobLog

    opened: list[int] = []
    original = JobLog._raw_connect

    def counting(self):
        opened.append(1)
        return original(self)

    monkeypatch.setattr(JobLog, "_raw_connect", counting)
    return opened


@pytest.fixture
def fixed_clock():
    from panel_tui.device.clock import FixedClock

    return FixedClock(SNAPSHOT_TIME)


@pytest.fixture
def make_app(fixed_clock):
    """Build the panel app on a fresh profile with the fixed clock."""
    from panel_tui.assembly import build_app

    def factory(lang: str = "en", profile: str = "default", start_backend: bool = False):
        # Panel tests do not start the simulator; the end-to-end tests do.
        return build_app(profile=profile, lang=lang, clock=fixed_clock, start_backend=start_backend)

    return factory


@pytest.fixture(scope="session")
def sim_thread(tmp_path_factory):
    """One embedded simulator for the whole run (each test resets it)."""
    from panel_tui.sim.runtime import SimulatorThread

    thread = SimulatorThread(tmp_path_factory.mktemp("sim"))
    thread.start(timeout=30)
    yield thread
    thread.stop()


@pytest.fixture
def sim_control(sim_thread):
    from panel_tui.sim.control import SimControl

    client = SimControl(sim_thread.endpoints.control_url, sim_thread.endpoints.ca_path)
    client.reset()
    yield client
    client.close()


@pytest.fixture
def make_e2e_app(sim_thread, sim_control, fixed_clock):
    """The panel wired to the shared simulator: real MSAL, real SMTP, real job log.

    The display clock is fixed (snapshots); the OAuth sessions follow the simulator's clock.
    """
    from panel_tui.assembly import build_app

    apps = []

    def factory(lang: str = "en", profile: str = "default", trust_sim_ca: bool = True):
        from panel_tui.backend import BackendOptions

        app = build_app(profile=profile, lang=lang, clock=fixed_clock, start_backend=False,
                        options=BackendOptions(trust_sim_ca=trust_sim_ca))
        app.backend.use_endpoints(sim_thread.endpoints)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.backend.stop()


def orphan_running_jobs(db_path) -> int:
    """Make the running jobs look like a crashed process's: owned by a pid that has exited."""
    import sqlite3
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead_pid = int(finished.stdout)
    with sqlite3.connect(db_path) as conn:
        return conn.execute("UPDATE jobs SET owner_pid = ? WHERE result = 'running'", (dead_pid,)).rowcount


def chromium_path() -> str:
    """Debian's Chromium for the browser tests; skipped with how to install it, never silently."""
    import os
    import shutil
    from pathlib import Path

    found = os.environ.get("PANEL_TUI_CHROMIUM") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.skip("Chromium not found: install Debian's browser with `apt-get install chromium` "
                    "(.ci/run does), or point PANEL_TUI_CHROMIUM at a Chromium binary")
    return found
