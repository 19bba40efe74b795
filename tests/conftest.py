"""Shared fixtures: every test gets its own PANEL_TUI_HOME, a fixed clock and a fresh profile."""
from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from panel_tui.assembly import build_app
from panel_tui.backend import BackendOptions
from panel_tui.device.clock import FixedClock
from panel_tui.device.joblog import JobLog
from panel_tui.gallery import GC_THRESHOLDS
from panel_tui.sim.control import SimControl
from panel_tui.sim.runtime import SimulatorThread
from tests.helpers.processes import TIMEOUT, Cli, LineReader, cli_env, new_cli, stop_home_simulator
from tests.helpers.tenant import prepare_tenant
from tests.helpers.textual_internals import install_burst_typing

SNAPSHOT_TIME = datetime(2026, 3, 14, 9, 26, 0, tzinfo=UTC)


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
    """pilot.press types a word into a text field as one burst (tests/helpers/textual_internals.py)."""
    with pytest.MonkeyPatch.context() as mp:
        install_burst_typing(mp)
        yield


@pytest.fixture(autouse=True, scope="session")
def _fewer_collections():
    """The garbage collector runs after GC_THRESHOLDS[0] allocations, as the gallery renders: with
    Python's default (700) it took a third of a screen's CPU (panel_tui/gallery.py says how it was
    measured). What a test checks does not change; only how often memory is swept."""
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    yield
    gc.set_threshold(*saved)


@pytest.fixture(autouse=True)
def panel_home(tmp_path, monkeypatch):
    """All config, data and cache of the test under one temporary directory."""
    home = tmp_path / "panel-home"
    monkeypatch.setenv("PANEL_TUI_HOME", str(home))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.setenv("PANEL_TUI_GLYPHS", "unicode")  # snapshots do not depend on the CI's LANG/TERM
    yield home
    stop_home_simulator(home)


@pytest.fixture
def connections_opened(monkeypatch) -> list[int]:
    """One entry per connection the job log opens from now on."""
    opened: list[int] = []
    original = JobLog._raw_connect

    def counting(self):
        opened.append(1)
        return original(self)

    monkeypatch.setattr(JobLog, "_raw_connect", counting)
    return opened


@pytest.fixture
def fixed_clock():
    return FixedClock(SNAPSHOT_TIME)


@pytest.fixture
def make_app(fixed_clock):
    """Build the panel app on a fresh profile with the fixed clock."""
    def factory(lang: str = "en", profile: str = "default", start_backend: bool = False):
        # Panel tests do not start the simulator; the end-to-end tests do.
        return build_app(profile=profile, lang=lang, clock=fixed_clock, start_backend=start_backend)

    return factory


@pytest.fixture(scope="session")
def sim_thread(tmp_path_factory):
    """One embedded simulator for the whole run (each test resets it)."""
    thread = SimulatorThread(tmp_path_factory.mktemp("sim"))
    thread.start(timeout=30)
    yield thread
    thread.stop()


@pytest.fixture
def sim_control(sim_thread):
    client = SimControl(sim_thread.endpoints.control_url, sim_thread.endpoints.ca_path)
    client.reset()
    yield client
    client.close()


@pytest.fixture
def make_e2e_app(sim_thread, sim_control, fixed_clock):
    """The panel wired to the shared simulator: real MSAL, real SMTP, real job log.

    The display clock is fixed (snapshots); the OAuth sessions follow the simulator's clock.
    """
    apps = []

    def factory(lang: str = "en", profile: str = "default", trust_sim_ca: bool = True):
        app = build_app(profile=profile, lang=lang, clock=fixed_clock, start_backend=False,
                        options=BackendOptions(trust_sim_ca=trust_sim_ca))
        app.backend.use_endpoints(sim_thread.endpoints)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.backend.stop()


# -- one standalone simulator for a module, and `panel-tui` joined to it ------------------------


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


@pytest.fixture(scope="module")
def standalone_sim(cli_home):
    """`panel-tui sim --json` in the module's home: its CA is the one the CLI trusts there."""
    proc = subprocess.Popen([sys.executable, "-m", "panel_tui", "sim", "--json"], env=cli_env(cli_home),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = LineReader(proc.stdout)
    try:
        endpoints = json.loads(reader.expect(r"^\{").string)
    except BaseException:
        proc.kill()
        raise
    yield endpoints
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=TIMEOUT) == 0


@pytest.fixture
def cli_control(standalone_sim):
    """The tenant prepared as the guide asks: security defaults off, SMTP AUTH on, admin consent."""
    client = SimControl(standalone_sim["control_url"], Path(standalone_sim["ca_path"]))
    client.reset()
    prepare_tenant(client, standalone_sim["client_id"])
    yield client
    client.close()


@pytest.fixture
def cli(cli_home, standalone_sim, cli_control) -> Cli:
    return new_cli(cli_home, standalone_sim["base_url"])


@pytest.fixture
def offline_cli(cli_home) -> Cli:
    """For commands that never reach the cloud (config, jobs, usage errors): no simulator at all."""
    return new_cli(cli_home, None, prefix="offline")
