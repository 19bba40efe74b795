"""`panel-tui classroom start | stop | status`.

start: one simulator for the home (a `panel-tui sim` process of the home, detached, logging
to the class folder; or the one already serving the home), N profiles seat01..seatNN each
with its own mailbox user created through the simulator's control API (global
administrator, so each trainee can do the guide's admin-center steps and consent), and a
detached web process serving each seat's panel and the dashboard in a browser. Passwords are
printed once and kept 0600 in the class folder.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from panel_tui.backend import open_backend
from panel_tui.classroom.actions import SeatActions
from panel_tui.classroom.processes import home_service, pid_alive
from panel_tui.classroom.progress import SeatHandles
from panel_tui.classroom.roster import (
    KEYS_FILE,
    MAX_SEATS,
    ClassRoster,
    Seat,
    class_dir,
    mark_seat,
    record_event,
    save_keys,
    save_passwords,
    seat_name,
)
from panel_tui.device.paths import simulator_dir
from panel_tui.scenarios import load_scenario
from panel_tui.sim.client import GLOBAL_ADMIN, SimControl, SimControlError
from panel_tui.web_access import needs_key, new_key

SIM_LOG = "sim.log"
WEB_LOG = "web.log"
WEB_FILE = "web.json"
START_TIMEOUT = 60.0


class ClassError(RuntimeError):
    """The class cannot be started, stopped or read; the message says why and what to do."""


def _detached(argv: list[str], log: Path) -> subprocess.Popen:
    """A background process of its own session, stdin from /dev/null, output to `log` (0600)."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fd, stderr=fd, start_new_session=True,
                                env=env, close_fds=True)
    finally:
        os.close(fd)


def _wait_for(check, process: subprocess.Popen, what: str, log: Path, timeout: float):
    """Poll `check()` until it returns something (the process writes a file as it gets ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        if process.poll() is not None:
            break
        time.sleep(0.1)
    _terminate(process.pid)
    tail = log.read_text(encoding="utf-8", errors="replace")[-800:] if log.exists() else ""
    raise ClassError(f"the {what} did not start within {timeout:.0f} s (log {log}):\n{tail}")


def _sim_line(log: Path):
    try:
        text = log.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def start_simulator(host: str, folder: Path, started=lambda pid: None) -> tuple[dict, int | None]:
    """The home's simulator endpoints and the pid we started (None: it was already serving).
    `started(pid)` is told the pid at once, before the simulator is ready."""
    service = home_service()
    if service is not None:
        info = service.running(simulator_dir())
        if info is not None:
            serving = urlsplit(info.base_url).hostname or ""
            if host not in (serving, "127.0.0.1", "localhost", "::1"):
                raise ClassError(f"this home's simulator already serves on {serving} (pid {info.pid}), not on "
                                 f"{host}: stop it with `panel-tui sim stop`, then start the class again")
            return dict(info.endpoints), None
    log = folder / SIM_LOG
    if service is not None:
        # The human-readable start-up text names the control secret's file, never the secret:
        # the endpoints come from the home's runtime file once the simulator serves.
        process = _detached([sys.executable, "-m", "panel_tui", "sim", "--host", host], log)
        started(process.pid)

        def serving():
            info = service.running(simulator_dir())
            return dict(info.endpoints) if info is not None else None

        return _wait_for(serving, process, "simulator", log, START_TIMEOUT), process.pid
    process = _detached([sys.executable, "-m", "panel_tui", "sim", "--json", "--host", host], log)
    started(process.pid)
    return _wait_for(lambda: _sim_line(log), process, "simulator", log, START_TIMEOUT), process.pid


def control_for(endpoints: dict):
    if hasattr(SimControl, "for_endpoints"):
        return SimControl.for_endpoints(endpoints)
    return SimControl(endpoints["control_url"], Path(endpoints["ca_path"]))


def _password() -> str:
    return f"Seat-{secrets.token_urlsafe(9)}-7"


def seat_tenant_domain(seat: str, home_domain: str) -> str:
    """The seat's own tenant: contoso.onmicrosoft.com -> contoso-seat01.onmicrosoft.com."""
    label, _, rest = home_domain.partition(".")
    return f"{label}-{seat}.{rest}" if rest else f"{seat}.{home_domain}"


def _create_tenant(control, domain: str, name: str) -> None:
    """The seat's tenant, fresh (or the one a class before made in this home)."""
    if any(t["domain"] == domain for t in control.tenants()):
        return
    control.add_tenant(domain, name)


def _create_mailbox(control, upn: str, display: str, password: str) -> None:
    try:
        control.add_user(upn, display, password, roles=[GLOBAL_ADMIN])
    except SimControlError as error:
        if error.status != 409 and "exist" not in str(error).lower():
            raise
        control.reset_password(upn, password)  # a class started before in this home
        control.set_smtp_auth_mailbox(upn, None)
        control.revoke_sessions(upn)


def start_web(roster: ClassRoster, folder: Path) -> tuple[int, dict]:
    log = folder / WEB_LOG
    (folder / WEB_FILE).unlink(missing_ok=True)
    process = _detached([sys.executable, "-m", "panel_tui.classroom.web"], log)
    roster.web_pid = process.pid  # on file before it is ready: `classroom stop` finds it whatever happens
    roster.save(folder)

    def ready():
        try:
            return json.loads((folder / WEB_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    return process.pid, _wait_for(ready, process, "web server", log, START_TIMEOUT)


def start_class(seats: int, host: str = "127.0.0.1", lang: str = "en", scenario: str | None = None,
                serve: bool = True, folder: Path | None = None) -> tuple[ClassRoster, dict[str, str]]:
    """Start a class; returns the roster and the seats' passwords (to print once)."""
    if not 1 <= seats <= MAX_SEATS:
        raise ClassError(f"--seats must be 1 to {MAX_SEATS}")
    folder = folder or class_dir()  # created: only for a class size that can start
    _check_can_start(folder, scenario)
    roster = ClassRoster([], lang=lang, host=host, scenario=scenario)

    def sim_started(pid: int) -> None:  # on file at once: `classroom stop` finds it whatever happens
        roster.sim_pid = pid
        roster.save(folder)

    endpoints, roster.sim_pid = start_simulator(host, folder, sim_started)
    roster.sim_url = endpoints["base_url"]
    passwords: dict[str, str] = {}
    try:
        _create_seats(roster, endpoints, seats, passwords)
        save_passwords(passwords, folder)
        _prepare_seat_profiles(roster, lang)
        roster.save(folder)
        record_event("start", [s.name for s in roster.seats], scenario or "", folder=folder)
        if scenario:
            _start_scenario(roster, folder, scenario)
        if serve:
            _serve_pages(roster, folder, host)
        roster.save(folder)
    except BaseException:
        roster.save(folder)
        stop_class(folder)
        raise
    return roster, passwords


def _check_can_start(folder: Path, scenario: str | None) -> None:
    """A ClassError (or ScenarioError) before anything starts."""
    running = ClassRoster.load(folder)
    if running is not None and (pid_alive(running.sim_pid) or pid_alive(running.web_pid)):
        raise ClassError("a class is already running in this home: `panel-tui classroom stop` first")
    if scenario:
        load_scenario(scenario)  # ScenarioError before anything starts


def _create_seats(roster: ClassRoster, endpoints: dict, seats: int, passwords: dict[str, str]) -> None:
    """Each seat its own tenant (domain, administrator, policies, consent, mailboxes): every
    student does the whole guide, and nobody's steps tick for another. Seats and passwords are
    added as they are made (a failure leaves on file the ones made so far)."""
    with control_for(endpoints) as control:
        for index in range(1, seats + 1):
            name = seat_name(index)
            domain = seat_tenant_domain(name, endpoints["tenant_domain"])
            _create_tenant(control, domain, f"Contoso {name}")
            seat = Seat(name, f"{name}@{domain}", tenant=domain)
            passwords[name] = _password()
            with control.for_tenant(domain) as seat_control:
                _create_mailbox(seat_control, seat.upn, f"Seat {index:02d}", passwords[name])
            roster.seats.append(seat)


def _prepare_seat_profiles(roster: ClassRoster, lang: str) -> None:
    """Each seat's profile in the class's language, marked as the seat's."""
    for seat in roster.seats:
        printer, backend = open_backend(seat.name, roster.backend_options())
        try:
            if printer.settings.language != lang:
                printer.update(dataclasses.replace(printer.settings, language=lang))
            mark_seat(printer.paths, seat.name, seat.tenant)  # after the class's own writes: not the trainee's
        finally:
            backend.stop()


def _start_scenario(roster: ClassRoster, folder: Path, scenario: str) -> None:
    handles = SeatHandles(roster)
    try:
        problems = SeatActions(roster, handles, folder).start_scenario([s.name for s in roster.seats], scenario)
    finally:
        handles.close()
    if problems:
        raise ClassError("; ".join(f"{seat}: {problem}" for seat, problem in problems.items()))


def _serve_pages(roster: ClassRoster, folder: Path, host: str) -> None:
    """The web process serving every seat's panel and the dashboard; their ports on the roster."""
    (folder / KEYS_FILE).unlink(missing_ok=True)
    if needs_key(host):  # beyond loopback every page needs its key (printed once)
        save_keys({name: new_key() for name in [*(s.name for s in roster.seats), "dashboard"]}, folder)
    roster.web_pid, ports = start_web(roster, folder)
    for seat in roster.seats:
        seat.port = ports.get(seat.name)
    roster.dashboard_port = ports.get("dashboard")


def _terminate(pid: int | None, timeout: float = 10.0) -> None:
    if pid is None or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)  # our child: reap it
            if done:
                return
        except ChildProcessError:
            pass
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def stop_class(folder: Path | None = None) -> ClassRoster | None:
    """Stop the class's web process and the simulator it started; the class file stays for the report."""
    folder = folder or class_dir()
    roster = ClassRoster.load(folder)
    if roster is None:
        return None
    _terminate(roster.web_pid)
    _terminate(roster.sim_pid)
    roster.web_pid = roster.sim_pid = None
    roster.save(folder)
    return roster
