"""A send killed at the `queued` stage (its job row written, nothing sent yet) is not lost:
`jobs retry` sends it; a job whose message was never stored says why and how to send it."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.reliability.conftest import MEGAN, TIMEOUT, cli_env

# The real command in its own process, killed (SIGKILL: no cleanup of any kind) the moment its
# job is in the job log: the job stands at `queued`.
KILLED_AT_QUEUED = """
import os, signal, sys
from panel_tui.device import joblog

start = joblog.JobLog.start
def start_then_die(self, *args, **kwargs):
    job_id = start(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
joblog.JobLog.start = start_then_die
sys.argv = ["panel-tui", *sys.argv[1:]]
from panel_tui.cli import main
main()
"""


def _send_killed_at_queued(world, subject: str) -> int:
    done = subprocess.run([sys.executable, "-c", KILLED_AT_QUEUED, "--sim-url", world.sim_url, "send",
                           "--to", MEGAN.upn, "--subject", subject], env=cli_env(world.home),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == -9, done.stderr
    (job,) = [j for j in world.printer.joblog.jobs() if subject in j.detail]
    assert (job.result, job.stage) == ("interrupted", "queued")  # its owner is dead
    return job.id


def test_a_send_killed_at_queued_is_sent_by_jobs_retry(home_world):
    world = home_world
    job_id = _send_killed_at_queued(world, "Killed at queued")
    retried = world.run("jobs", "retry", str(job_id))
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert "completed" in retried.stdout
    assert len(world.mailbox(subject="Killed at queued")) == 1
    spool = world.printer.paths.data_dir / "mail-spool"
    assert not [p.name for p in spool.iterdir()] if spool.exists() else True  # nothing left behind


def test_a_job_whose_message_was_never_stored_says_how_to_send_it(home_world):
    world = home_world
    job_id = _send_killed_at_queued(world, "Never stored")
    for path in (world.printer.paths.data_dir / "mail-spool").iterdir():
        os.unlink(path)  # as an older version left it, or a cleaned-up spool
    retried = world.run("jobs", "retry", str(job_id))
    assert retried.returncode == 1
    assert "Traceback" not in retried.stderr
    assert (f"Job {job_id} cannot be sent again: Its message was not stored before the job stopped"
            in retried.stderr)
    assert "send it as a new job (from the panel, or with panel-tui send --to ADDRESS)" in retried.stderr
    assert world.mailbox(subject="Never stored") == []
