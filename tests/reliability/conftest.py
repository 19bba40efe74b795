"""A world for the reliability tests: the home's own simulator (its CA is the one the CLI of
the home trusts), a prepared tenant, and the default profile signed in with OAuth2 applied.

CLI commands run as subprocesses joined to that simulator with --sim-url; every process a
test starts is killed by pid in teardown. Nothing waits on a timer.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from panel_tui.backend import BackendOptions, open_backend
from panel_tui.device.paths import simulator_dir
from panel_tui.sim.control import SimControl
from panel_tui.sim.runtime import SimulatorThread
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from tests.helpers.tenant import prepare_tenant

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS
TIMEOUT = 60


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PANEL_TUI_ADMIN_PASSWORD"}
    env.update(PANEL_TUI_HOME=str(home), PYTHONUNBUFFERED="1")
    return env


@dataclass
class HomeWorld:
    """One home: its simulator, the control API, the default profile's printer and backend."""

    home: Path
    sim: object
    control: object
    printer: object
    backend: object
    procs: list = field(default_factory=list)

    @property
    def sim_url(self) -> str:
        return self.sim.endpoints.base_url

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "panel_tui", "--sim-url", self.sim_url, *args]

    def popen(self, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(self.argv(*args), env=cli_env(self.home), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(proc)
        return proc

    def run(self, *args: str) -> subprocess.CompletedProcess:
        proc = self.popen(*args)
        out, err = proc.communicate(timeout=TIMEOUT)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def mailbox(self, upn: str = MEGAN.upn, subject: str | None = None) -> list[dict]:
        return [m for m in self.control.mailbox(upn) if subject is None or m["subject"] == subject]


def sign_in_printer(printer, backend, control) -> None:
    """The guide done: tenant prepared, the printer's mailbox signed in, OAuth2 applied (OK)."""
    endpoints = backend.endpoints()
    client_id = endpoints["client_id"] if isinstance(endpoints, dict) else endpoints.client_id
    prepare_tenant(control, client_id)
    session = backend.session_for(printer.settings.email_server)
    flow = session.start_device_flow()
    control.approve_device_code(flow.user_code, PRINTER.upn, PRINTER.password)
    assert session.wait_for_device_flow(flow).ok
    printer.update(lambda s: s.with_field("email_server.auth_method", "oauth2")
                   .with_field("email_server.sender", PRINTER.upn))


@pytest.fixture
def home_world(panel_home):
    sim = SimulatorThread(simulator_dir())
    sim.start(timeout=TIMEOUT)
    control = SimControl(sim.endpoints.control_url, sim.endpoints.ca_path)
    printer, backend = open_backend("default", BackendOptions(sim_url=sim.endpoints.base_url))
    world = HomeWorld(panel_home, sim, control, printer, backend)
    try:
        sign_in_printer(printer, backend, control)
        yield world
    finally:
        for proc in world.procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=TIMEOUT)
        backend.stop()
        control.close()
        sim.stop()


# ---- the home's own simulator as a background service (test_sim_home*) ---------------------------

COMMAND_TIMEOUT = 120


def panel_cli(*args: str, home: Path | None = None, timeout: float = COMMAND_TIMEOUT,
              **env: str) -> subprocess.CompletedProcess:
    """`panel-tui ARGS` in its own process, no --sim-url (killed if it outlives `timeout`)."""
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **env}
    if home is not None:
        environment["PANEL_TUI_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "panel_tui", *args], env=environment, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def processes():
    """Popen objects a test starts; each is killed (by its pid) and reaped at teardown."""
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=30)


def sim_dir_of(home: Path) -> Path:
    return home / "simulator"
