"""Classroom benchmark: 30 panels (profiles) share one standalone simulator, each with its own
printer mailbox, and send at the same time.

What a trainer's room does, through the product's own code paths:
1. one simulator started as `panel-tui sim --json` (a separate process, loopback);
2. the tenant prepared as the guide says (security defaults off, SMTP AUTH on, admin consent);
3. per panel: a profile `room-NN`, a mailbox user printerNN@<tenant> added through
   SimControl.add_user, the printer's settings applied (OAuth2, Exchange Online, sender =
   its mailbox), and a real device code sign-in (MSAL) approved through the sign-in pages
   with SimControl.approve_device_code; each panel joins the simulator with --sim-url's
   BackendOptions(sim_url=...);
4. every panel runs its send path (MailJobs.scan_to_email: job log, spool, silent token,
   STARTTLS, AUTH XOAUTH2, a scanned PDF) concurrently, --rounds times in a row, to its own
   mailbox; then each mailbox must hold exactly its own printer's messages.

Prints the success count and p50/p95 latencies of sign-ins and sends.

Usage: python bench/classroom.py [--panels 30] [--rounds 3] [--time-limit 300]
Loopback only; bounded in count (at most 60 panels, 10 rounds) and time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "Classroom-Pass-2024"
MAX_PANELS = 60
MAX_ROUNDS = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def start_simulator(home: Path, timeout: float) -> tuple[subprocess.Popen, dict]:
    """`panel-tui sim --json` on loopback; returns the process and its one JSON line."""
    env = {**os.environ, "PANEL_TUI_HOME": str(home)}
    process = subprocess.Popen([sys.executable, "-m", "panel_tui", "sim", "--json", "--host", "127.0.0.1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    line = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                process.kill()
                raise SystemExit(f"the simulator did not start within {timeout} s: "
                                 f"{process.stderr.read().decode(errors='replace')}")
            if selector.select(timeout=left):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    continue
                line += chunk
    return process, json.loads(line)


class Panel:
    """One emulated printer of the room: its profile, backend (joined by --sim-url) and mailbox."""

    def __init__(self, index: int, sim_url: str, domain: str) -> None:
        from panel_tui.backend import BackendOptions, open_backend

        self.profile = f"room-{index:02d}"
        self.upn = f"printer{index:02d}@{domain}"
        self.printer, self.backend = open_backend(self.profile, BackendOptions(sim_url=sim_url))

    def apply_settings(self) -> None:
        """What Web Config's OK sends to the printer: OAuth2, Exchange Online, sender = its mailbox."""
        settings = self.printer.settings.with_field("email_server.auth_method", "oauth2")
        settings = settings.with_field("email_server.email_service", "exchange_online")
        settings = settings.with_field("email_server.sender", self.upn)
        self.printer.update(settings)

    def sign_in(self, control) -> float:
        """A real device code sign-in, approved in the sign-in pages; returns its duration."""
        started = time.perf_counter()
        session = self.backend.session_for(self.printer.settings.email_server)
        flow = session.start_device_flow()
        page = control.approve_device_code(flow.user_code, self.upn, PASSWORD)
        if not page["signed_in"]:
            raise RuntimeError(f"{self.profile}: sign-in ended on {page['page']} {page['error']}")
        result = session.wait_for_device_flow(flow)
        if not result.ok:
            raise RuntimeError(f"{self.profile}: sign-in failed: {result}")
        return time.perf_counter() - started

    async def send(self, round_index: int) -> tuple[bool, float, str]:
        started = time.perf_counter()
        outcome = await self.backend.jobs.scan_to_email(
            self.upn, subject=f"{self.profile} scan {round_index}", lines=[f"Classroom scan {round_index}"])
        problem = "" if outcome.ok else f"{outcome.job.error_code} {outcome.job.detail}"
        return outcome.ok, time.perf_counter() - started, problem


async def send_all(panels: list[Panel], rounds: int, time_limit: float) -> list[tuple[bool, float, str]]:
    """Every panel sends `rounds` scans one after the other; the panels all at once."""
    async def one_panel(panel: Panel) -> list[tuple[bool, float, str]]:
        return [await panel.send(r) for r in range(rounds)]

    per_panel = await asyncio.wait_for(asyncio.gather(*(one_panel(p) for p in panels)), timeout=time_limit)
    return [result for results in per_panel for result in results]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="scans per panel, one after the other")
    parser.add_argument("--time-limit", type=float, default=300, help="seconds for each phase")
    args = parser.parse_args(argv)
    if not 1 <= args.panels <= MAX_PANELS or not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--panels 1..{MAX_PANELS}, --rounds 1..{MAX_ROUNDS}")

    with tempfile.TemporaryDirectory(prefix="panel-classroom-") as tmp:
        home = Path(tmp)
        os.environ["PANEL_TUI_HOME"] = str(home)  # before any profile is opened
        wall = time.perf_counter()
        process, info = start_simulator(home, timeout=60)
        try:
            return run_room(args, info, wall)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def run_room(args, info: dict, wall: float) -> int:
    from panel_tui.sim.control import SimControl

    sim_url = info["base_url"]
    if not sim_url.startswith(("https://127.0.0.1:", "https://localhost:")):
        raise SystemExit(f"refusing a non-loopback simulator: {sim_url}")
    control = SimControl(info["control_url"], Path(info["ca_path"]))
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    control.grant_admin_consent(info["client_id"])

    t0 = time.perf_counter()
    panels = [Panel(i + 1, sim_url, info["tenant_domain"]) for i in range(args.panels)]
    for panel in panels:
        control.add_user(panel.upn, f"Classroom printer {panel.profile}", PASSWORD)
        panel.apply_settings()
    setup_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        # each thread its own SimControl: the "person in the browser" of that panel
        def sign_in(panel: Panel) -> float:
            with SimControl(info["control_url"], Path(info["ca_path"])) as browser:
                return panel.sign_in(browser)

        futures = [pool.submit(sign_in, p) for p in panels]
        signin_times = [f.result(timeout=args.time_limit) for f in futures]
    signin_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = asyncio.run(send_all(panels, args.rounds, args.time_limit))
    send_s = time.perf_counter() - t0
    ok_times = [elapsed for ok, elapsed, _ in results if ok]
    failures = [problem for ok, _, problem in results if not ok]

    # each printer's mailbox holds its own scans, and nobody else's
    misplaced = 0
    for panel in panels:
        inbox = control.mailbox(panel.upn)
        misplaced += sum(1 for m in inbox if panel.upn not in m["from"]) + abs(len(inbox) - args.rounds)
    for panel in panels:
        panel.backend.stop()
    control.close()

    total = len(results)
    print(f"classroom: {args.panels} panels (profiles), one standalone simulator at {sim_url}")
    print(f"  setup (profiles, mailbox users, settings)  {setup_s:7.2f} s")
    print(f"  sign-ins (device code, real MSAL)          {len(signin_times)}/{args.panels} ok in {signin_s:.2f} s;"
          f" p50 {percentile(signin_times, 0.5) * 1000:.0f} ms, p95 {percentile(signin_times, 0.95) * 1000:.0f} ms")
    print(f"  sends (scan to email, {args.rounds} per panel)        {len(ok_times)}/{total} ok in {send_s:.2f} s"
          f" ({total / send_s:.1f} jobs/s)")
    if ok_times:
        print(f"  send latency                               p50 {percentile(ok_times, 0.5) * 1000:.0f} ms,"
              f" p95 {percentile(ok_times, 0.95) * 1000:.0f} ms, max {max(ok_times) * 1000:.0f} ms")
    print(f"  mailboxes checked                          {args.panels}, misplaced or missing messages: {misplaced}")
    print(f"  wall time                                  {time.perf_counter() - wall:.2f} s")
    for problem in sorted(set(failures))[:5]:
        print(f"  failure: {problem}")
    return 0 if not failures and misplaced == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
