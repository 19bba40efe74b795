"""Jobs are idempotent: a retry is claimed once, keeps the Message-ID and Date, says when the
first try may already have arrived, and a deleted attachment is its own error."""
from __future__ import annotations

import asyncio
import json
import signal
import threading
import time

from panel_tui.backend import BackendOptions, open_backend
from panel_tui.mail.jobs import InvalidRequest, MailRequest
from tests.reliability.conftest import MEGAN, TIMEOUT


def _failed_job(world, subject: str, attachments: tuple[str, ...] = ()) -> int:
    """A test mail that failed with 313 (SMTP down), spooled for retry."""
    world.control.set_fault("smtp_down", True)
    try:
        outcome = asyncio.run(world.backend.jobs.run(
            MailRequest("test_mail", (MEGAN.upn,), subject, "body", attachments)))
    finally:
        world.control.set_fault("smtp_down", False)
    assert (outcome.job.result, outcome.job.error_code) == ("error", 313)
    return outcome.job_id


def _jobs_json(world) -> dict[int, dict]:
    result = world.run("jobs", "--json")
    assert result.returncode == 0, result.stderr
    return {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}


def test_two_printers_retrying_one_job_at_once_send_it_once(home_world, monkeypatch):
    """Two backends of the profile (the panel and a CLI) retry the same job, both having read
    its spool before either goes on (the worst interleaving, made certain), 5 rounds: the job
    is claimed once and its message arrives once."""
    world = home_world
    other_printer, other = open_backend("default", BackendOptions(sim_url=world.sim_url))
    both_read = threading.Barrier(2)
    read_spool = MailRequest.from_json.__func__

    def from_json_then_wait(cls, text):
        request = read_spool(cls, text)
        both_read.wait(timeout=TIMEOUT)
        return request

    monkeypatch.setattr(MailRequest, "from_json", classmethod(from_json_then_wait))
    try:
        for round_ in range(5):
            subject = f"Claimed {round_}"
            job_id = _failed_job(world, subject)
            outcomes: list = []

            def retry(backend, job_id=job_id, outcomes=outcomes) -> None:
                try:
                    outcomes.append(asyncio.run(backend.jobs.retry(job_id)).job.result)
                except InvalidRequest as refused:
                    outcomes.append(refused.key)

            threads = [threading.Thread(target=retry, args=(b,)) for b in (world.backend, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=TIMEOUT)
            assert len(world.mailbox(subject=subject)) == 1, (round_, outcomes)
            assert sorted(outcomes) == ["job.already_retried", "ok"], outcomes
    finally:
        other.stop()


def test_two_concurrent_retry_commands_send_once(home_world):
    """`jobs retry N` twice at the same moment, 2 rounds: each job's message arrives once."""
    world = home_world
    for round_ in range(2):
        subject = f"Once {round_}"
        job_id = _failed_job(world, subject)
        gate = threading.Barrier(2)
        procs: list = []

        def start(gate=gate, procs=procs, job_id=job_id) -> None:
            gate.wait(timeout=TIMEOUT)
            procs.append(world.popen("jobs", "retry", str(job_id)))

        threads = [threading.Thread(target=start) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT)
        results = sorted((proc.wait(timeout=TIMEOUT), proc.stderr.read()) for proc in procs)
        assert len(world.mailbox(subject=subject)) == 1, results
        assert [code for code, _ in results] == [0, 1], results
        assert "already been sent again" in results[1][1] and "Traceback" not in results[1][1]


def test_killed_after_data_is_unconfirmed_and_its_retry_keeps_message_id_and_date(home_world):
    """kill -9 a `panel-tui send` after its message data reached the server, before the reply."""
    world = home_world
    world.control.set_fault("smtp_stall_after_data", True)
    send = world.popen("send", "--to", MEGAN.upn, "--subject", "Killed mid-send")
    deadline = time.monotonic() + TIMEOUT
    while not world.mailbox(subject="Killed mid-send"):  # the server has it; the reply never comes
        assert send.poll() is None, send.stderr.read()
        assert time.monotonic() < deadline, "the message never reached the simulator"
        threading.Event().wait(0.05)
    send.send_signal(signal.SIGKILL)
    send.wait(timeout=TIMEOUT)
    world.control.set_fault("smtp_stall_after_data", False)

    [job] = [row for row in _jobs_json(world).values() if row["result"] != "ok"]
    assert (job["result"], job["stage"]) == ("unconfirmed", "data_sent")
    assert "may have arrived" in job["detail"]

    retry = world.run("jobs", "retry", str(job["id"]))
    assert retry.returncode == 0, retry.stderr
    assert "may already have arrived" in retry.stderr and job["message_id"] in retry.stderr
    first, second = world.mailbox(subject="Killed mid-send")
    assert first["message_id"] == second["message_id"] == job["message_id"]
    assert first["date"] == second["date"]
    retried = _jobs_json(world)[job["id"]]
    assert retried["retried_by"] is not None


def test_retry_whose_attachment_was_deleted_is_attachment_missing(home_world, tmp_path):
    """Not 313 "could not connect": its own code, message and fix; exit 1; nothing sent."""
    world = home_world
    scan = tmp_path / "contract.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    job_id = _failed_job(world, "With attachment", (str(scan),))
    scan.unlink()
    retry = world.run("jobs", "retry", str(job_id))
    assert retry.returncode == 1
    assert "Error code 319" in retry.stderr and "313" not in retry.stderr
    assert "deleted or cannot be read" in retry.stderr and "Scan the document again" in retry.stderr
    assert "Traceback" not in retry.stderr
    assert world.mailbox(subject="With attachment") == []
