"""The class file: which seats exist, their mailboxes, the simulator and the web ports.

Files under `<data>/@classroom/` (the `@` keeps it out of the profile namespace), 0700:
    class.json       seats, language, host, simulator URL, process ids (no secret), 0600
    passwords.json   each seat mailbox's password (printed once by `classroom start`), 0600
    keys.json        beyond loopback: each page's join key (seats, dashboard; printed once), 0600
    events.jsonl     what the trainer pushed to which seats, with times (for the report), 0600
    sim.log, web.log the detached processes' output, 0600
A seat's profile holds `seat.json` ({"seat": "seat01"}): the panel's status bar shows it.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from panel_tui.backend import BackendOptions
from panel_tui.classroom.processes import seats_join_home_simulator
from panel_tui.device.atomic import write_atomically
from panel_tui.device.paths import home_data_dir
from panel_tui.device.trainer_state import trainer_state

SEAT_FILE = "seat.json"
CLASS_FILE = "class.json"
PASSWORDS_FILE = "passwords.json"
KEYS_FILE = "keys.json"
EVENTS_FILE = "events.jsonl"
MAX_SEATS = 60
_SEAT_RE = re.compile(r"seat(\d{2,3})")


def seat_name(index: int) -> str:
    """seat01 .. seatNN (1-based)."""
    return f"seat{index:02d}"


def class_dir() -> Path:
    """`<data>/@classroom` of the current home (created, 0700)."""
    folder = home_data_dir() / "@classroom"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


@dataclass
class Seat:
    name: str  # also the profile name
    upn: str
    port: int | None = None  # the seat's panel in a browser (web process)
    tenant: str = ""  # the seat's own simulated tenant (its domain); "" for a class of one tenant

    @property
    def profile(self) -> str:
        return self.name


@dataclass
class ClassRoster:
    seats: list[Seat]
    lang: str = "en"
    host: str = "127.0.0.1"
    scenario: str | None = None
    sim_url: str = ""
    sim_pid: int | None = None
    web_pid: int | None = None
    dashboard_port: int | None = None
    started_at: float = field(default_factory=time.time)

    def seat(self, name: str) -> Seat:
        for seat in self.seats:
            if seat.name == name:
                return seat
        raise KeyError(name)

    def seat_sim_url(self) -> str | None:
        """How a seat's panel reaches the class's simulator: by itself when the home has one
        simulator that every process joins, else by --sim-url."""
        return None if seats_join_home_simulator() else (self.sim_url or None)

    def backend_options(self):
        return BackendOptions(sim_url=self.seat_sim_url())

    def url(self, port: int | None, key: str | None = None) -> str | None:
        """A page's address as the students use it (a wildcard's route-out address), with its join key."""
        from panel_tui.web_access import page_url, public_address

        if port is None:
            return None
        return page_url(public_address(self.host), port, key)

    # -- files ----------------------------------------------------------------------------
    def save(self, folder: Path | None = None) -> None:
        folder = folder or class_dir()
        data = {"schema": 1, **asdict(self)}
        write_atomically(folder / CLASS_FILE, json.dumps(data, indent=1) + "\n", mode=0o600)

    @classmethod
    def load(cls, folder: Path | None = None) -> ClassRoster | None:
        """The class of this home, or None when no class was started (or its file is unreadable)."""
        folder = folder or class_dir()
        try:
            data = json.loads((folder / CLASS_FILE).read_text(encoding="utf-8"))
            seats = [Seat(str(s["name"]), str(s["upn"]), s.get("port"), str(s.get("tenant") or ""))
                     for s in data["seats"]]
            return cls(seats, str(data.get("lang", "en")), str(data.get("host", "127.0.0.1")),
                       data.get("scenario"), str(data.get("sim_url", "")), data.get("sim_pid"),
                       data.get("web_pid"), data.get("dashboard_port"), float(data.get("started_at", 0)))
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None


def save_passwords(passwords: dict[str, str], folder: Path | None = None) -> Path:
    path = (folder or class_dir()) / PASSWORDS_FILE
    write_atomically(path, json.dumps(passwords, indent=1) + "\n", mode=0o600)
    return path


def load_passwords(folder: Path | None = None) -> dict[str, str]:
    try:
        data = json.loads(((folder or class_dir()) / PASSWORDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_keys(keys: dict[str, str], folder: Path | None = None) -> Path:
    path = (folder or class_dir()) / KEYS_FILE
    write_atomically(path, json.dumps(keys, indent=1) + "\n", mode=0o600)
    return path


def load_keys(folder: Path | None = None) -> dict[str, str]:
    try:
        data = json.loads(((folder or class_dir()) / KEYS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_event(kind: str, seats: list[str], detail: str = "", ok: bool = True, folder: Path | None = None,
                 at: float | None = None) -> None:
    """One line of events.jsonl: what the trainer pushed, to which seats, when, and whether it worked."""
    path = (folder or class_dir()) / EVENTS_FILE
    line = json.dumps({"at": time.time() if at is None else at, "kind": kind, "seats": seats,
                       "detail": detail, "ok": ok}, ensure_ascii=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def load_events(folder: Path | None = None) -> list[dict]:
    try:
        # A damaged line (not UTF-8, not JSON, nested too deeply) is skipped, not the whole file.
        lines = ((folder or class_dir()) / EVENTS_FILE).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    events = []
    for line in lines:
        try:
            event = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


# -- the seat label of a profile --------------------------------------------------------------


def mark_seat(paths, seat: str, tenant: str | None = None) -> None:
    """Label the profile as `seat` (of the simulated `tenant`, when the seat has its own), and
    note that what the class wrote into it until now (set-up, a pushed scenario or reset) is
    not the trainee's activity."""
    if tenant:
        from panel_tui.scenarios.trainer_file import save_trainer_state

        if trainer_state(paths).get("sim_tenant") != tenant:
            save_trainer_state(paths, sim_tenant=tenant)  # the seat's panel signs in there
    write_atomically(Path(paths.data_dir) / SEAT_FILE,
                     json.dumps({"seat": seat, "class_wrote_until": time.time()}) + "\n", mode=0o600)


def class_wrote_until(paths) -> float:
    """When the class last wrote into the seat's profile (0: never)."""
    try:
        data = json.loads((Path(paths.data_dir) / SEAT_FILE).read_text(encoding="utf-8"))
        value = data.get("class_wrote_until", 0) if isinstance(data, dict) else 0
        return float(value) if isinstance(value, (int, float)) else 0.0
    except (OSError, ValueError):
        return 0.0


def seat_of(paths) -> str | None:
    """The seat a profile is (seat01 ...) when a class made it, else None. Cheap: one small file."""
    try:
        data = json.loads((Path(paths.data_dir) / SEAT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    seat = data.get("seat") if isinstance(data, dict) else None
    return seat if isinstance(seat, str) and _SEAT_RE.fullmatch(seat) else None
