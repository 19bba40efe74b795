"""One row per seat, read from real state: the guided lesson's own `observe` (the code that
ticks the lesson panel), the seat's last job and the time of its last activity.

Each seat's steps come from its own tenant's state (a class gives every seat its own) and
its own profile; its activity from its own jobs and files.
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from panel_tui.backend import open_backend
from panel_tui.classroom.processes import home_service, pid_alive
from panel_tui.classroom.roster import class_wrote_until
from panel_tui.device.paths import simulator_dir
from panel_tui.lesson import STEPS, observe
from panel_tui.sim.client import SimControl

# The last job's result as a glyph and a style: never colour alone.
JOB_GLYPHS = {"ok": ("✓", "green"), "error": ("✗", "red"), "running": ("…", "yellow"),
              "interrupted": ("!", "yellow"), "unconfirmed": ("?", "yellow")}


@dataclass(frozen=True)
class SeatRow:
    seat: str
    upn: str
    done: dict[str, bool]
    job_type: str | None = None
    job_result: str | None = None
    job_code: int | None = None
    last_activity: float | None = None  # epoch seconds
    jobs_ok: int = 0
    jobs_failed: int = 0
    codes_met: tuple[int, ...] = ()
    first_ok_at: float | None = None  # when the seat's first job succeeded (epoch seconds)
    problem: str | None = None  # the row could not be read (the simulator is down ...)

    @property
    def steps_done(self) -> int:
        return sum(1 for step in STEPS if self.done.get(step))

    @property
    def job_glyph(self) -> tuple[str, str]:
        return JOB_GLYPHS.get(self.job_result or "", ("·", "dim"))


class _SharedState:
    """The part of a backend `observe` reads, with the simulator's state read once for all seats."""

    def __init__(self, backend, state: dict) -> None:
        self._backend = backend
        self._state = state
        self.options = backend.options

    def control(self):
        return self

    def state(self) -> dict:
        return self._state

    def session_for(self, settings):
        return self._backend.session_for(settings)

    def endpoints(self):
        return self._backend.endpoints()


class SeatHandles:
    """Each seat's printer and backend (joined to the class's simulator), opened once."""

    def __init__(self, roster) -> None:
        self.roster = roster
        self._open: dict[str, tuple] = {}
        self._joined: set[str] = set()
        self._endpoints = None
        self._control: SimControl | None = None

    def get(self, seat: str, join: bool = True):
        """The seat's printer and backend; join=False: the printer's files only (no simulator)."""
        if seat not in self._open:
            self._open[seat] = open_backend(seat, self.roster.backend_options())
        printer, backend = self._open[seat]
        if join and seat not in self._joined:
            if self._endpoints is None:
                self._endpoints = backend.endpoints()  # the first seat joins the class's simulator
            else:
                backend.use_endpoints(self._endpoints)  # the others share what it found
            self._joined.add(seat)
        return printer, backend

    def control(self) -> SimControl:
        """The simulator's control API for the whole class (the home tenant: clock, faults)."""
        if self._control is None:
            _, backend = self.get(self.roster.seats[0].name)
            self._control = SimControl.for_endpoints(backend.endpoints())
        return self._control

    def close(self) -> None:
        for _, backend in self._open.values():
            with contextlib.suppress(Exception):  # noqa: BLE001 - closing what is left
                backend.stop()
        self._open.clear()
        self._joined.clear()
        control, self._control = self._control, None
        if control is not None:
            control.close()


# Not the trainee's doing: the class's labels, the trainer's state, and the job log's files
# (opening the log to read it touches them; the jobs' own times say when the trainee worked).
_NOT_ACTIVITY = ("seat.json", "trainer.json", "jobs.sqlite3")


def _activity(printer, jobs) -> float | None:
    """When the trainee last did something at the seat: a job started or ended, or a file of the
    seat changed (settings, sign-in, sheets) after the class last wrote into it."""
    since_class = class_wrote_until(printer.paths)
    times = [moment.timestamp() for job in jobs for moment in (job.started_at, job.ended_at) if moment]
    paths = printer.paths
    for folder in (Path(paths.config_dir), Path(paths.data_dir)):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(_NOT_ACTIVITY):
                continue
            try:
                mtime = entry.stat().st_mtime
            except OSError:
                continue
            if mtime > since_class:
                times.append(mtime)
    return max(times, default=None)


def simulator_serving(roster) -> bool:
    """Whether the class's simulator serves now (asked of its lock and files: starts nothing)."""
    service = home_service()
    if service is not None:
        return service.running(simulator_dir()) is not None
    return pid_alive(roster.sim_pid)


def read_rows(roster, handles: SeatHandles, names: list[str] | None = None,
              simulator: bool = True) -> list[SeatRow]:
    """The dashboard's rows (blocking: simulator and file reads; call it in a thread).
    simulator=False: the seats' own files only (nothing is started or asked over the network)."""
    if not simulator:
        state, shared_problem = None, "simulator stopped"
    else:
        try:
            state = handles.control().state()
            shared_problem = None
        except Exception as error:  # noqa: BLE001 - every row says the simulator cannot be read
            state, shared_problem = None, str(error).splitlines()[0] if str(error) else type(error).__name__
    rows = []
    for seat in roster.seats:
        if names is not None and seat.name not in names:
            continue
        printer, backend = handles.get(seat.name, join=state is not None)
        jobs = printer.joblog.jobs(limit=200)
        last = jobs[0] if jobs else None
        codes = tuple(dict.fromkeys(j.error_code for j in reversed(jobs) if j.error_code is not None))
        common = dict(seat=seat.name, upn=seat.upn, last_activity=_activity(printer, jobs),
                      job_type=last.job_type if last else None, job_result=last.result if last else None,
                      job_code=last.error_code if last else None,
                      jobs_ok=sum(1 for j in jobs if j.result == "ok"),
                      jobs_failed=sum(1 for j in jobs if j.result == "error"), codes_met=codes,
                      first_ok_at=min((j.ended_at.timestamp() for j in jobs if j.result == "ok" and j.ended_at),
                                      default=None))
        if state is None:
            rows.append(SeatRow(done={}, problem=shared_problem, **common))
            continue
        try:
            # A seat with its own tenant: that tenant's state (its consent, its policies), never another's.
            seat_state = backend.control().state() if seat.tenant else state
            progress = observe(printer, _SharedState(backend, seat_state))
        except Exception as error:  # noqa: BLE001 - one seat's problem does not hide the others
            rows.append(SeatRow(done={}, problem=str(error).splitlines()[0] if str(error) else type(error).__name__,
                                **common))
            continue
        rows.append(SeatRow(done=dict(progress.done), **common))
    return rows


def since(epoch: float | None, now: float | None = None) -> str:
    """"12 s", "4 min", "2 h" since `epoch` ("–" when never)."""
    if epoch is None:
        return "–"
    seconds = max(0, int((now if now is not None else time.time()) - epoch))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def change_signature(roster, handles: SeatHandles) -> tuple:
    """A cheap fingerprint of everything the rows are read from: the seats' files (settings,
    sign-in, job log and its WAL, sheets) and the simulator's state file. A few stat calls
    per seat, so the dashboard can look often and read only when something changed."""
    marks: list = []
    for seat in roster.seats:
        printer, _ = handles.get(seat.name)
        for folder in (printer.paths.config_dir, printer.paths.data_dir, printer.paths.sheets_dir):
            try:
                marks.extend((entry.name, entry.stat().st_mtime_ns, entry.stat().st_size)
                             for entry in os.scandir(folder))
            except OSError:
                marks.append((str(folder), None))
    with contextlib.suppress(OSError):
        marks.extend((entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(simulator_dir())
                     if entry.is_file())
    return tuple(marks)
