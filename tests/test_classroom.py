"""A class of 3 seats on one simulator: each seat signs in and sends through its own mailbox
while the trainer's dashboard (Pilot) ticks the lesson's steps from real state; a fault
pushed from the dashboard reaches the chosen seat only; the report (CSV, and HTML opened in
headless Chromium) lists what happened.

The class runs once for the module (`classroom start` with a detached simulator, stopped by
pid in teardown). Each seat's own panel is stood in for by its printer and backend, driven
through the product's operations (Web Config's OK, the device code sign-in approved at the
simulator's pages, Print Status Sheet, Scan to Email).
"""
from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import stat

import pytest
from textual.content import Content

from panel_tui.backend import open_backend
from panel_tui.classroom.actions import SeatActions
from panel_tui.classroom.progress import SeatHandles, read_rows
from panel_tui.classroom.report import write_report
from panel_tui.classroom.roster import class_dir, load_events, seat_of
from panel_tui.classroom.seats import start_class, stop_class
from panel_tui.device.paths import resolve_paths
from panel_tui.device.status_sheet import render_status_sheet, write_status_sheet
from panel_tui.i18n import Translator
from panel_tui.lesson import STEPS
from panel_tui.ui.classroom_screen import ClassroomApp, ClassroomScreen
from tests.helpers.processes import chromium_path
from tests.helpers.screen import screen_lines
from tests.helpers.tenant import prepare_tenant

SEATS = ("seat01", "seat02", "seat03")
pytestmark = pytest.mark.xdist_group("classroom")  # one class for the module


class Trainee:
    """What a trainee does at a seat's panel, through the product's code."""

    def __init__(self, seat, password: str, roster) -> None:
        self.seat = seat
        self.password = password
        self.printer, self.backend = open_backend(seat.name, roster.backend_options())

    def web_config_ok(self) -> None:
        settings = self.printer.settings.with_field("email_server.auth_method", "oauth2")
        settings = settings.with_field("email_server.email_service", "exchange_online")
        self.printer.update(settings.with_field("email_server.sender", self.seat.upn))

    def sign_in(self, control) -> None:
        session = self.backend.session_for(self.printer.settings.email_server)
        flow = session.start_device_flow()
        page = control.approve_device_code(flow.user_code, self.seat.upn, self.password, consent_for_org=True)
        assert page["signed_in"], page
        assert session.wait_for_device_flow(flow).ok

    def print_status_sheet(self) -> None:
        now = self.printer.clock.now()
        t = Translator.load(language="en").t
        write_status_sheet(self.printer.paths, render_status_sheet(self.printer.settings, self.printer.signin_info(),
                                                                   t, now), now)

    def send(self, subject: str):
        return asyncio.run(self.backend.jobs.scan_to_email(self.seat.upn, subject=subject, lines=[subject]))


@pytest.fixture(scope="module")
def class_root(tmp_path_factory):
    return tmp_path_factory.mktemp("class-home")


@pytest.fixture
def panel_home(class_root, monkeypatch):
    """Every test of the module in the class's home (instead of a home of its own)."""
    monkeypatch.setenv("PANEL_TUI_HOME", str(class_root))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return class_root


@pytest.fixture(scope="module")
def class_home(class_root):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANEL_TUI_HOME", str(class_root))
        try:
            roster, passwords = start_class(len(SEATS), serve=False)
            yield roster, passwords
        finally:
            stop_class()


async def _wait(pilot, condition, what: str, timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds (bounded)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def _refreshed(pilot, screen) -> None:
    """One refresh of the dashboard's rows, read after now and shown."""
    count = screen.refresh_count
    screen.poll()
    await _wait(pilot, lambda: screen.refresh_count > count, "a refresh")
    await pilot.pause()


async def _pushed(pilot, app) -> None:
    """The trainer's pushes are done."""
    await _wait(pilot, lambda: not any(w.group == "class-action" and w.is_running for w in app.workers),
                "the push")


def _ticks(screen, seat: str) -> list[bool]:
    table = screen.query_one("DataTable")
    return [str(table.get_cell(seat, step)) == str(Content("✓")) for step in STEPS]


@pytest.fixture(scope="module")
def lesson_run(class_home, tmp_path_factory):
    """The class goes through the guide with the dashboard open; returns what it saw."""
    roster, passwords = class_home
    trainees = {seat.name: Trainee(seat, passwords[seat.name], roster) for seat in roster.seats}
    seen: dict = {}

    async def lesson() -> None:
        app = ClassroomApp(roster, "en")
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ClassroomScreen)
            await _refreshed(pilot, screen)
            seen["start"] = {s: _ticks(screen, s) for s in SEATS}

            with contextlib.nullcontext(trainees["seat01"].backend.control()) as control:
                # seat01 does the whole guide alone first, in its own tenant: nothing ticks for the others
                first = trainees["seat01"]
                prepare_tenant(first.backend.control())
                first.web_config_ok()
                await asyncio.to_thread(first.sign_in, control)
                first.print_status_sheet()
                seen.setdefault("first_send", {})["seat01"] = await asyncio.to_thread(first.send, "seat01 scan 1")
                await _refreshed(pilot, screen)
                seen["seat01_alone"] = {s: _ticks(screen, s) for s in SEATS}
                seen["idle_alone"] = {s: str(screen.query_one("DataTable").get_cell(s, "idle")) for s in SEATS}

                # the others prepare their own tenants in their admin centers
                others = {name: t for name, t in trainees.items() if name != "seat01"}
                for trainee in others.values():
                    prepare_tenant(trainee.backend.control())
                    trainee.web_config_ok()
                # live: the dashboard's own timer shows it, no explicit refresh
                before = screen.refresh_count
                await _wait(pilot, lambda: screen.refresh_count >= before + 2, "two timed refreshes", 5.0)
                seen["configured"] = {s: _ticks(screen, s) for s in others}

                await asyncio.gather(*(asyncio.to_thread(t.sign_in, control) for t in others.values()))
                await _refreshed(pilot, screen)
                seen["signed_in"] = {s: _ticks(screen, s) for s in others}

                for name, trainee in others.items():
                    trainee.print_status_sheet()
                    seen["first_send"][name] = await asyncio.to_thread(trainee.send, f"{name} scan 1")
                await _refreshed(pilot, screen)
                seen["sent"] = {s: _ticks(screen, s) for s in SEATS}

                # the trainer pushes "SMTP AUTH off" to seat02 only: highlight it, select, F, first choice
                await pilot.press("down", "space", "f")
                await pilot.pause()
                await pilot.press("enter")
                await pilot.pause()
                await _pushed(pilot, app)
                for name, trainee in trainees.items():
                    seen.setdefault("second_send", {})[name] = await asyncio.to_thread(trainee.send, f"{name} scan 2")
                await _refreshed(pilot, screen)
                table = screen.query_one("DataTable")
                seen["job_cells"] = {s: str(table.get_cell(s, "job")) for s in SEATS}
                seen["status"] = str(screen.query_one("#class-status").render())
                seen["mailboxes"] = {s.name: control.mailbox(s.upn) for s in roster.seats}
            await pilot.press("q")

    try:
        asyncio.run(lesson())
    finally:
        for trainee in trainees.values():
            trainee.backend.stop()
    out = tmp_path_factory.mktemp("report")
    seen["report"] = write_report(roster, out, "en")
    return seen


def test_start_makes_seats_with_their_own_mailboxes_and_private_passwords(class_home):
    roster, passwords = class_home
    assert [s.name for s in roster.seats] == list(SEATS)
    assert len({s.upn for s in roster.seats}) == 3 and all(s.upn.startswith(s.name + "@") for s in roster.seats)
    assert len(set(passwords.values())) == 3
    for name in ("passwords.json", "class.json"):
        assert stat.S_IMODE(os.stat(class_dir() / name).st_mode) == 0o600
    assert not any(p in (class_dir() / "class.json").read_text() for p in passwords.values())
    assert seat_of(resolve_paths("seat02")) == "seat02"
    assert seat_of(resolve_paths("default")) is None
    assert roster.sim_url.startswith("https://127.0.0.1:")


def test_each_seat_signs_in_and_sends_through_its_own_mailbox(lesson_run):
    assert all(outcome.ok for outcome in lesson_run["first_send"].values())
    for seat, inbox in lesson_run["mailboxes"].items():
        subjects = sorted(m["subject"] for m in inbox)
        assert f"{seat} scan 1" in subjects, subjects
        assert all(m["subject"].startswith(seat) for m in inbox)  # nobody else's mail
        assert all(seat in m["from"] for m in inbox)


def test_the_dashboard_ticks_the_lessons_steps_as_they_happen(lesson_run):
    nothing = [False] * len(STEPS)
    assert lesson_run["start"] == {s: nothing for s in SEATS}
    for seat in ("seat02", "seat03"):
        configured = dict(zip(STEPS, lesson_run["configured"][seat], strict=True))
        assert configured["smtp_auth"] and configured["oauth2"] and not configured["sign_in"]
        signed = dict(zip(STEPS, lesson_run["signed_in"][seat], strict=True))
        assert signed["sign_in"] and signed["consent"] and signed["applied"] and not signed["send"]
    for seat in SEATS:
        assert lesson_run["sent"][seat] == [True] * len(STEPS)  # all seven


def test_one_seat_completing_the_guide_ticks_nothing_for_the_others(lesson_run):
    """Each seat has its own tenant: seat01's consent for its organisation, its SMTP AUTH
    settings and its sign-in tick seat01's steps only, and the others stay untouched (no
    steps, no activity)."""
    alone = lesson_run["seat01_alone"]
    assert alone["seat01"] == [True] * len(STEPS)
    assert alone["seat02"] == alone["seat03"] == [False] * len(STEPS)
    assert lesson_run["idle_alone"]["seat02"] == lesson_run["idle_alone"]["seat03"] == "–"
    assert lesson_run["idle_alone"]["seat01"] != "–"


def test_a_pushed_fault_reaches_only_the_chosen_seat(lesson_run):
    second = lesson_run["second_send"]
    assert second["seat01"].ok and second["seat03"].ok
    assert not second["seat02"].ok and second["seat02"].job.error_code is not None
    code = second["seat02"].job.error_code
    assert lesson_run["job_cells"]["seat02"] == f"✗ {code}"
    assert lesson_run["job_cells"]["seat01"] == lesson_run["job_cells"]["seat03"] == "✓"
    assert "seat02" in lesson_run["status"] and "seat01" not in lesson_run["status"]


def test_the_report_lists_what_happened(lesson_run):
    csv_path, html_path = lesson_run["report"]
    rows = list(csv.reader(csv_path.open(encoding="utf-8")))
    header, seats = rows[0], {r[0]: r for r in rows[1:]}
    assert header == ["seat", "mailbox", *STEPS, "jobs_ok", "jobs_failed", "error_codes", "resolved",
                      "last_job", "last_job_code", "first_ok_at", "last_activity_at"]  # plain names
    assert set(seats) == set(SEATS)
    column = {name: index for index, name in enumerate(header)}
    code = str(lesson_run["second_send"]["seat02"].job.error_code)
    for seat in ("seat01", "seat03"):
        assert seats[seat][2:2 + len(STEPS)] == ["yes"] * len(STEPS)
    # seat02's mailbox refuses SMTP AUTH now: the first step reads "no" again (real state)
    assert seats["seat02"][2:2 + len(STEPS)] == ["no"] + ["yes"] * (len(STEPS) - 1)
    assert (seats["seat02"][column["jobs_ok"]], seats["seat02"][column["jobs_failed"]]) == ("1", "1")
    assert seats["seat02"][column["error_codes"]] == seats["seat02"][column["last_job_code"]] == code
    assert seats["seat02"][column["last_job"]] == "error" and seats["seat01"][column["last_job"]] == "ok"
    assert (seats["seat01"][column["jobs_ok"]], seats["seat01"][column["error_codes"]]) == ("2", "")
    events = list(csv.reader((csv_path.parent / "events.csv").open(encoding="utf-8")))
    assert events[0] == ["time", "action", "detail", "seats", "ok"]
    assert [e[1:] for e in events[1:]] == [["start", "", "seat01 seat02 seat03", "yes"],
                                          ["fault_on", "smtp_auth_mailbox_off", "seat02", "yes"]]


def test_the_html_report_opens_in_chromium_and_shows_the_same(lesson_run):
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    _, html_path = lesson_run["report"]
    code = str(lesson_run["second_send"]["seat02"].job.error_code)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--headless"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(html_path.as_uri())
            widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            rows = {seat: page.locator(f'#seats tr[data-seat="{seat}"] td').all_inner_texts() for seat in SEATS}
            ticked = {seat: page.locator(f'#seats tr[data-seat="{seat}"] td.done').all_inner_texts() for seat in SEATS}
            events = page.locator("#events tr").all_inner_texts()
        finally:
            browser.close()
    for seat in ("seat01", "seat03"):
        assert ticked[seat] == ["✓ yes"] * len(STEPS)
        assert rows[seat][-3].startswith("✓")  # the last job: sent
    assert ticked["seat02"] == ["✓ yes"] * (len(STEPS) - 1)
    assert rows["seat02"][-3].startswith(f"✗ {code}")
    assert rows["seat02"][-2]  # its first successful job has a time
    assert code in rows["seat02"] and code not in rows["seat01"]
    assert len(events) == 3 and "class started" in events[1]
    assert "seat02" in events[2] and "fault on" in events[2]  # what the trainer pushed
    assert widths[0] <= widths[1] == 1280, widths  # fits a 1280 px window: no sideways scrolling


# -- pushes that change a seat: each test on a class of its own, so no test sees another's ------


@pytest.fixture
def own_class(panel_home, tmp_path, monkeypatch):
    """A class of its own, through the guide: the tenant prepared, Web Config OK, every seat
    signed in and one scan sent from each. For a test that changes the class."""
    monkeypatch.setenv("PANEL_TUI_HOME", str(tmp_path / "own-class"))
    roster, passwords = start_class(len(SEATS), serve=False)
    trainees = []
    try:
        trainees = [Trainee(seat, passwords[seat.name], roster) for seat in roster.seats]
        for trainee in trainees:  # each seat in its own tenant
            control = trainee.backend.control()
            prepare_tenant(control)
            trainee.web_config_ok()
            trainee.sign_in(control)
            assert trainee.send(f"{trainee.seat.name} scan 1").ok
        yield roster, passwords
    finally:
        for trainee in trainees:
            trainee.backend.stop()
        stop_class()


def test_a_scenario_started_on_one_seat_uses_its_mailbox_and_leaves_the_others(own_class):
    roster, passwords = own_class
    handles = SeatHandles(roster)
    try:
        problems = SeatActions(roster, handles).start_scenario(["seat03"], "signed-in")
        assert problems == {}
        printer, _ = handles.get("seat03")
        assert printer.settings.email_server.sender == roster.seat("seat03").upn  # not printer@...
        rows = {row.seat: row for row in read_rows(roster, handles)}
        assert rows["seat03"].done["sign_in"] and rows["seat03"].job_result is None  # fresh printer
        assert rows["seat01"].jobs_ok == 1  # untouched: the shared simulator was not reset
        trainee = Trainee(roster.seat("seat01"), passwords["seat01"], roster)
        try:
            assert trainee.send("seat01 after a neighbour's scenario").ok
        finally:
            trainee.backend.stop()
    finally:
        handles.close()


def test_reset_from_the_dashboard_asks_first_and_resets_only_that_seat(own_class):
    roster, _ = own_class

    async def reset_seat03() -> tuple[list[bool], list[bool]]:
        app = ClassroomApp(roster, "en")
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("down", "down", "r")
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmScreen"
            await pilot.click("#yes")
            await pilot.pause()
            await _pushed(pilot, app)
            await _refreshed(pilot, screen)
            result = (_ticks(screen, "seat03"), _ticks(screen, "seat01"))
            await pilot.press("q")
        return result

    seat03, seat01 = asyncio.run(reset_seat03())
    assert not seat03[STEPS.index("oauth2")] and not seat03[STEPS.index("sign_in")]
    assert seat01[STEPS.index("oauth2")] and seat01[STEPS.index("sign_in")]
    assert load_events()[-1]["kind"] == "reset" and load_events()[-1]["seats"] == ["seat03"]


def test_revoke_one_seat_then_move_the_class_clock(own_class):
    """V revokes the highlighted seat's sign-in; C moves the one clock of the class: that seat's
    next send needs a refresh, which is refused (361), and the dashboard shows it."""
    roster, passwords = own_class
    trainee = Trainee(roster.seat("seat01"), passwords["seat01"], roster)

    async def push() -> str:
        app = ClassroomApp(roster, "en")
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            await pilot.press("v")
            await _pushed(pilot, app)
            await pilot.press("c")
            await pilot.pause()
            await pilot.press("enter")  # + 1 hour
            await pilot.pause()
            await _pushed(pilot, app)
            outcome = await asyncio.to_thread(trainee.send, "seat01 after the revocation")
            assert not outcome.ok and outcome.job.error_code == 361
            await _refreshed(pilot, screen)
            cell = str(screen.query_one("DataTable").get_cell("seat01", "job"))
            await pilot.press("q")
        return cell

    try:
        assert asyncio.run(push()) == "✗ 361"
        offset = trainee.backend.control().state()["clock"]["offset"]
        assert offset >= 3600
    finally:
        trainee.backend.stop()
    kinds = [(e["kind"], e["seats"]) for e in load_events()[-2:]]
    assert kinds == [("revoke", ["seat01"]), ("clock", list(SEATS))]


def test_the_dashboard_marks_the_seat_under_the_cursor_and_the_selection_without_colour(class_home):
    """On a projector or in 16 colours: the highlighted seat starts with ▸ and a selected seat
    shows [x] (a glyph, not only a colour); both move with the keys."""
    roster, _ = class_home

    def rows(app) -> dict[str, str]:
        table = app.screen.query_one("#class-seats")
        lines = screen_lines(app)
        seen = [lines[y] for y in range(table.region.y, table.region.bottom)]
        return {seat.name: next(line for line in seen if seat.name in line) for seat in roster.seats}

    async def walk() -> list[dict[str, str]]:
        app = ClassroomApp(roster, "en")
        seen = []
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            seen.append(rows(app))
            await pilot.press("down", "space")
            await pilot.pause()
            seen.append(rows(app))
            await pilot.press("q")
        return seen

    first, second = asyncio.run(walk())
    assert "▸" in first["seat01"] and "▸" not in first["seat02"], first
    assert "▸" in second["seat02"] and "▸" not in second["seat01"], second
    assert "[x]" in second["seat02"] and "[ ]" in second["seat01"] and "[x]" not in first["seat02"], second
