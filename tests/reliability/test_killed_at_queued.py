"""A send killed at the `queued` stage (its job row written, nothing sent yet) is not lost:
`jobs retry` sends it; a job whose message was never stored says why and how to send it. A
send killed before its job row exists leaves nothing behind: the request is stored with the row."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing

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


# Killed the moment before its job is written: nothing of it may stay behind.
KILLED_BEFORE_ITS_JOB = KILLED_AT_QUEUED.replace(
    "    job_id = start(self, *args, **kwargs)\n    os.kill", "    os.kill")


def _send_killed(world, subject: str, script: str = KILLED_AT_QUEUED) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", script, "--sim-url", world.sim_url, "send",
                           "--to", MEGAN.upn, "--subject", subject], env=cli_env(world.home),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT)


def _send_killed_at_queued(world, subject: str) -> int:
    done = _send_killed(world, subject)
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
    assert world.printer.joblog.request_of(job_id) is None  # moved to the retry, which succeeded


def test_a_send_killed_before_its_job_exists_leaves_nothing_behind(home_world):
    world = home_world
    before = sorted(p.relative_to(world.printer.paths.data_dir) for p in world.printer.paths.data_dir.rglob("*"))
    done = _send_killed(world, "Killed before its job", KILLED_BEFORE_ITS_JOB)
    assert done.returncode == -9, done.stderr
    assert not [j for j in world.printer.joblog.jobs() if "Killed before its job" in j.detail]
    after = sorted(p.relative_to(world.printer.paths.data_dir) for p in world.printer.paths.data_dir.rglob("*"))
    assert [str(p) for p in after if p not in before and not p.name.startswith("jobs.sqlite3")] == []
    assert world.mailbox(subject="Killed before its job") == []


def test_a_job_whose_message_was_never_stored_says_how_to_send_it(home_world):
    world = home_world
    job_id = _send_killed_at_queued(world, "Never stored")
    with closing(sqlite3.connect(world.printer.paths.joblog_file)) as conn, conn:  # as an older version left it
        conn.execute("UPDATE jobs SET request = NULL WHERE id = ?", (job_id,))
    retried = world.run("jobs", "retry", str(job_id))
    assert retried.returncode == 1
    assert "Traceback" not in retried.stderr
    assert (f"Job {job_id} cannot be sent again: Its message was not stored before the job stopped"
            in retried.stderr)
    assert "send it as a new job (from the panel, or with panel-tui send --to ADDRESS)" in retried.stderr
    assert world.mailbox(subject="Never stored") == []
