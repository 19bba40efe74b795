"""A `panel-tui send` of a home asks its simulator only for the mail itself: the clock's offset
comes from the home's runtime file, MSAL's discovery answers and the access token from the
profile's caches. What a process asked is counted by the simulator (GET /_sim/requests)."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime

import pytest

from panel_tui.assembly import open_backend
from panel_tui.device.paths import simulator_dir
from panel_tui.scenarios import load_scenario, run_scenario
from panel_tui.sim import service
from panel_tui.sim.tenant import SEEDED_ACCOUNTS

from .conftest import panel_cli

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS
TWO_DAYS = 2 * 86400


@pytest.fixture
def signed_in_home(panel_home):
    """The home's simulator (a background service), the default profile signed in, one send done
    (the first process of a profile may fill its caches)."""
    printer, backend = open_backend("default")
    try:
        run_scenario(load_scenario("signed-in"), printer, backend)
        first = panel_cli("send", "--to", MEGAN.upn, "--subject", "first")
        assert first.returncode == 0, first.stderr
        yield backend
    finally:
        backend.stop()


def _asked_during(control, action) -> dict[str, int]:
    before = control.request_counts()
    action()
    after = control.request_counts()
    asked = {key: count - before.get(key, 0) for key, count in after.items() if count != before.get(key, 0)}
    asked.pop("GET /_sim/requests", None)  # the counting itself
    return asked


def _send(subject: str) -> None:
    sent = panel_cli("send", "--to", MEGAN.upn, "--subject", subject)
    assert sent.returncode == 0, sent.stderr


def test_a_send_in_a_fresh_process_asks_the_simulator_nothing_over_https(signed_in_home):
    """Not the clock (the runtime file has its offset), not whether it is up (its lock says so),
    not MSAL's discovery (the profile's HTTP cache) nor a token (the token cache): only SMTP."""
    control = signed_in_home.control()
    asked = _asked_during(control, lambda: _send("second"))
    assert asked == {}
    assert [m["subject"] for m in control.mailbox(MEGAN.upn)].count("second") == 1


def test_a_send_follows_a_clock_moved_by_another_process_without_asking(signed_in_home):
    """The panel moves the clock two days on; the next command's job is stamped on the new time."""
    backend = signed_in_home
    control = backend.control()
    backend.advance_clock(TWO_DAYS)
    moved = time.time() + TWO_DAYS
    asked = _asked_during(control, lambda: _send("after the move"))
    assert not [key for key in asked if "/_sim/clock" in key], asked
    jobs = panel_cli("jobs", "--json")
    assert jobs.returncode == 0, jobs.stderr
    newest = json.loads(jobs.stdout.splitlines()[0])
    assert newest["result"] == "ok"
    started = datetime.fromisoformat(newest["started_at"]).timestamp()
    assert moved - 120 <= started <= time.time() + TWO_DAYS + 120  # not today's date: the moved clock's


def test_the_runtime_file_publishes_every_clock_move(signed_in_home):
    control = signed_in_home.control()
    for _ in range(2):
        control.advance_clock(3600)
        published = service.RuntimeInfo.read(simulator_dir()).clock_offset
        assert published == control.state()["clock"]["offset"]
    control.reset()
    assert service.RuntimeInfo.read(simulator_dir()).clock_offset == 0


def test_a_simulator_claiming_the_home_removes_a_dead_ones_runtime_file(panel_home):
    """Commands trust "lock held and a runtime file" without asking the simulator: the file must
    never be a dead simulator's while another one holds the lock (here: its pid reused by us)."""
    sim_dir = simulator_dir()
    sim_dir.mkdir(parents=True, exist_ok=True)
    stale = service.RuntimeInfo(pid=os.getpid(), mode="foreground", endpoints={"base_url": "https://127.0.0.1:9"},
                                fingerprint="", started_at=0.0, idle_timeout=0.0, log_path="")
    (sim_dir / service.RUNTIME_FILE).write_text(stale.to_json(), encoding="utf-8")
    home = service.HomeSimulator(sim_dir, mode="foreground")
    try:
        assert home.claim()
        assert service.RuntimeInfo.read(sim_dir) is None
    finally:
        asyncio.run(home.close())


SEND_AND_LIST_MODULES = """
import atexit, sys
watched = sys.argv[1].split(",")
atexit.register(lambda: print("loaded:", ",".join(m for m in watched if m in sys.modules), flush=True))
sys.argv = ["panel-tui", "send", "--to", sys.argv[2], "--subject", "imports"]
from panel_tui.cli import main
raise SystemExit(main())
"""
# The control client's class comes with panel_tui.sim.client (the one module the product imports
# of the simulator, and where a send finds the endpoints); what costs, its page-reading browser, does not.
NOT_FOR_A_SEND = ("textual", "rich", "panel_tui.ui", "panel_tui.sim.form_browser", "html.parser",
                  "panel_tui.sim.server", "aiohttp",
                  "aiosmtpd", "segno", "platformdirs", "panel_tui.scenarios")


def test_a_send_imports_only_what_it_needs(signed_in_home):
    """No UI, no sign-in page browser, no simulator server, no QR codes; platformdirs only without PANEL_TUI_HOME."""
    done = subprocess.run([sys.executable, "-c", SEND_AND_LIST_MODULES, ",".join(NOT_FOR_A_SEND), MEGAN.upn],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy(), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "loaded:"


def test_a_command_joins_the_home_simulator_in_its_own_thread(panel_home, monkeypatch):
    """Only the panel joins in the background (its first frame must not wait); a command would
    start a thread just to wait for it."""
    started: list[str] = []
    original = threading.Thread.start

    def recording(self):
        started.append(self.name)
        return original(self)

    monkeypatch.setattr(threading.Thread, "start", recording)
    printer, backend = open_backend("default")
    try:
        assert backend.endpoints().base_url.startswith("https://127.0.0.1:")
    finally:
        backend.stop()
    assert "join-simulator" not in started
