from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import timedelta

import pytest

from panel_tui.device.joblog import JOB_TYPES, STAGES, JobLog, scrub_detail
from tests.helpers.joblog import orphan_running_jobs


@pytest.fixture
def joblog(tmp_path, clock) -> JobLog:
    return JobLog(tmp_path / "jobs.sqlite3", clock)


def test_wal_mode_is_on(joblog):
    with closing(sqlite3.connect(joblog.db_path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert joblog.journal_mode() == "wal"


def test_start_and_finish(joblog, clock):
    job_id = joblog.start("test_mail", "to user@contoso.com")
    job = joblog.get(job_id)
    assert (job.result, job.ended_at, job.started_at, job.detail) == (
        "running", None, clock.now(), "to user@contoso.com")
    assert job.job_type_key == "job.type.test_mail" and job.result_key == "job.result.running"
    clock.advance(timedelta(seconds=3))
    done = joblog.finish(job_id, "error", error_code=361)
    assert done.result == "error" and done.error_code == 361 and done.ended_at - done.started_at == timedelta(seconds=3)
    assert done.error.situation_key == "error.361.situation"
    assert done.detail == "to user@contoso.com"
    assert joblog.finish(job_id, "ok", detail="sent").detail == "sent"


def test_jobs_newest_first_with_limit(joblog):
    ids = [joblog.start(job_type) for job_type in JOB_TYPES]
    assert [job.id for job in joblog.jobs()] == ids[::-1]
    assert [job.id for job in joblog.jobs(limit=2)] == ids[:-3:-1]


def test_rejects_unknown_type_result_and_id(joblog):
    with pytest.raises(ValueError):
        joblog.start("print")
    job_id = joblog.start("connection_check")
    with pytest.raises(ValueError):
        joblog.finish(job_id, "running")
    with pytest.raises(ValueError):
        joblog.finish(job_id, "great")
    with pytest.raises(KeyError):
        joblog.finish(job_id + 100, "ok")
    assert joblog.get(job_id + 100) is None


def test_database_refuses_unknown_result(joblog):
    with closing(sqlite3.connect(joblog.db_path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO jobs (job_type, started_at, result) VALUES ('test_mail', 'x', 'bogus')")


def test_recover_interrupted_on_reopen(tmp_path, clock):
    path = tmp_path / "jobs.sqlite3"
    first = JobLog(path, clock)
    running = first.start("scan_to_email")
    finished = first.start("test_mail")
    first.finish(finished, "ok")
    clock.advance(timedelta(minutes=1))
    assert JobLog(path, clock).recovered == 0  # its sender (this process) is alive: not touched
    orphan_running_jobs(path)  # ... until the process that was sending it is gone
    reopened = JobLog(path, clock)
    assert reopened.recovered == 1
    job = reopened.get(running)
    assert job.result == "interrupted" and job.ended_at == clock.now()
    assert reopened.get(finished).result == "ok"
    assert reopened.recover_interrupted() == 0


def test_job_survives_a_crashed_process(tmp_path, clock):
    path = tmp_path / "jobs.sqlite3"
    code = (
        "import os, sys\n"
        "from panel_tui.device.joblog import JobLog\n"
        "log = JobLog(sys.argv[1])\n"
        "print(log.start('to_my_email'), flush=True)\n"
        "os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    job_id = int(proc.stdout.strip())
    log = JobLog(path, clock)
    assert log.recovered == 1 and log.get(job_id).result == "interrupted"


def test_threads_can_log_concurrently(joblog):
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(20):
                joblog.finish(joblog.start("connection_check"), "ok")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    jobs = joblog.jobs(limit=1000)
    assert len(jobs) == 160 and {job.result for job in jobs} == {"ok"}
    assert joblog.running() == []


def test_clear(joblog):
    joblog.start("fax_email")
    joblog.clear()
    assert joblog.jobs() == []


def test_detail_is_scrubbed_of_tokens(joblog):
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    job_id = joblog.start("test_mail", f"AUTH XOAUTH2 dXNlcj1hQGIuY29tAWF1dGg9QmVhcmVyIGV5SjAB password=hunter2 {jwt}")
    detail = joblog.get(job_id).detail
    assert "hunter2" not in detail and "eyJ" not in detail and "dXNlcj1h" not in detail
    assert "[redacted]" in detail
    joblog.finish(job_id, "error", 312, detail=f"535 5.7.3 Authentication unsuccessful; Bearer {jwt}")
    detail = joblog.get(job_id).detail
    assert "eyJ" not in detail and detail.startswith("535 5.7.3 Authentication unsuccessful")


def test_scrub_keeps_ordinary_text_and_limits_length():
    assert scrub_detail("refresh token expired (AADSTS700082)") == "refresh token expired (AADSTS700082)"
    assert scrub_detail("to user@contoso.onmicrosoft.com") == "to user@contoso.onmicrosoft.com"
    assert len(scrub_detail("word " * 500)) == 500


def test_a_log_moved_aside_by_another_process_is_started_anew(tmp_path, clock):
    """The panel keeps its JobLog open while `panel-tui jobs --repair` moves the file aside."""
    path = tmp_path / "jobs.sqlite3"
    panel, cli = JobLog(path, clock), JobLog(path, clock)
    panel.start("test_mail")
    path.write_bytes(b"garbage" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"jobs.sqlite3{suffix}").unlink(missing_ok=True)
    assert cli.repair() is not None
    job_id = panel.start("scan_to_email")
    assert [job.id for job in panel.jobs()] == [job_id] and cli.get(job_id).job_type == "scan_to_email"


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every SQL statement the job log's connections opened from now on run."""
    seen: list[str] = []
    original = JobLog._raw_connect

    def tracing(self):
        conn = original(self)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(JobLog, "_raw_connect", tracing)
    return seen


def test_a_job_from_start_to_end_shares_one_connection(joblog, connections_opened):
    """Opening and closing a connection per call cost a WAL checkpoint each time (a send made 8)."""
    with joblog.kept_open():
        job_id = joblog.start("test_mail")
        for stage in ("connected", "authenticated", "data_sent", "accepted"):
            joblog.set_stage(job_id, stage)
        joblog.finish(job_id, "ok")
    assert len(connections_opened) == 1
    assert joblog.get(job_id).result == "ok"  # outside the block: a connection of its own, closed
    assert len(connections_opened) == 2


def test_no_commit_of_a_job_waits_for_the_disk(joblog, statements):
    """Every commit survives a kill -9 (it is in the WAL before the call returns) without an fsync
    on the caller's thread: what must survive a power cut is flushed by `sync_soon()`."""
    with closing(JobLog._raw_connect(joblog)) as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, for every connection
    statements.clear()
    with joblog.kept_open():
        job_id = joblog.start("test_mail", request='{"job_type": "test_mail"}')
        for stage in STAGES[1:]:
            joblog.set_stage(job_id, stage)
        joblog.finish(job_id, "ok")
    writes = [text for text in statements if text.split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 6 and not [text for text in statements if text.startswith("PRAGMA synchronous")]


def test_sync_soon_flushes_the_wal_on_a_thread_of_its_own(joblog, monkeypatch):
    flushed = []
    real = os.fdatasync

    def fdatasync(fd):
        real(fd)
        flushed.append((threading.current_thread().name, os.readlink(f"/proc/self/fd/{fd}")))

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    with joblog.kept_open():
        joblog.start("test_mail")
        joblog.sync_soon().result(timeout=30)
    wal = f"{joblog.db_path}-wal"
    assert [entry for entry in flushed if entry[1] == wal] == [("joblog-flush", wal)]


def test_a_jobs_request_is_kept_with_its_row_until_it_succeeds(joblog):
    with joblog.kept_open():
        kept = joblog.start("test_mail", request="what a retry sends")
        done = joblog.start("test_mail", request="sent")
        joblog.finish(kept, "error", error_code=313)
        joblog.finish(done, "ok")
    assert (joblog.request_of(kept), joblog.request_of(done)) == ("what a retry sends", None)
    assert joblog.kept_requests() == [kept]
    _, again = joblog.claim_retry(kept, request="what a retry sends")
    assert (joblog.request_of(kept), joblog.request_of(again)) == (None, "what a retry sends")  # moved along


def test_a_stage_survives_a_process_killed_right_after(tmp_path, clock):
    path = tmp_path / "jobs.sqlite3"
    code = (
        "import os, sys\n"
        "from panel_tui.device.joblog import JobLog\n"
        "log = JobLog(sys.argv[1])\n"
        "with log.kept_open():\n"
        "    job = log.start('test_mail')\n"
        "    log.set_stage(job, 'authenticated')\n"
        "    print(job, flush=True)\n"
        "    os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    job = JobLog(path, clock).get(int(proc.stdout.strip()))
    assert (job.result, job.stage) == ("interrupted", "authenticated")


def test_opening_an_up_to_date_job_log_writes_nothing(tmp_path, clock, statements):
    path = tmp_path / "jobs.sqlite3"
    JobLog(path, clock).start("test_mail")
    statements.clear()  # only the second opening counts
    assert JobLog(path, clock).recovered == 0
    writes = [s for s in statements if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE", "ALTER")
              or (s.upper().startswith("PRAGMA USER_VERSION=") or s.upper().startswith("PRAGMA USER_VERSION ="))]
    assert writes == []


def test_a_lingering_connection_serves_the_next_job_and_never_a_replaced_file(joblog, connections_opened):
    """A printer that sends keeps one connection from job to job (no checkpoint per job); when
    another process moves the file aside and starts a new one, the next job writes the new file."""
    joblog.linger = True
    for _ in range(3):
        with joblog.kept_open():
            job_id = joblog.start("test_mail")
            joblog.finish(job_id, "ok")
    assert len(connections_opened) == 1
    aside = joblog.db_path.with_name("moved-aside.sqlite3")
    for suffix in ("", "-wal", "-shm"):  # `jobs --repair` in another process moves it aside ...
        source = joblog.db_path.with_name(joblog.db_path.name + suffix)
        if source.exists():
            os.replace(source, aside.with_name(aside.name + suffix))
    other = JobLog(joblog.db_path)  # ... which starts a new log at the same path
    assert other.jobs() == []
    with joblog.kept_open():
        new_id = joblog.start("test_mail")
    assert len(connections_opened) >= 2  # a new connection, to the new file
    assert [job.id for job in other.jobs()] == [new_id]
    assert len(JobLog(aside, recover=False).jobs()) == 3  # the old file got nothing more
