"""What the trainer pushes to seats, through the operations the trainer console and the
scenarios use: the simulator's control API (SimControl) and panel_tui.scenarios.

Per seat: start a scenario (the seat's mailbox stands in for the seeded printer mailbox; the
shared simulator is not reset), SMTP AUTH off/on for the seat's mailbox, revoke the seat's
sign-in, reset the seat. For the whole class (one simulator, one clock): the simulator's
faults and the clock. Each push is recorded in the class's events for the report.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from panel_tui.classroom.roster import ClassRoster, load_passwords, mark_seat, record_event
from panel_tui.scenarios import FAULTS, forget_scenario, reset_profile, run_scenario

SEAT_FAULTS = ("smtp_auth_mailbox_off",)  # faults that reach only the chosen seats
CLASS_FAULTS = FAULTS  # the simulator's own faults reach every seat
CLOCK_STEPS = {"hour": 3600, "day": 86400, "days91": 91 * 86400}


@dataclass(frozen=True)
class SeatAccount:
    """A seat's mailbox as a scenario's stand-in for the seeded printer mailbox."""

    upn: str
    display_name: str
    password: str


class SeatActions:
    """Pushes to seats of `roster`; `handles` opens each seat's printer and backend."""

    def __init__(self, roster: ClassRoster, handles, folder=None) -> None:
        self.roster = roster
        self.handles = handles
        self.folder = folder

    def _each(self, kind: str, seats: list[str], action: Callable[[str], None], detail: str = "") -> dict[str, str]:
        """`action(seat)` for every seat; returns {seat: problem} for those that failed."""
        problems: dict[str, str] = {}
        for seat in seats:
            try:
                action(seat)
            except Exception as error:  # noqa: BLE001 - the trainer sees each seat's problem
                problems[seat] = str(error).splitlines()[0] if str(error) else type(error).__name__
        record_event(kind, seats, detail, ok=not problems, folder=self.folder)
        return problems

    def _upn(self, seat: str) -> str:
        return self.roster.seat(seat).upn

    def start_scenario(self, seats: list[str], name: str) -> dict[str, str]:
        passwords = load_passwords(self.folder)

        def one(seat: str) -> None:
            printer, backend = self.handles.get(seat)
            control = backend.control()
            control.set_smtp_auth_mailbox(self._upn(seat), None)
            control.revoke_sessions(self._upn(seat))
            account = SeatAccount(self._upn(seat), seat, passwords.get(seat, ""))
            run_scenario(name, printer, backend, accounts={"printer": account}, reset_simulator=False)
            mark_seat(printer.paths, seat, self.roster.seat(seat).tenant)  # the scenario's writes: the trainer's

        return self._each("scenario", seats, one, name)

    def seat_fault(self, seats: list[str], on: bool) -> dict[str, str]:
        """SMTP AUTH off for the seats' mailboxes (on=True), or back to the organisation's setting."""
        def one(seat: str) -> None:
            _, backend = self.handles.get(seat)
            backend.control().set_smtp_auth_mailbox(self._upn(seat), False if on else None)

        return self._each("fault_on" if on else "fault_off", seats, one, "smtp_auth_mailbox_off")

    def class_fault(self, name: str, on: bool) -> dict[str, str]:
        """A simulator fault: one simulator serves the class, so it reaches every seat."""
        if name not in CLASS_FAULTS:
            raise ValueError(f"unknown fault {name!r}")
        seats = [s.name for s in self.roster.seats]
        problems: dict[str, str] = {}
        try:
            self.handles.control().set_fault(name, on)
        except Exception as error:  # noqa: BLE001 - every seat is concerned
            problems = {seat: str(error).splitlines()[0] if str(error) else type(error).__name__ for seat in seats}
        record_event("fault_on" if on else "fault_off", seats, name, ok=not problems, folder=self.folder)
        return problems

    def move_clock(self, seconds: int) -> dict[str, str]:
        """The class's simulator clock (one clock for every seat) and each seat's printer clock."""
        seats = [s.name for s in self.roster.seats]

        def one(seat: str) -> None:
            _, backend = self.handles.get(seat)
            if seat == seats[0]:
                self.handles.control().advance_clock(seconds)  # the whole class's, not one tenant's
            backend.sync_clock()

        return self._each("clock", seats, one, str(seconds))

    def revoke(self, seats: list[str]) -> dict[str, str]:
        def one(seat: str) -> None:
            _, backend = self.handles.get(seat)
            backend.control().revoke_sessions(self._upn(seat))

        return self._each("revoke", seats, one)

    def reset(self, seats: list[str]) -> dict[str, str]:
        """The seat back to a fresh printer, its mailbox back to the organisation's SMTP AUTH, signed out."""
        def one(seat: str) -> None:
            printer, backend = self.handles.get(seat)
            control = backend.control()
            control.set_smtp_auth_mailbox(self._upn(seat), None)
            control.revoke_sessions(self._upn(seat))
            reset_profile(printer, backend)
            forget_scenario(printer.paths)
            mark_seat(printer.paths, seat, self.roster.seat(seat).tenant)

        return self._each("reset", seats, one)
