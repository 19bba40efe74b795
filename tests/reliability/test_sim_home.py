"""One simulator per home: every process of a home (panel, commands, other profiles) joins the
same simulator, started once in the background; stale runtime files are replaced; the service
stops when idle or when told; a `panel-tui sim` started by hand is the home's simulator."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest

from panel_tui.assembly import open_backend
from panel_tui.backend import BackendError, BackendOptions
from panel_tui.device.paths import simulator_dir
from panel_tui.mail.jobs import MailRequest
from panel_tui.scenarios import load_scenario, run_scenario
from panel_tui.sim import service
from panel_tui.sim.tenant import SEEDED_ACCOUNTS

from .conftest import COMMAND_TIMEOUT as TIMEOUT
from .conftest import panel_cli, sim_dir_of

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS

JOIN_AND_SAY_PID = """
import json, os, sys
from panel_tui.assembly import open_backend
printer, backend = open_backend(sys.argv[1])
try:
    endpoints = backend.endpoints()
    data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
    print(json.dumps({"sim_pid": backend.control().pid(), "base_url": data["base_url"], "me": os.getpid()}))
finally:
    backend.stop()
"""


def test_a_panel_and_a_command_on_one_profile_stay_signed_in_when_the_clock_moves_twice(panel_home):
    """The issue's repro: each process ran its own simulator over one state.json, and the
    second refresh got AADSTS70000 (Sign-in expired, 361) in one of them."""
    printer, backend = open_backend("default")
    try:
        run_scenario(load_scenario("signed-in"), printer, backend)
        for hour in (1, 2):
            backend.advance_clock(3600)
            command = panel_cli("send", "--to", MEGAN.upn, "--subject", f"from the command, hour {hour}")
            assert command.returncode == 0, command.stderr
            outcome = asyncio.run(backend.jobs.run(
                MailRequest("test_mail", (MEGAN.upn,), f"from the panel, hour {hour}", "body")))
            assert outcome.ok, (outcome.job.error_code, outcome.job.detail)
        assert backend.signin_info().state == "signed_in"
        status = panel_cli("status")
        assert status.returncode == 0 and "Signed in" in status.stdout, status.stdout + status.stderr
        subjects = {m["subject"] for m in backend.control().mailbox(MEGAN.upn)}
        assert {"from the command, hour 2", "from the panel, hour 2"} <= subjects
    finally:
        backend.stop()


def test_two_processes_of_one_home_see_one_simulator(panel_home, processes):
    """Started at the same moment, on two profiles: one starts the simulator, the other joins it."""
    for profile in ("first", "second"):
        processes.append(subprocess.Popen([sys.executable, "-c", JOIN_AND_SAY_PID, profile], text=True,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL))
    seen = []
    for proc in processes:
        out, err = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, err
        seen.append(json.loads(out))
    assert seen[0]["sim_pid"] == seen[1]["sim_pid"]
    assert seen[0]["base_url"] == seen[1]["base_url"]
    assert seen[0]["sim_pid"] not in (seen[0]["me"], seen[1]["me"])  # its own process, outliving both
    status = panel_cli("sim", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["pid"] == seen[0]["sim_pid"]


def test_the_panel_joins_in_the_background_without_waiting(panel_home):
    printer, backend = open_backend("default")
    try:
        backend.start()
        assert not backend.ready  # start() returned before the simulator answered
        assert backend.endpoints().base_url.startswith("https://127.0.0.1:")
    finally:
        backend.stop()


def test_the_mail_jobs_asked_for_first_join_the_simulator(panel_home):
    """`backend.jobs` before anything else (the panel's first send): no lock held while joining."""
    printer, backend = open_backend("default")
    try:
        assert backend.jobs is backend.jobs
        assert backend.ready
    finally:
        backend.stop()


def test_a_running_panel_follows_its_home_simulator_after_sim_stop(panel_home):
    printer, backend = open_backend("default")
    try:
        first = backend.control().pid()
        backend.advance_clock(7200)
        moved = backend.control().now()
        assert panel_cli("sim", "stop").returncode == 0
        assert backend.control().pid() != first  # started again by the next use
        assert backend.control().now() >= moved  # the simulated clock persisted
    finally:
        backend.stop()


def test_a_stale_runtime_file_is_detected_and_replaced(panel_home):
    first = panel_cli("sim", "start", "--json")
    assert first.returncode == 0, first.stderr
    old = json.loads(first.stdout)
    os.kill(old["pid"], signal.SIGKILL)  # dies without cleaning up: runtime.json stays behind
    sim_dir = sim_dir_of(panel_home)
    assert service.wait_until_stopped(sim_dir, 30)
    assert service.RuntimeInfo.read(sim_dir).pid == old["pid"]
    assert panel_cli("sim", "status").returncode == 3  # the dead one is not reported running
    printer, backend = open_backend("default")
    try:
        assert backend.control().pid() != old["pid"]
        assert service.RuntimeInfo.read(sim_dir).pid == backend.control().pid()
    finally:
        backend.stop()


def test_sim_status_and_stop(panel_home):
    stopped = panel_cli("sim", "status")
    assert stopped.returncode == 3 and "No simulator serves this home" in stopped.stdout
    started = panel_cli("sim", "start")
    assert started.returncode == 0, started.stderr
    status = panel_cli("sim", "status")
    assert status.returncode == 0
    for label in ("Sign-in page", "Admin center", "CA SHA-256", "Process", "background service",
                  "--sim-fingerprint"):
        assert label in status.stdout
    pid = json.loads(panel_cli("sim", "status", "--json").stdout)["pid"]
    stop = panel_cli("sim", "stop")
    assert stop.returncode == 0 and f"pid {pid}" in stop.stdout
    assert panel_cli("sim", "status").returncode == 3
    assert not (sim_dir_of(panel_home) / "runtime.json").exists()


def test_an_idle_service_stops_by_itself_but_not_while_a_process_uses_it(panel_home):
    sim_dir = sim_dir_of(panel_home)
    lease = service.ClientLease(sim_dir)  # first, as every client does: no idle stop in between
    try:
        started = panel_cli("sim", "start", PANEL_TUI_SIM_IDLE="0.2")
        assert started.returncode == 0, started.stderr
        assert not service.wait_until_stopped(sim_dir, 1.5)  # 7 idle periods: a client holds it
    finally:
        lease.release()
    assert service.wait_until_stopped(sim_dir, 30)
    assert not (sim_dir / "runtime.json").exists()


def test_a_simulator_started_by_hand_is_the_home_simulator(panel_home, processes):
    hand = subprocess.Popen([sys.executable, "-m", "panel_tui", "sim", "--json"], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    processes.append(hand)
    info = json.loads(hand.stdout.readline())
    assert info["pid"] == hand.pid and info["mode"] == "foreground"
    assert len(info["control_secret"]) >= 32  # for its owner, who started it
    printer, backend = open_backend("default")
    try:
        assert backend.endpoints().base_url == info["base_url"]
        assert backend.control().pid() == hand.pid
    finally:
        backend.stop()
    second = panel_cli("sim")
    assert second.returncode == 1 and "already serves this home" in second.stderr
    assert info["base_url"] in second.stderr
    hand.send_signal(signal.SIGTERM)
    assert hand.wait(timeout=TIMEOUT) == 0
    assert not (sim_dir_of(panel_home) / "runtime.json").exists()


@pytest.mark.parametrize("how", ["ca", "fingerprint"])
def test_a_panel_of_another_home_joins_with_the_ca_or_its_fingerprint(panel_home, tmp_path, how):
    other_home = tmp_path / "classroom"
    try:
        info = service.ensure_running(sim_dir_of(other_home))
        url = info.base_url
        printer, backend = open_backend("default", BackendOptions(sim_url=url))
        with pytest.raises(BackendError) as untrusted:
            backend.endpoints()
        assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.value)
        assert "--sim-ca FILE" in str(untrusted.value) and "--sim-fingerprint SHA256" in str(untrusted.value)
        backend.stop()
        trust = ({"sim_ca": info.endpoints["ca_path"]} if how == "ca"
                 else {"sim_fingerprint": info.fingerprint.replace(":", "").lower()})
        printer, backend = open_backend("default", BackendOptions(sim_url=url, **trust))
        try:
            assert backend.endpoints()["base_url"] == url
            assert backend.control().pid() == info.pid
            assert backend.signin_info().state == "not_signed_in"
        finally:
            backend.stop()
    finally:
        service.stop(sim_dir_of(other_home))


def test_a_wrong_fingerprint_is_refused(panel_home, tmp_path):
    other_home = tmp_path / "classroom"
    try:
        info = service.ensure_running(sim_dir_of(other_home))
        printer, backend = open_backend("default", BackendOptions(sim_url=info.base_url, sim_fingerprint="AB" * 32))
        with pytest.raises(BackendError, match="not joining it"):
            backend.endpoints()
        backend.stop()
    finally:
        service.stop(sim_dir_of(other_home))


def test_sim_options_without_sim_url_are_a_usage_error(panel_home):
    result = panel_cli("--sim-fingerprint", "AB" * 32, "status")
    assert result.returncode == 2 and "--sim-url" in result.stderr


def test_the_profile_named_simulator_cannot_touch_the_simulator(panel_home):
    """`--profile simulator --scenario NAME` once deleted the simulator's CA, keys, tenant and mail."""
    info = service.ensure_running(sim_dir_of(panel_home))
    service.stop(sim_dir_of(panel_home))
    before = sorted(p.relative_to(panel_home) for p in sim_dir_of(panel_home).rglob("*"))
    result = panel_cli("--profile", "simulator", "--scenario", "fresh", timeout=60)
    assert result.returncode == 2
    assert "profile name 'simulator' is reserved" in result.stderr
    assert sorted(p.relative_to(panel_home) for p in sim_dir_of(panel_home).rglob("*")) == before
    assert (sim_dir_of(panel_home) / "pki" / "ca-key.pem").exists() and info.fingerprint
    assert "reserved" in panel_cli("--profile", "Simulator", "status").stderr


def test_the_simulator_of_an_older_layout_moves_out_of_the_profiles(panel_home):
    old = panel_home / "data" / "simulator"
    (old / "pki").mkdir(parents=True)
    (old / "pki" / "ca-key.pem").write_text("key")
    (old / "state.json").write_text("{}")
    new = simulator_dir()
    assert new == sim_dir_of(panel_home)
    assert (new / "pki" / "ca-key.pem").read_text() == "key" and (new / "state.json").read_text() == "{}"
    assert not old.exists()
    assert oct(new.stat().st_mode & 0o777) == "0o700"
