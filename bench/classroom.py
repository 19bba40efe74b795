"""Classroom benchmark across a network: a class started by `panel-tui classroom start --host ADDR`
on this host's end of a test network (a network namespace and a veth pair the bench makes and
removes), the students' browsers inside the namespace, the trainer's dashboard open.

What a trainer's room does, through the product's own code paths:
1. a network namespace with a veth pair (bench/netns.py); `panel-tui classroom start --seats N
   --host <this host's end>` (a subprocess, as typed): one simulator for the home, one tenant
   per seat with its own mailbox, the seats' web pages, each with its own join key;
2. N students' browsers (--browsers, default every seat): one headless Chromium inside the
   namespace, one context per student, each opening its seat's printed join URL (join time:
   until the panel's Home is drawn; the page must name no 0.0.0.0/127.0.0.1 and fetch nothing
   elsewhere); the simulator's CA is checked against the printed fingerprint first;
3. the dashboard (panel_tui.ui.classroom_screen, headless) is opened and polls as it does
   for a trainer;
4. every seat (a thread per seat, 8 at once) prepares its own tenant (security defaults off,
   SMTP AUTH on), Web Config's OK (OAuth2, Exchange Online, sender = its mailbox), a real
   device code sign-in (MSAL) whose pages the student's browser goes through in the namespace
   (seats without a browser: the scripted form browser over loopback), with consent for its
   organisation; then --rounds scans to its own mailbox one after the other;
5. each mailbox must hold exactly its own seat's messages, and the dashboard must show every
   seat with all its jobs.

Prints join, sign-in and send p50/p95, the dashboard's refresh latency (a job's end to the
dashboard's row showing it: p50/p95/max), the RSS of the host's processes (simulator, web
process, the panels it runs for the browsers) and the misplaced messages (must be 0).

Usage: python bench/classroom.py [--seats 30] [--browsers N] [--rounds 3] [--time-limit 300]
Needs root for `ip netns` (exits 2 saying so otherwise). Traffic only between the veth pair's
two ends and loopback; bounded in count (at most 60 seats, 10 rounds) and time.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from panel_tui.backend import open_backend
from panel_tui.classroom.roster import ClassRoster, load_passwords
from panel_tui.ui.classroom_screen import ClassroomApp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.netns import NetnsUnavailable, veth_namespace  # noqa: E402 - the repository's root is on the path now

MAX_SEATS = 60
MAX_ROUNDS = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def descendants(pid: int | None) -> list[int]:
    """Every process under `pid` (by /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid or -1, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


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


class Browsers:
    """The students' browsers: bench/classroom_browsers.py inside the namespace, spoken to by JSON lines."""

    def __init__(self, net, executable: str) -> None:
        self.process = net.popen([sys.executable, str(ROOT / "bench" / "classroom_browsers.py"), executable,
                                  "Settings"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 cwd=ROOT)
        self.lock = threading.Lock()
        self.answers: dict[tuple[str, str], dict] = {}
        self.arrived = threading.Condition(self.lock)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            data = json.loads(line)
            kind = "join" if "join" in data else "signin"
            with self.arrived:
                self.answers[(kind, data["seat"])] = data
                self.arrived.notify_all()

    def ask(self, command: dict) -> None:
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()

    def wait(self, kind: str, seat: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while (kind, seat) not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    return {"seat": seat, kind: timeout, "ok": False, "page": "no answer"}
                self.arrived.wait(left)
            return self.answers.pop((kind, seat))

    def close(self) -> None:
        try:
            self.ask({"cmd": "quit"})
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)


class Seat:
    """One trainee at one seat: the seat's printer and backend, driven through the product's code."""

    def __init__(self, seat, password: str, roster, browsers: Browsers | None, time_limit: float) -> None:
        self.seat = seat
        self.password = password
        self.printer, self.backend = open_backend(seat.name, roster.backend_options())
        self.browsers = browsers  # None: no browser for this seat (the scripted one signs in)
        self.sim_url = roster.sim_url
        self.time_limit = time_limit

    def prepare_tenant(self) -> None:
        control = self.backend.control()  # the seat's own tenant
        control.set_security_defaults(False)
        control.set_smtp_auth_org(True)

    def web_config_ok(self) -> None:
        settings = self.printer.settings.with_field("email_server.auth_method", "oauth2")
        settings = settings.with_field("email_server.email_service", "exchange_online")
        self.printer.update(settings.with_field("email_server.sender", self.seat.upn))

    def sign_in(self) -> float:
        started = time.perf_counter()
        session = self.backend.session_for(self.printer.settings.email_server)
        flow = session.start_device_flow()
        if self.browsers is not None:
            self.browsers.ask({"cmd": "signin", "seat": self.seat.name, "url": f"{self.sim_url}/devicelogin",
                               "code": flow.user_code, "upn": self.seat.upn, "password": self.password})
            page = self.browsers.wait("signin", self.seat.name, self.time_limit)
            if not page["ok"]:
                raise RuntimeError(f"{self.seat.name}: the browser's sign-in ended on {page.get('page')}")
        else:
            page = self.backend.control().approve_device_code(flow.user_code, self.seat.upn, self.password,
                                                              consent_for_org=True)
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


def p50_p95(values: list[float]) -> str:
    if not values:
        return "–"
    return f"p50 {percentile(values, 0.5) * 1000:.0f} ms, p95 {percentile(values, 0.95) * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--browsers", type=int, help="students' browser contexts (default: one per seat)")
    parser.add_argument("--rounds", type=int, default=3, help="scans per seat, one after the other")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds for each phase")
    args = parser.parse_args(argv)
    args.browsers = args.seats if args.browsers is None else args.browsers
    if not 1 <= args.seats <= MAX_SEATS or not 1 <= args.rounds <= MAX_ROUNDS or not 0 <= args.browsers <= args.seats:
        parser.error(f"--seats 1..{MAX_SEATS}, --rounds 1..{MAX_ROUNDS}, --browsers 0..seats")
    chromium = os.environ.get("PANEL_TUI_CHROMIUM") or shutil.which("chromium")
    if args.browsers and not chromium:
        print("classroom bench: Chromium not found (apt-get install chromium, or --browsers 0)", file=sys.stderr)
        return 2

    try:
        with veth_namespace("ptbench") as net, tempfile.TemporaryDirectory(prefix="panel-classroom-") as tmp:
            home = Path(tmp)
            os.environ["PANEL_TUI_HOME"] = str(home)  # before any profile is opened
            wall = time.perf_counter()
            t0 = time.perf_counter()
            started = panel_tui(home, "classroom", "start", "--seats", str(args.seats), "--host", net.host_address,
                                timeout=args.time_limit)
            start_s = time.perf_counter() - t0
            browsers = None
            try:
                if started.returncode != 0:
                    raise SystemExit(f"classroom start failed: {started.stderr}")
                if args.browsers:
                    browsers = Browsers(net, chromium or "")
                return asyncio.run(run_class(args, net, started.stdout, browsers, start_s, wall))
            finally:
                if browsers is not None:
                    browsers.close()
                panel_tui(home, "classroom", "stop", timeout=60)
    except NetnsUnavailable as error:
        print(f"classroom bench: no test network namespace here ({error}); run it as root", file=sys.stderr)
        return 2


def printed(out: str, address: str) -> tuple[dict[str, str], str]:
    """The seats' join URLs and the simulator CA's fingerprint, as `classroom start` printed them."""
    urls = dict(re.findall(rf"^(seat\d+) .*?(http://{re.escape(address)}:\d+/\?key=\S+)$", out, re.M))
    found = re.search(r"SHA-256 fingerprint ([0-9A-F:]{95})", out)
    return urls, found.group(1) if found else ""


def check_ca(sim_url: str, fingerprint: str) -> None:
    """The simulator's /ca.pem has the printed fingerprint (what a student compares before trusting)."""
    blind = ssl.create_default_context()
    blind.check_hostname, blind.verify_mode = False, ssl.CERT_NONE
    with urllib.request.urlopen(f"{sim_url}/ca.pem", context=blind, timeout=20) as reply:
        digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(reply.read().decode())).hexdigest().upper()
    if ":".join(digest[i:i + 2] for i in range(0, 64, 2)) != fingerprint:
        raise SystemExit("the simulator's CA certificate does not have the printed fingerprint")


async def run_class(args, net, out: str, browsers: Browsers | None, start_s: float, wall: float) -> int:
    roster = ClassRoster.load()
    passwords = load_passwords()
    if not roster.sim_url.startswith(f"https://{net.host_address}:"):
        raise SystemExit(f"refusing a simulator outside the test network: {roster.sim_url}")
    urls, fingerprint = printed(out, net.host_address)
    if len(urls) != args.seats or not fingerprint:
        raise SystemExit(f"classroom start printed {len(urls)} join URLs and fingerprint {fingerprint!r}:\n{out}")
    check_ca(roster.sim_url, fingerprint)
    with_browser = [seat.name for seat in roster.seats[:args.browsers]]
    joins: list[dict] = []
    if browsers is not None:
        for name in with_browser:
            browsers.ask({"cmd": "join", "seat": name, "url": urls[name], "timeout": args.time_limit})
        joins = [browsers.wait("join", name, args.time_limit) for name in with_browser]
    seats = [Seat(seat, passwords[seat.name], roster, browsers if seat.name in with_browser else None, args.time_limit)
             for seat in roster.seats]
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
    rss = {"simulator": rss_mib(roster.sim_pid), "web process": rss_mib(roster.web_pid)}
    panels = [rss_mib(pid) for pid in descendants(roster.web_pid)]
    rss["panels run for the browsers"] = sum(p for p in panels if p) if panels else None
    for seat in seats:
        seat.backend.stop()

    signin_times, sends = results["signins"], results["sends"]
    ok_times = [elapsed for ok, elapsed, _ in sends if ok]
    failures = [problem for ok, _, problem in sends if not ok]
    joined = [j["join"] for j in joins if j.get("ok")]
    complete = sum(1 for row in final.values() if row is not None and row.steps_done >= 6
                   and row.jobs_ok == args.rounds)
    print(f"classroom across a test network: {args.seats} seats on {net.host_address} (namespace {net.name}), "
          f"{len(with_browser)} browser contexts inside it; simulator {roster.sim_url}")
    print("  how: one run; medians and 95th percentiles over seats; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')}")
    print(f"  classroom start (simulator, {args.seats} tenants, profiles, web pages)  {start_s:7.2f} s")
    print(f"  join by printed URL (browser -> Home drawn)   {len(joined)}/{len(with_browser)} ok; {p50_p95(joined)}")
    print(f"  sign-ins (device code, real MSAL; pages in the students' browsers for {len(with_browser)})"
          f"   {len(signin_times)}/{args.seats} ok; {p50_p95(signin_times)}")
    print(f"  sends (scan to email, {args.rounds} per seat)   {len(ok_times)}/{len(sends)} ok"
          f" in {results['send_s']:.2f} s; {p50_p95(ok_times)}")
    print_dashboard(args, watch, results.get("reads") or [])
    print(f"  dashboard rows complete (steps >= 6 of 7, {args.rounds} jobs ok)  {complete}/{args.seats}")
    print(f"  mailboxes checked                   {args.seats}, misplaced or missing messages: {results['misplaced']}")
    for what, value in rss.items():
        print(f"  RSS {what:<32} {value:.0f} MiB" if value else f"  RSS {what:<32} (not readable)")
    print(f"  wall time                           {time.perf_counter() - wall:.2f} s")
    problems = failures + results["problems"] + join_problems(joins)
    for problem in sorted(set(problems))[:5]:
        print(f"  failure: {problem}")
    ok = not problems and results["misplaced"] == 0 and complete == args.seats
    return 0 if ok else 1


def join_problems(joins: list[dict]) -> list[str]:
    """What went wrong when the browsers joined by the printed URLs."""
    problems = [f"{j['seat']}: not joined ({j.get('problem') or j.get('page', '')})" for j in joins if not j.get("ok")]
    problems += [f"{j['seat']}: fetched {j['foreign'][:2]}" for j in joins if j.get("foreign")]
    problems += [f"{j['seat']}: the page names a loopback/wildcard address" for j in joins if j.get("loopback")]
    return problems


def print_dashboard(args, watch: Watch, reads: list[float]) -> None:
    """The dashboard's figures: refresh latency and interval, the time to read the rows."""
    latencies = watch.latencies()
    gaps = [b - a for a, b in zip(watch.refreshes, watch.refreshes[1:], strict=False)]
    if latencies:
        print(f"  dashboard refresh latency (job end -> row shows it, {len(latencies)} jobs)  {p50_p95(latencies)},"
              f" max {max(latencies) * 1000:.0f} ms")
    if gaps:
        print(f"  dashboard refreshes                 {len(watch.refreshes)}; interval {p50_p95(gaps)}")
    if reads:
        print(f"  dashboard read of {args.seats} rows         {p50_p95(reads)}")


def room(args, seats: list[Seat], watch: Watch) -> dict:
    """The trainees, in threads: their own tenant, Web Config's OK, sign-in, then the scans."""
    problems: list[str] = []
    signins: list[float] = []
    sends: list[tuple[bool, float, str]] = []
    lock = threading.Lock()

    def trainee(seat: Seat) -> None:
        try:
            seat.prepare_tenant()
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
    control = seats[0].backend.control()
    for seat in seats:
        inbox = control.mailbox(seat.seat.upn)
        misplaced += sum(1 for m in inbox if seat.seat.upn not in m["from"]) + abs(len(inbox) - args.rounds)
    return {"signins": signins, "sends": sends, "send_s": send_s, "misplaced": misplaced, "problems": problems}


if __name__ == "__main__":
    sys.exit(main())
