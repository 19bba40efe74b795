"""The durable job log (Job/Status > Job Status): SQLite in WAL mode, safe to call from threads."""
from __future__ import annotations

import re
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from panel_tui.device.clock import Clock, SystemClock
from panel_tui.device.errors import ErrorCode, lookup

JOB_TYPES = ("connection_check", "test_mail", "scan_to_email", "to_my_email", "fax_email")
RESULTS = ("running", "ok", "error", "interrupted", "cancelled")
FINAL_RESULTS = tuple(r for r in RESULTS if r != "running")
DETAIL_MAX = 500
SCHEMA_VERSION = 1

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    job_type TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    result TEXT NOT NULL CHECK (result IN ({", ".join(repr(r) for r in RESULTS)})),
    error_code INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    owner_pid INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_result ON jobs (result);
"""

# Things that look like credentials: JWTs, bearer tokens, XOAUTH2 blobs, long base64 runs.
_SECRET_PATTERNS = (
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?"),
    re.compile(r"(?i)\b(bearer|xoauth2)(\s+)\S+"),
    re.compile(r"(?i)\b(password|passwd|pwd|token|access_token|refresh_token|secret)(\s*[:=]\s*)\S+"),
    re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}"),
)


def scrub_detail(text: str) -> str:
    """`text` with token-like strings replaced by [redacted], cut to DETAIL_MAX characters."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text[:DETAIL_MAX]


@dataclass(frozen=True)
class Job:
    """One row of the job log."""

    id: int
    job_type: str
    started_at: datetime
    ended_at: datetime | None
    result: str
    error_code: int | None
    detail: str

    @property
    def job_type_key(self) -> str:
        return f"job.type.{self.job_type}"

    @property
    def result_key(self) -> str:
        return f"job.result.{self.result}"

    @property
    def error(self) -> ErrorCode | None:
        """The error table entry for this job's code, if it has one."""
        return None if self.error_code is None else lookup(self.error_code)


def _row_to_job(row: tuple) -> Job:
    job_id, job_type, started, ended, result, code, detail = row
    return Job(
        id=job_id,
        job_type=job_type,
        started_at=datetime.fromisoformat(started),
        ended_at=datetime.fromisoformat(ended) if ended else None,
        result=result,
        error_code=code,
        detail=detail or "",
    )


_COLUMNS = "id, job_type, started_at, ended_at, result, error_code, detail"


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # a job of this very process is still being sent
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobLog:
    """Jobs of one printer. Every call opens its own connection; writes are serialised by a lock.

    On open, jobs a crash left 'running' become 'interrupted' (`recovered` says how many).
    """

    def __init__(self, db_path: Path, clock: Clock | None = None, recover: bool = True) -> None:
        self.db_path = Path(db_path)
        self.clock = clock or SystemClock()
        self._write_lock = threading.Lock()
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
            if "owner_pid" not in columns:  # a job log written before owners were recorded
                conn.execute("ALTER TABLE jobs ADD COLUMN owner_pid INTEGER")
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.recovered = self.recover_interrupted() if recover else 0

    def _connect(self) -> sqlite3.Connection:
        # autocommit mode; explicit transactions where several statements belong together
        conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None)
        # a job accepted is never lost: commits reach the disk before returning
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def _now(self) -> str:
        return self.clock.now().isoformat()

    def journal_mode(self) -> str:
        """The SQLite journal mode in effect ("wal")."""
        with closing(self._connect()) as conn:
            return conn.execute("PRAGMA journal_mode").fetchone()[0]

    def start(self, job_type: str, detail: str = "") -> int:
        """Record a new running job and return its id."""
        if job_type not in JOB_TYPES:
            raise ValueError(f"unknown job type {job_type!r}; expected one of {', '.join(JOB_TYPES)}")
        with self._write_lock, closing(self._connect()) as conn:
            cursor = conn.execute(
                "INSERT INTO jobs (job_type, started_at, result, detail, owner_pid) VALUES (?, ?, 'running', ?, ?)",
                (job_type, self._now(), scrub_detail(detail), os.getpid()),
            )
            return int(cursor.lastrowid)

    def finish(self, job_id: int, result: str, error_code: int | None = None, detail: str | None = None) -> Job:
        """Close a job with a final result (and error code); returns the updated job."""
        if result not in FINAL_RESULTS:
            raise ValueError(f"invalid final result {result!r}; expected one of {', '.join(FINAL_RESULTS)}")
        if error_code is not None and (isinstance(error_code, bool) or not isinstance(error_code, int)):
            raise TypeError("error_code must be an int or None")
        with self._write_lock, closing(self._connect()) as conn:
            if detail is None:
                cursor = conn.execute(
                    "UPDATE jobs SET ended_at = ?, result = ?, error_code = ? WHERE id = ?",
                    (self._now(), result, error_code, job_id),
                )
            else:
                cursor = conn.execute(
                    "UPDATE jobs SET ended_at = ?, result = ?, error_code = ?, detail = ? WHERE id = ?",
                    (self._now(), result, error_code, scrub_detail(detail), job_id),
                )
            if cursor.rowcount == 0:
                raise KeyError(f"no job with id {job_id}")
        job = self.get(job_id)
        assert job is not None
        return job

    def jobs(self, limit: int = 200) -> list[Job]:
        """The most recent jobs, newest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_row_to_job(row) for row in rows]

    def running(self) -> list[Job]:
        """Jobs still running, oldest first."""
        with closing(self._connect()) as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE result = 'running' ORDER BY id").fetchall()
        return [_row_to_job(row) for row in rows]

    def get(self, job_id: int) -> Job | None:
        with closing(self._connect()) as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _row_to_job(row) if row else None

    def recover_interrupted(self) -> int:
        """Mark jobs left 'running' by a process that is gone (a crash) as 'interrupted'.

        A job another live process (the panel, a CLI command) is sending is left alone.
        Returns how many jobs were marked.
        """
        with self._write_lock, closing(self._connect()) as conn:
            rows = conn.execute("SELECT id, owner_pid FROM jobs WHERE result = 'running'").fetchall()
            dead = [job_id for job_id, pid in rows if pid is None or not _process_alive(pid)]
            for job_id in dead:
                conn.execute("UPDATE jobs SET result = 'interrupted', ended_at = ? WHERE id = ?",
                             (self._now(), job_id))
            return len(dead)

    def clear(self) -> None:
        """Delete every job."""
        with self._write_lock, closing(self._connect()) as conn:
            conn.execute("DELETE FROM jobs")
