"""Classroom benchmark: a class started by `panel-tui classroom start`, every seat signs in and
sends scans while the trainer's dashboard is open.

What a trainer's room does, through the product's own code paths:
1. `panel-tui classroom start --seats N` (a subprocess, as typed): one simulator for the home,
   N profiles seat01..seatNN each with its own mailbox user, the seats' web pages;
2. the dashboard (panel_tui.ui.classroom_screen, headless) is opened and polls as it does
   for a trainer;
3. one trainee prepares the tenant (security defaults off, SMTP AUTH on); then every seat, at
   the same time (a thread per seat, 8 at once): Web Config's OK (OAuth2, Exchange Online,
   sender = its mailbox), a real device code sign-in (MSAL) approved at the simulator's pages
   with the seat's password and consent, then --rounds scans to its own mailbox one after
   the other (MailJobs.scan_to_email);
4. each mailbox must hold exactly its own seat's messages, and the dashboard must show every
   seat with all its jobs.

Prints sign-in and send p50/p95, the dashboard's refresh latency (a job's end to the
dashboard's row showing it: p50/p95/max), and the RSS of the simulator and web processes.

Usage: python bench/classroom.py [--seats 30] [--rounds 3] [--time-limit 300]
Loopback only; bounded in count (at most 60 seats, 10 rounds) and time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MAX_SEATS = 60
MAX_ROUNDS = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def rss_mib(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, TypeError):
        return None
    return None


def panel_tui(home: Path, *args: str, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANEL_TUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "panel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


class Seat:
    """One trainee at one seat: the seat's printer and backend, driven through the product's code."""

    def __init__(self, seat, password: str, roster) -> None:
        from panel_tui.backend import open_backend

        self.seat = seat
        self.password = password
        self.printer, self.backend = open_backend(seat.name, roster.backend_options())

    def web_config_ok(self) -> None:
        settings = self.printer.settings.with_field("email_server.auth_method", "oauth2")
        settings = settings.with_field("email_server.email_service", "exchange_online")
        self.printer.update(settings.with_field("email_server.sender", self.seat.upn))

    def sign_in(self) -> float:
        started = time.perf_counter()
        session = self.backend.session_for(self.printer.settings.email_server)
        flow = session.start_device_flow()
        from panel_tui.classroom.seats import control_for

        endpoints = self.backend.endpoints()
        with control_for(endpoints if isinstance(endpoints, dict) else endpoints.to_dict()) as browser:
            page = browser.approve_device_code(flow.user_code, self.seat.upn, self.password, consent_for_org=True)
        if not page["signed_in"]:
            raise RuntimeError(f"{self.seat.name}: sign-in ended on {page['page']} {page['error']}")
        result = session.wait_for_device_flow(flow)
        if not result.ok:
            raise RuntimeError(f"{self.seat.name}: sign-in failed: {result}")
        return time.perf_counter() - started

    def send(self, round_index: int) -> tuple[bool, float, str]:
        started = time.perf_counter()
        outcome = asyncio.run(self.backend.jobs.scan_to_email(
            self.seat.upn, subject=f"{self.seat.name} scan {round_index}", lines=[f"Classroom scan {round_index}"]))
        problem = "" if outcome.ok else f"{outcome.job.error_code} {outcome.job.detail}"
        return outcome.ok, time.perf_counter() - started, problem


class Watch:
    """When each seat's n-th job ended, and when the dashboard first showed n jobs for that seat."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ended: dict[tuple[str, int], float] = {}
        self.shown: dict[tuple[str, int], float] = {}
        self.refreshes: list[float] = []  # monotonic times of the dashboard's refreshes

    def job_ended(self, seat: str, count: int) -> None:
        with self.lock:
            self.ended[(seat, count)] = time.monotonic()

    def rows_shown(self, rows) -> None:
        now = time.monotonic()
        with self.lock:
            self.refreshes.append(now)
            for row in rows:
                for n in range(1, row.jobs_ok + row.jobs_failed + 1):
                    self.shown.setdefault((row.seat, n), now)

    def latencies(self) -> list[float]:
        with self.lock:
            return [self.shown[key] - ended for key, ended in self.ended.items() if key in self.shown]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="scans per seat, one after the other")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds for each phase")
    args = parser.parse_args(argv)
    if not 1 <= args.seats <= MAX_SEATS or not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--seats 1..{MAX_SEATS}, --rounds 1..{MAX_ROUNDS}")

    with tempfile.TemporaryDirectory(prefix="panel-classroom-") as tmp:
        home = Path(tmp)
        os.environ["PANEL_TUI_HOME"] = str(home)  # before any profile is opened
        wall = time.perf_counter()
        t0 = time.perf_counter()
        started = panel_tui(home, "classroom", "start", "--seats", str(args.seats), timeout=args.time_limit)
        start_s = time.perf_counter() - t0
        try:
            if started.returncode != 0:
                raise SystemExit(f"classroom start failed: {started.stderr}")
            return asyncio.run(run_class(args, start_s, wall))
        finally:
            panel_tui(home, "classroom", "stop", timeout=60)


async def run_class(args, start_s: float, wall: float) -> int:
    from panel_tui.classroom.roster import ClassRoster, load_passwords
    from panel_tui.ui.classroom_screen import ClassroomApp

    roster = ClassRoster.load()
    passwords = load_passwords()
    if not roster.sim_url.startswith(("https://127.0.0.1:", "https://localhost:")):
        raise SystemExit(f"refusing a non-loopback simulator: {roster.sim_url}")
    seats = [Seat(seat, passwords[seat.name], roster) for seat in roster.seats]
    watch = Watch()
    app = ClassroomApp(roster, "en")
    results: dict = {}
    async with app.run_test(size=(120, max(24, args.seats + 10))) as pilot:
        await pilot.pause()
        screen = app.screen
        shown = screen.show_rows

        def show_rows(rows) -> None:
            shown(rows)
            watch.rows_shown(rows)

        screen.show_rows = show_rows
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(None, lambda: room(args, seats, watch))
        # let the dashboard catch up with the last jobs (bounded), then read what it shows
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(watch.latencies()) < len(watch.ended):
            await pilot.pause(0.05)
        final = {seat: screen.rows.get(seat) for seat in (s.seat.name for s in seats)}
        results["reads"] = list(screen.read_seconds)
        await pilot.press("q")
    for seat in seats:
        seat.backend.stop()

    signin_times, sends = results["signins"], results["sends"]
    ok_times = [elapsed for ok, elapsed, _ in sends if ok]
    failures = [problem for ok, _, problem in sends if not ok]
    complete = sum(1 for row in final.values() if row is not None and row.steps_done >= 6
                   and row.jobs_ok == args.rounds)
    latencies = watch.latencies()
    gaps = [b - a for a, b in zip(watch.refreshes, watch.refreshes[1:], strict=False)]
    print(f"classroom: {args.seats} seats by `panel-tui classroom start`, one simulator at {roster.sim_url}")
    print(f"  classroom start (simulator, mailboxes, profiles, web pages)  {start_s:7.2f} s")
    print(f"  sign-ins (device code, real MSAL)   {len(signin_times)}/{args.seats} ok;"
          f" p50 {percentile(signin_times, 0.5) * 1000:.0f} ms, p95 {percentile(signin_times, 0.95) * 1000:.0f} ms")
    print(f"  sends (scan to email, {args.rounds} per seat)   {len(ok_times)}/{len(sends)} ok in {results['send_s']:.2f} s")
    if ok_times:
        print(f"  send latency                        p50 {percentile(ok_times, 0.5) * 1000:.0f} ms,"
              f" p95 {percentile(ok_times, 0.95) * 1000:.0f} ms, max {max(ok_times) * 1000:.0f} ms")
    if latencies:
        print(f"  dashboard refresh latency (job end -> row shows it, {len(latencies)} jobs)"
              f"  p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms,"
              f" max {max(latencies) * 1000:.0f} ms")
    if gaps:
        print(f"  dashboard refreshes                 {len(watch.refreshes)}; interval p50 {percentile(gaps, 0.5) * 1000:.0f} ms,"
              f" p95 {percentile(gaps, 0.95) * 1000:.0f} ms")
    reads = results.get("reads") or []
    if reads:
        print(f"  dashboard read of {args.seats} rows         p50 {percentile(reads, 0.5) * 1000:.0f} ms,"
              f" p95 {percentile(reads, 0.95) * 1000:.0f} ms")
    print(f"  dashboard rows complete (steps >= 6 of 7 before the sheet, {args.rounds} jobs ok)  {complete}/{args.seats}")
    print(f"  mailboxes checked                   {args.seats}, misplaced or missing messages: {results['misplaced']}")
    sim_rss, web_rss = rss_mib(roster.sim_pid), rss_mib(roster.web_pid)
    print(f"  simulator RSS                       {sim_rss:.0f} MiB" if sim_rss else "  simulator RSS  (not readable)")
    if web_rss:
        print(f"  web process RSS ({args.seats + 1} servers)      {web_rss:.0f} MiB")
    print(f"  wall time                           {time.perf_counter() - wall:.2f} s")
    for problem in sorted(set(failures + results["problems"]))[:5]:
        print(f"  failure: {problem}")
    ok = not failures and not results["problems"] and results["misplaced"] == 0 and complete == args.seats
    return 0 if ok else 1


def room(args, seats: list[Seat], watch: Watch) -> dict:
    """The trainees, in threads: tenant, Web Config's OK, sign-in, then the scans."""
    control = seats[0].backend.control()
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    problems: list[str] = []
    signins: list[float] = []
    sends: list[tuple[bool, float, str]] = []
    lock = threading.Lock()

    def trainee(seat: Seat) -> None:
        try:
            seat.web_config_ok()
            elapsed = seat.sign_in()
            with lock:
                signins.append(elapsed)
        except Exception as error:  # noqa: BLE001 - counted and printed
            with lock:
                problems.append(f"{seat.seat.name}: {error}")
            return

    def sender(seat: Seat) -> None:
        for n in range(1, args.rounds + 1):
            result = seat.send(n)
            watch.job_ended(seat.seat.name, n)
            with lock:
                sends.append(result)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(trainee, seats, timeout=args.time_limit))
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(sender, seats, timeout=args.time_limit))
    send_s = time.perf_counter() - t0
    misplaced = 0
    for seat in seats:
        inbox = control.mailbox(seat.seat.upn)
        misplaced += sum(1 for m in inbox if seat.seat.upn not in m["from"]) + abs(len(inbox) - args.rounds)
    return {"signins": signins, "sends": sends, "send_s": send_s, "misplaced": misplaced, "problems": problems}


if __name__ == "__main__":
    sys.exit(main())
