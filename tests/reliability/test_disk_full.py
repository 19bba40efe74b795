"""A full disk is called a full disk: a job listing says so (not "disk I/O error" and --repair),
and the simulator's control API answers a JSON error (507) with nothing changed, not a bare 500."""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from panel_tui.sim import state as sim_state
from panel_tui.sim.control import SimControl, SimControlError
from panel_tui.sim.runtime import SimulatorThread

# In a mount namespace of its own (gone with the process): a 3 MB tmpfs as the home, a job log
# with one job in it, the rest of the disk filled, then the command.
ON_A_FULL_DISK = """
set -e
mount -t tmpfs -o size=3m tmpfs "$PANEL_TUI_HOME"
"$PYTHON" -c '
from panel_tui.device.paths import resolve_paths
from panel_tui.device.joblog import JobLog
paths = resolve_paths("default")
paths.data_dir.mkdir(parents=True, exist_ok=True)
log = JobLog(paths.joblog_file)
log.finish(log.start("test_mail", "to megan"), "ok")
'
dd if=/dev/zero of="$PANEL_TUI_HOME/fill" bs=4k 2>/dev/null || true
shift
exec "$PYTHON" -m panel_tui "$@"
"""


def _can_mount_a_tmpfs() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {folder}"],
                               capture_output=True, timeout=30)
    return probe.returncode == 0


needs_tmpfs = pytest.mark.skipif(not _can_mount_a_tmpfs(), reason="needs unshare -m and mount (root)")


@needs_tmpfs
@pytest.mark.parametrize("argv", [["jobs"], ["jobs", "--json"], ["jobs", "show", "1"]])
def test_a_job_listing_on_a_full_disk_says_the_disk_is_full(tmp_path, argv):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "PANEL_TUI_HOME": str(home), "PYTHON": sys.executable}
    done = subprocess.run(["unshare", "-m", "sh", "-c", ON_A_FULL_DISK, "sh", "--", *argv], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the disk is full" in done.stderr and "Free some disk space, then try again." in done.stderr
    assert "--repair" not in done.stderr and "disk I/O error" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.fixture
def simulator(tmp_path):
    sim = SimulatorThread(tmp_path / "sim")
    endpoints = sim.start(timeout=60)
    control = SimControl(endpoints.control_url, endpoints.ca_path)
    try:
        yield sim, control, tmp_path / "sim"
    finally:
        control.close()
        sim.stop()


def test_moving_the_clock_on_a_full_disk_is_a_json_error_and_changes_nothing(simulator, monkeypatch):
    sim, control, sim_dir = simulator
    state_file = sim_dir / "state.json"
    control.advance_clock(3600)  # saved: the state file holds the clock
    saved = state_file.read_bytes()
    offset = json.loads(saved)["clock_offset"]

    def disk_full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(sim_state, "write_bytes_atomic", disk_full)
    with pytest.raises(SimControlError) as refused:
        control.advance_clock(86400)
    assert refused.value.status == 507
    assert "the simulator's disk is full" in str(refused.value) and str(state_file) in str(refused.value)
    monkeypatch.undo()
    assert json.loads(state_file.read_bytes())["clock_offset"] == offset
    assert abs(control.now() - (time.time() + offset)) < 60  # the clock did not move a day
