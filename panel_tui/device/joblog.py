"""The durable job log (Job/Status > Job Status): SQLite in WAL mode, safe to call from threads.

Each job records how far it got (`STAGES`): a job whose message data went out but whose reply
never came is "unconfirmed" (the message may have arrived), not "error". A mail job's request
(what a retry sends) is stored in its row, in the same transaction as the row itself, and
cleared when the job succeeds. A job log that cannot be used (corrupt, unreadable, disk full)
raises JobLogError naming the file and the problem; only job commands need it, and `repair()`
moves a broken file aside for a new log.

Durability. Every commit is in the WAL, in the operating system's hands, before the call
returns (synchronous=NORMAL): a process killed at any point (kill -9) loses nothing it
committed. What must also survive a power cut is flushed to the disk by `sync_soon()` on a
thread of its own, within FLUSH_DELAY, while the caller goes on (a mail job asks when its
message data goes out and when it ends; see `panel_tui.mail.jobs`); `clear()` is synced before
it returns. A power cut can undo only the commits of the last FLUSH_DELAY (as PostgreSQL's
synchronous_commit=off does with its WAL writer's delay); the database is never damaged.
"""
from __future__ import annotations

import atexit
import contextlib
import errno
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Generator
from concurrent.futures import Future
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from panel_tui.device.atomic import fsync_directory
from panel_tui.device.clock import Clock, SystemClock
from panel_tui.device.errors import CAUSES, ErrorCause, ErrorCode, lookup

JOB_TYPES = ("connection_check", "test_mail", "scan_to_email", "to_my_email", "fax_email")
RESULTS = ("running", "ok", "error", "interrupted", "cancelled", "unconfirmed")
FINAL_RESULTS = tuple(r for r in RESULTS if r != "running")
# How far a job got; after "data_sent" (the final dot of DATA) the server may have the message.
STAGES = ("queued", "connected", "authenticated", "data_sent", "accepted")
# Results a job can be sent again from (an unconfirmed one with a warning).
RETRYABLE_RESULTS = ("error", "interrupted", "cancelled", "unconfirmed")
UNCONFIRMED_NOTE = "unconfirmed: the message data was sent but the server's reply never came; it may have arrived"
DETAIL_MAX = 500
SCHEMA_VERSION = 4
JOB_ID_MAX = 2**63 - 1  # SQLite's INTEGER range

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    job_type TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    result TEXT NOT NULL CHECK (result IN ({", ".join(repr(r) for r in RESULTS)})),
    error_code INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    owner_pid INTEGER,
    stage TEXT NOT NULL DEFAULT 'queued',
    message_id TEXT,
    retried_by INTEGER,
    cause TEXT,
    message_key TEXT,
    fix_key TEXT,
    fixer TEXT,
    reason TEXT,
    request TEXT
);
CREATE INDEX IF NOT EXISTS jobs_result ON jobs (result);
"""
_ADDED_COLUMNS = {  # columns a job log of an older schema lacks
    "owner_pid": "INTEGER",
    "stage": "TEXT NOT NULL DEFAULT 'queued'",
    "message_id": "TEXT",
    "retried_by": "INTEGER",
    # How a failed job is explained, fixed when it ends (schema 3): every surface shows these.
    "cause": "TEXT",
    "message_key": "TEXT",
    "fix_key": "TEXT",
    "fixer": "TEXT",
    "reason": "TEXT",
    # What a retry sends (schema 4): kept with the row until the job succeeds.
    "request": "TEXT",
}

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


class JobLogError(Exception):
    """The job log cannot be used; says which file and what is wrong (and `disk_full`)."""

    def __init__(self, path: Path, problem: str, *, disk_full: bool = False, corrupt: bool = False) -> None:
        self.path = Path(path)
        self.problem = problem
        self.disk_full = disk_full
        self.corrupt = corrupt
        super().__init__(f"{path}: {problem}")


class RetryRefused(Exception):
    """A job cannot be sent again: `reason` is a locale key (job.retry_not_possible, job.already_retried)."""

    def __init__(self, reason: str, detail: str = "", retried_by: int | None = None) -> None:
        self.reason = reason
        self.retried_by = retried_by
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass(frozen=True)
class JobTrouble:
    """Why a job failed and what to do, as stored with it: the one truth that the outcome dialog,
    Job Status, the guided lesson and the CLI all show (locale keys, and the server's words)."""

    code: int
    message_key: str
    fix_key: str
    fixer: str
    cause: str | None = None  # the error table's cause name (None for a job logged before causes were stored)
    reason: str = ""  # what the server or the sign-in service said (scrubbed)

    @property
    def fixer_key(self) -> str:
        return f"fixer.{self.fixer}"


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
    stage: str = "queued"
    message_id: str | None = None
    retried_by: int | None = None
    cause: str | None = None
    message_key: str | None = None
    fix_key: str | None = None
    fixer: str | None = None
    reason: str = ""

    @property
    def job_type_key(self) -> str:
        return f"job.type.{self.job_type}"

    @property
    def result_key(self) -> str:
        return f"job.result.{self.result}"

    @property
    def stage_key(self) -> str:
        return f"job.stage.{self.stage}"

    @property
    def retryable(self) -> bool:
        """Whether "send again" applies: ended without success, a mail job, not retried yet."""
        return (self.result in RETRYABLE_RESULTS and self.retried_by is None
                and self.job_type != "connection_check")

    @property
    def error(self) -> ErrorCode | None:
        """The error table entry for this job's code, if it has one."""
        return None if self.error_code is None else lookup(self.error_code)

    @property
    def trouble(self) -> JobTrouble | None:
        """The stored explanation of a failed job (None if it has no error code).

        A job logged before explanations were stored falls back on its code's table entry.
        """
        if self.error_code is None:
            return None
        if self.message_key and self.fix_key and self.fixer:
            return JobTrouble(self.error_code, self.message_key, self.fix_key, self.fixer, self.cause, self.reason)
        entry = lookup(self.error_code)
        return JobTrouble(self.error_code, entry.situation_key, entry.solution_key, entry.fixer, None, self.reason)


def _row_to_job(row: tuple[Any, ...]) -> Job:
    """A row as a Job; a row no version of panel-tui wrote (damage) raises sqlite3.DatabaseError."""
    try:
        return _job_of(row)
    except (TypeError, ValueError) as error:
        raise sqlite3.DatabaseError(f"a job record is malformed (job {row[0]!r}: {error})") from None


def _job_of(row: tuple[Any, ...]) -> Job:
    (job_id, job_type, started, ended, result, code, detail, stage, message_id, retried_by,
     cause, message_key, fix_key, fixer, reason) = row
    return Job(
        id=job_id,
        job_type=job_type,
        started_at=datetime.fromisoformat(started),
        ended_at=datetime.fromisoformat(ended) if ended else None,
        result=result,
        error_code=code,
        detail=detail or "",
        stage=stage or "queued",
        message_id=message_id,
        retried_by=retried_by,
        cause=cause,
        message_key=message_key,
        fix_key=fix_key,
        fixer=fixer,
        reason=reason or "",
    )


_COLUMNS = ("id, job_type, started_at, ended_at, result, error_code, detail, stage, message_id, retried_by,"
            " cause, message_key, fix_key, fixer, reason")
_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)  # UPDATE ... RETURNING
_RECORDED_CAUSE = re.compile(r"^([a-z0-9_]+): (.*)$", re.S)  # how a job's detail names its cause


def _explain_old_jobs(conn: sqlite3.Connection) -> None:
    """Store the explanation of failed jobs logged before schema 3, read from the cause their
    detail recorded ("... | smtp_auth_security_defaults: 535 5.7.139 ..."), else their code's entry."""
    rows = conn.execute("SELECT id, error_code, detail FROM jobs WHERE error_code IS NOT NULL"
                        " AND message_key IS NULL").fetchall()
    for job_id, code, detail in rows:
        name, reason = None, ""
        for part in (detail or "").split(" | "):
            match = _RECORDED_CAUSE.match(part)
            if match and match.group(1) in CAUSES and CAUSES[match.group(1)].code == code:
                name, reason = match.group(1), match.group(2)
        if name is not None:
            found = CAUSES[name]
            explained = (name, found.message_key, found.fix_key, found.fixer, reason or None)
        else:
            entry = lookup(code)
            explained = (None, entry.situation_key, entry.solution_key, entry.fixer, None)
        conn.execute("UPDATE jobs SET cause = ?, message_key = ?, fix_key = ?, fixer = ?, reason = ? WHERE id = ?",
                     (*explained, job_id))


def _row_id(cursor: sqlite3.Cursor) -> int:
    row_id = cursor.lastrowid
    if row_id is None:  # pragma: no cover - an INSERT always sets it
        raise sqlite3.DatabaseError("the job log gave no id for a new job")
    return row_id


# How long a flush waits for more commits to carry (a database's group commit): a power cut
# can undo at most the commits of this last moment; a kill -9 none.
FLUSH_DELAY = 0.1


class _WalFlusher:
    """Flushes job logs' WAL files to the disk on a daemon thread of its own, FLUSH_DELAY after
    the first request: every request made meanwhile shares that flush (one per file), so
    back-to-back jobs do not write into a file while it is being flushed after each commit."""

    def __init__(self) -> None:
        self._wanted = threading.Condition()
        self._pending: dict[Path, Future[None]] = {}
        self._thread: threading.Thread | None = None
        self._flushed_inodes: dict[Path, int] = {}

    def request(self, wal_path: Path) -> Future[None]:
        with self._wanted:
            future = self._pending.get(wal_path)
            if future is None:
                future = self._pending[wal_path] = Future()
                self._wanted.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="joblog-flush", daemon=True)
                self._thread.start()
                atexit.register(self.flush_now)  # a process that ends first flushes what it asked for
            return future

    def _run(self) -> None:
        while True:
            with self._wanted:
                while not self._pending:
                    self._wanted.wait()
            time.sleep(FLUSH_DELAY)
            self.flush_now()

    def flush_now(self) -> None:
        with self._wanted:
            pending, self._pending = self._pending, {}
        for wal_path, future in pending.items():
            try:
                self._flush(wal_path)
            except OSError as error:
                future.set_exception(error)
            else:
                future.set_result(None)

    def _flush(self, wal_path: Path) -> None:
        try:
            fd = os.open(wal_path, os.O_RDONLY)
        except FileNotFoundError:  # no WAL: every commit is in the database file, flushed by its checkpoint
            return
        try:
            getattr(os, "fdatasync", os.fsync)(fd)  # what synchronous=FULL does after each commit
            inode = os.fstat(fd).st_ino
        finally:
            os.close(fd)
        if self._flushed_inodes.get(wal_path) != inode:  # a new WAL file: its name in the folder too, once
            fsync_directory(wal_path.parent)
            self._flushed_inodes[wal_path] = inode


_FLUSHER = _WalFlusher()


@contextmanager
def _synced(conn: sqlite3.Connection) -> Generator[None, None, None]:
    """The block's commits reach the disk before they return (the WAL fsynced), not only the WAL."""
    conn.execute("PRAGMA synchronous=FULL")
    try:
        yield
    finally:
        conn.execute("PRAGMA synchronous=NORMAL")


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # a job of this very process is still being sent
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError):
        return False
    return True


DISK_FULL_PROBLEM = "the disk is full (no space left to write the job log)"
DISK_FULL_BELOW = 256 * 1024  # bytes free: SQLite's -wal and -shm files need more than this


def _malformed_text(error: UnicodeDecodeError) -> sqlite3.DatabaseError:
    return sqlite3.DatabaseError(f"a job record is malformed (text that is not UTF-8: {error.reason})")


SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse_not_a_database(path: Path) -> None:
    """A file that holds something, but not a database, is never set up as a new job log over
    it (SQLite would, for a few bytes of anything): it is damaged, and kept for `--repair`."""
    if not path.is_file():  # a folder, a device ...: SQLite says what it cannot open
        return
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise sqlite3.DatabaseError("file is not a database")


def _no_space_left(folder: Path) -> bool:
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < DISK_FULL_BELOW


def _problem(error: BaseException) -> tuple[str, bool, bool]:
    """(what is wrong in words, is the disk full, is the file corrupt) for a database failure."""
    text = str(error)
    lowered = text.lower()
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL_PROBLEM, True, False
    if "full" in lowered:
        return DISK_FULL_PROBLEM, True, False
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered
        or "could not decode" in lowered
    ):
        return f"the file is damaged ({text})", False, True
    if isinstance(error, OSError):
        return f"cannot be used: {error.strerror or text}", False, False
    if "unable to open" in lowered or "readonly" in lowered or "disk i/o" in lowered:
        return f"cannot be opened or written ({text})", False, False
    return f"cannot be used ({text})", False, False


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


class JobLog:
    """Jobs of one printer. Every call opens its own connection, except inside `kept_open()` (a
    job from start to end); writes are serialised by a lock.

    On open, jobs a crash left 'running' become 'interrupted' (or 'unconfirmed' if their message
    data had gone out); `recovered` says how many. Opening never fails: a log that cannot be
    used raises JobLogError from the call that needs it, so other commands keep working.
    """

    def __init__(self, db_path: Path, clock: Clock | None = None, recover: bool = True) -> None:
        self.db_path = Path(db_path)
        self.clock = clock or SystemClock()
        self._write_lock = threading.RLock()
        self._kept: sqlite3.Connection | None = None  # the connection kept_open() shares
        self._kept_file: int | None = None  # the inode it was opened on
        self._kept_depth = 0
        self._file_checked = False  # the file looked at since the outermost kept_open() block began
        # True (a printer that sends): the kept connection outlives its block for the next job, so
        # a job does not pay a WAL checkpoint for closing it; see _connection for the file check.
        self.linger = False
        self._ready = False
        self._recover = recover
        self._wal_path = self.db_path.with_name(self.db_path.name + "-wal")
        self.recovered = 0
        try:
            with self.kept_open():  # setting up and recovering: one connection
                self._initialise()
        except JobLogError:
            pass  # reported by the first call that needs the job log

    # -- opening -----------------------------------------------------------------------

    def _initialise(self) -> None:
        with self._write_lock:
            if self._ready:
                return
            try:
                self.db_path.parent.mkdir(parents=True, exist_ok=True)
                if not self.db_path.exists():
                    # Recipients and subjects are private: the file (and SQLite's -wal/-shm,
                    # which copy its mode) is the owner's only.
                    os.close(os.open(self.db_path, os.O_RDWR | os.O_CREAT, 0o600))
                _refuse_not_a_database(self.db_path)
                mode = stat.S_IMODE(self.db_path.stat().st_mode)
                if mode & 0o077:  # a log written before it was kept private
                    os.chmod(self.db_path, mode & 0o700)
                with self._connection() as conn:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript(_SCHEMA)
                    self._migrate(conn)
                    if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")  # a write: only once
            except (sqlite3.Error, OSError) as error:
                raise self._error(error) from None
            except UnicodeDecodeError as error:  # its schema's text spoiled on disk
                raise self._error(_malformed_text(error)) from None
            self._ready = True
            if self._recover:
                self.recovered = self.recover_interrupted()

    def _migrate(self, conn: sqlite3.Connection) -> None:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
        for name, declaration in _ADDED_COLUMNS.items():
            if name not in columns:
                conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {declaration}")
        if "message_key" not in columns:
            _explain_old_jobs(conn)
        (table_sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='jobs'").fetchone()
        if "'unconfirmed'" not in table_sql:  # the CHECK of results predates "unconfirmed": rebuild it
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("ALTER TABLE jobs RENAME TO jobs_old")
                conn.execute("DROP INDEX IF EXISTS jobs_result")
                for statement in _SCHEMA.strip().split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"INSERT INTO jobs ({_COLUMNS}, owner_pid, request)"
                             f" SELECT {_COLUMNS}, owner_pid, request FROM jobs_old")
                conn.execute("DROP TABLE jobs_old")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _error(self, error: BaseException) -> JobLogError:
        problem, disk_full, corrupt = _problem(error)
        if not (disk_full or corrupt) and _no_space_left(self.db_path.parent):
            # SQLite says "disk I/O error" when it cannot make its -shm file on a full disk,
            # even to read: the disk is what to fix, not the job log (no --repair).
            problem, disk_full = DISK_FULL_PROBLEM, True
        return JobLogError(self.db_path, problem, disk_full=disk_full, corrupt=corrupt)

    def _raw_connect(self) -> sqlite3.Connection:
        # autocommit mode; explicit transactions where several statements belong together;
        # check_same_thread off: a kept connection serves any thread, one at a time (the lock)
        conn = sqlite3.connect(self.db_path, timeout=10, isolation_level=None, check_same_thread=False)
        # Commits reach the WAL (survive a kill -9) without an fsync each; `sync_soon()` flushes
        # them where a power cut must not undo them (see the module's docstring).
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @contextmanager
    def kept_open(self) -> Generator[None, None, None]:
        """Calls inside the block (any thread, one at a time) share one connection: a job's start,
        stages and end. Opening and closing a connection per call cost a WAL checkpoint each time.
        It is closed when the block ends, or with `linger` kept for the next block; a kept
        connection is used only while the file is the one it was opened on, so a file moved aside
        by `jobs --repair` in another process is never written through an old one (the block's
        first call looks at the file; a job's next calls come milliseconds later)."""
        with self._write_lock:
            self._kept_depth += 1
            if self._kept_depth == 1:
                self._file_checked = False
        try:
            yield
        finally:
            with self._write_lock:
                self._kept_depth -= 1
                if self._kept_depth == 0 and not self.linger:
                    self._drop_kept()

    def _drop_kept(self) -> None:
        conn, self._kept, self._kept_file = self._kept, None, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):  # a file spoiled under it: nothing left to close politely
                conn.close()

    @contextmanager
    def _connection(self) -> Generator[sqlite3.Connection, None, None]:
        """Inside kept_open(): the kept connection, held by this thread until the block ends (a
        failure drops it). Otherwise a new connection of its own, closed after the block."""
        with self._write_lock:
            if self._kept_depth > 0:
                if self._kept is not None and not self._file_checked and self._kept_file != _inode(self.db_path):
                    self._drop_kept()  # moved aside or replaced (`jobs --repair` elsewhere): never written through
                if self._kept is None:
                    self._kept = self._raw_connect()
                    self._kept_file = _inode(self.db_path)
                self._file_checked = True
                try:
                    yield self._kept
                except BaseException:
                    self._drop_kept()  # the next call starts on a new connection
                    raise
                return
        with closing(self._raw_connect()) as conn:
            yield conn

    @contextmanager
    def _db(self) -> Generator[sqlite3.Connection, None, None]:
        """A connection to a usable job log; any database failure becomes a JobLogError."""
        if self._ready and not (self._kept_depth > 0 and self._file_checked) and not self.db_path.exists():
            self._ready = False  # moved aside (`jobs --repair` in another process): start the new one
            with self._write_lock:
                self._drop_kept()
        self._initialise()
        try:
            with self._connection() as conn:
                yield conn
        except (sqlite3.Error, OSError) as error:
            if "no such table" in str(error):
                self._ready = False  # replaced behind our back: the next call sets it up again
            raise self._error(error) from None
        except UnicodeDecodeError as error:  # a text column spoiled on disk: damage, like a bad page
            raise self._error(_malformed_text(error)) from None

    def check(self) -> None:
        """Raise JobLogError if the job log cannot be used (reads every page: finds damage)."""
        with self._db() as conn:
            (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise JobLogError(self.db_path, f"the file is damaged ({verdict})", corrupt=True)

    def repair(self) -> Path | None:
        """Move a job log that cannot be used aside (with its -wal/-shm) and start a new one.

        Returns where the old file went (None if it was fine and is kept).
        """
        with self._write_lock:
            try:
                self._ready = False
                self.check()
                return None
            except JobLogError as error:
                if error.disk_full:
                    raise  # a new log would not fit either: free some space first
            self._drop_kept()  # never a connection to the file being moved aside
            stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
            aside = self.db_path.with_name(f"{self.db_path.name}.broken-{stamp}")
            counter = 1
            while aside.exists():
                counter += 1
                aside = self.db_path.with_name(f"{self.db_path.name}.broken-{stamp}-{counter}")
            if self.db_path.exists():
                os.replace(self.db_path, aside)
            for suffix in ("-wal", "-shm"):
                companion = self.db_path.with_name(self.db_path.name + suffix)
                if companion.exists():
                    os.replace(companion, aside.with_name(aside.name + suffix))
            self._ready = False
            self._initialise()
            return aside

    # -- jobs --------------------------------------------------------------------------

    def _now(self) -> str:
        return self.clock.now().isoformat()

    def journal_mode(self) -> str:
        """The SQLite journal mode in effect ("wal")."""
        with self._db() as conn:
            return str(conn.execute("PRAGMA journal_mode").fetchone()[0])

    def start(self, job_type: str, detail: str = "", message_id: str | None = None,
              request: str | None = None) -> int:
        """Record a new running job (stage "queued") with the `request` a retry would send (one
        transaction: a job is never without its request) and return its id."""
        if job_type not in JOB_TYPES:
            raise ValueError(f"unknown job type {job_type!r}; expected one of {', '.join(JOB_TYPES)}")
        with self._write_lock, self._db() as conn:
            cursor = conn.execute(
                "INSERT INTO jobs (job_type, started_at, result, detail, owner_pid, message_id, request)"
                " VALUES (?, ?, 'running', ?, ?, ?, ?)",
                (job_type, self._now(), scrub_detail(detail), os.getpid(), message_id, request),
            )
            return _row_id(cursor)

    def claim_retry(self, job_id: int, detail: str = "", message_id: str | None = None,
                    request: str | None = None) -> tuple[Job, int]:
        """Claim `job_id` for a retry and record the new running job, in one transaction; the
        `request` moves to the new job (the old one keeps its history, not its request).

        Two processes retrying the same job at once: one gets (old job, new id), the other
        RetryRefused("job.already_retried"). A job that succeeded or still runs cannot be retried.
        """
        with self._write_lock, self._db() as conn:
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: the check and the claim are one step
            try:
                row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
                if row is None:
                    raise KeyError(f"no job with id {job_id}")
                job = _row_to_job(row)
                if job.retried_by is not None:
                    raise RetryRefused("job.already_retried", f"job #{job_id} was sent again as #{job.retried_by}",
                                       job.retried_by)
                if job.result not in RETRYABLE_RESULTS:
                    raise RetryRefused("job.retry_not_possible", f"job #{job_id} is {job.result}")
                cursor = conn.execute(
                    "INSERT INTO jobs (job_type, started_at, result, detail, owner_pid, message_id, request)"
                    " VALUES (?, ?, 'running', ?, ?, ?, ?)",
                    (job.job_type, self._now(), scrub_detail(detail), os.getpid(), message_id or job.message_id,
                     request),
                )
                new_id = _row_id(cursor)
                conn.execute("UPDATE jobs SET retried_by = ?, request = NULL WHERE id = ?", (new_id, job_id))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return job, new_id

    def set_stage(self, job_id: int, stage: str) -> None:
        """Record how far a running job got; it survives a kill -9 right after (committed to the
        WAL), and a power cut once `sync_soon()` asked after it is done."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
        with self._write_lock, self._db() as conn:
            conn.execute("UPDATE jobs SET stage = ? WHERE id = ?", (stage, job_id))

    def sync_soon(self) -> Future[None]:
        """A future done once every commit made before this call is on the disk (survives a power
        cut): the WAL flushed on a thread of its own within FLUSH_DELAY, so the caller never waits
        on the disk unless it waits on the future. Its exception is the OSError of a failed flush."""
        return _FLUSHER.request(self._wal_path)

    def request_of(self, job_id: int) -> str | bytes | None:
        """The request stored with a job (None once it succeeded or was sent again, or for a job
        logged before requests were stored). Bytes only if the file was damaged."""
        with self._db() as conn:
            row = conn.execute("SELECT request FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        value = row[0]
        return value if isinstance(value, (str, bytes)) else str(value)

    def kept_requests(self) -> list[int]:
        """Ids of ended jobs whose request is kept (failed or interrupted: they can be sent again)."""
        with self._db() as conn:
            rows = conn.execute("SELECT id FROM jobs WHERE request IS NOT NULL AND result != 'running'"
                                " ORDER BY id").fetchall()
        return [job_id for (job_id,) in rows]

    def adopt_request(self, request: str, *, job_id: int | None = None, message_id: str | None = None) -> bool:
        """Store `request` with the job `job_id` (or the newest job of `message_id`) that has none
        yet and is not done (an older version kept requests in files); False if no job fits."""
        with self._write_lock, self._db() as conn:
            if job_id is None:
                found = conn.execute("SELECT max(id) FROM jobs WHERE message_id = ?", (message_id,)).fetchone()
                job_id = found[0] if found else None
            if job_id is None:
                return False
            cursor = conn.execute("UPDATE jobs SET request = ? WHERE id = ? AND request IS NULL"
                                  " AND result != 'ok' AND retried_by IS NULL", (request, job_id))
            return cursor.rowcount > 0

    def finish(self, job_id: int, result: str, error_code: int | None = None, detail: str | None = None,
               cause: ErrorCause | None = None, cause_name: str | None = None, reason: str = "",
               stage: str | None = None) -> Job:
        """Close a job with a final result (and error code); returns the updated job. `stage`, if
        given, is how far it got, recorded in the same commit ("accepted" for a job that succeeded).

        A failure's `cause` (the error table's entry; `cause_name` if the mail layer named it more
        precisely) and the server's `reason` are stored with the job: its code, message, fix and
        fixer are decided here, once, for every surface that shows the job.
        """
        if result not in FINAL_RESULTS:
            raise ValueError(f"invalid final result {result!r}; expected one of {', '.join(FINAL_RESULTS)}")
        if stage is not None and stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
        if cause is not None and error_code is None:
            error_code = cause.code
        if error_code is not None and (isinstance(error_code, bool) or not isinstance(error_code, int)):
            raise TypeError("error_code must be an int or None")
        explained: tuple[str | None, str | None, str | None, str | None]
        if cause is not None:
            explained = (cause_name or cause.name, cause.message_key, cause.fix_key, cause.fixer)
        elif error_code is not None:
            entry = lookup(error_code)
            explained = (None, entry.situation_key, entry.solution_key, entry.fixer)
        else:
            explained = (None, None, None, None)
        with self._write_lock, self._db() as conn:
            detail_sql = "" if detail is None else ", detail = ?"
            params: tuple[Any, ...] = (self._now(), result, error_code, *explained, scrub_detail(reason) or None)
            if detail is not None:
                params += (scrub_detail(detail),)
            # A job that succeeded needs its request no more: its stage and its request in this commit.
            stage_sql = ", stage = 'accepted', request = NULL" if result == "ok" else ""
            if stage is not None and result != "ok":
                stage_sql, params = ", stage = ?", (*params, stage)
            sql = ("UPDATE jobs SET ended_at = ?, result = ?, error_code = ?, cause = ?, message_key = ?,"
                   f" fix_key = ?, fixer = ?, reason = ?{detail_sql}{stage_sql} WHERE id = ?")
            if _RETURNING:  # the updated row comes back with the update: one statement, not two
                rows = conn.execute(f"{sql} RETURNING {_COLUMNS}", (*params, job_id)).fetchall()
            else:  # pragma: no cover - SQLite before 3.35
                conn.execute(sql, (*params, job_id))
                rows = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchall()
        if not rows:
            raise KeyError(f"no job with id {job_id}")
        return _row_to_job(rows[0])

    def jobs(self, limit: int = 200) -> list[Job]:
        """The most recent jobs, newest first."""
        with self._db() as conn:  # a malformed row is damage, said as such (JobLogError)
            rows = conn.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            return [_row_to_job(row) for row in rows]

    def running(self) -> list[Job]:
        """Jobs still running, oldest first."""
        with self._db() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE result = 'running' ORDER BY id").fetchall()
            return [_row_to_job(row) for row in rows]

    def get(self, job_id: int) -> Job | None:
        """The job with `job_id` (None if there is none, or the number cannot be a job id)."""
        if isinstance(job_id, bool) or not isinstance(job_id, int) or not 0 < job_id <= JOB_ID_MAX:
            return None
        with self._db() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return _row_to_job(row) if row else None

    def recover_interrupted(self) -> int:
        """Mark jobs left 'running' by a process that is gone (a crash): 'unconfirmed' if their
        message data had been sent, else 'interrupted'.

        A job another live process (the panel, a CLI command) is sending is left alone.
        Returns how many jobs were marked.
        """
        with self._write_lock, self._db() as conn:
            rows = conn.execute("SELECT id, owner_pid, stage, detail FROM jobs WHERE result = 'running'").fetchall()
            dead = [(job_id, stage, detail) for job_id, pid, stage, detail in rows
                    if pid is None or not _process_alive(pid)]
            for job_id, stage, detail in dead:
                if stage == "data_sent":
                    conn.execute("UPDATE jobs SET result = 'unconfirmed', ended_at = ?, detail = ? WHERE id = ?",
                                 (self._now(), scrub_detail(" | ".join(p for p in (detail, UNCONFIRMED_NOTE) if p)),
                                  job_id))
                else:
                    conn.execute("UPDATE jobs SET result = 'interrupted', ended_at = ? WHERE id = ?",
                                 (self._now(), job_id))
            return len(dead)

    def clear(self) -> None:
        """Delete every job (synced: a power cut does not bring them back)."""
        with self._write_lock, self._db() as conn, _synced(conn):
            conn.execute("DELETE FROM jobs")
