"""Soak: one home, one simulator, 5 panels' backends and 20 CLI processes sending at once while
faults come and go; then every job that did not succeed is retried once. Prints sends
attempted / delivered / duplicated / lost, the simulator processes seen (must be 1) and RSS.

1. A temporary PANEL_TUI_HOME with one simulator in it: the home's own, started by the
   first backend that needs it and joined by every other backend and CLI process; or, with
   --sim-url-mode, `panel-tui sim --json` passed to every process by --sim-url. The tenant
   is prepared as the guide says.
2. PROFILES profiles, each signed in as the printer's mailbox with OAuth2 applied (Web
   Config's OK). Each has a panel's backend in this process sending test mails in a loop,
   and CLI workers (20 in all, spread over the profiles) each running `panel-tui send`
   processes one after the other: a panel and CLIs share a profile, its token cache,
   settings and job log.
3. Faults switched on and off in turn (smtp_down, smtp_drop_mid_data, idp_5xx,
   smtp_stall_after_data) with healthy gaps between; the simulated clock moved +1 h twice
   (every profile must refresh, the panel and the CLIs racing for it).
4. After --seconds: faults off, in-flight sends finished, then every job that ended in
   error, interrupted or unconfirmed and was not retried yet is retried once
   (`panel-tui jobs retry N`, which claims it). Then the recipient's mailbox is read.

Each send has a unique subject. delivered: subjects that arrived; duplicated: subjects that
arrived more than once (and whether the copies share one Message-ID, i.e. a retry of an
unconfirmed job that had arrived); lost: subjects that never arrived; lost after "ok":
subjects whose job said ok but never arrived (must be 0).
Usage: python bench/soak.py [--seconds 60] [--panels 5] [--cli 20] [--sim-url-mode]
Loopback only; bounded in time (every process has a timeout and is killed by pid).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from panel_tui.backend import BackendOptions, open_backend
from panel_tui.mail.jobs import MailRequest
from panel_tui.sim.control import SimControl
from panel_tui.sim.tenant import SEEDED_ACCOUNTS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from standalone_sim import start_simulator  # noqa: E402 - bench/ is the script's own folder

PROCESS_TIMEOUT = 90
SMTP_TIMEOUT = 20.0  # a stalled reply ends a send after this (panels; the CLI uses its default)
FAULTS = ("smtp_down", "smtp_drop_mid_data", "idp_5xx", "smtp_stall_after_data")


class Tally:
    """What was attempted and how each attempt ended, shared by the sending threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subjects: dict[str, str] = {}  # subject -> how its first attempt ended
        self.cli_processes = 0

    def record(self, subject: str, outcome: str) -> None:
        with self.lock:
            self.subjects[subject] = outcome


def simulator_pids(home: str) -> set[int]:
    """Processes of this home serving a simulator: `panel-tui sim`, or a command line naming
    the simulator's module (a home's background simulator)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes() if b"panel_tui" in b" ".join(argv) else b""
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        if not any("panel_tui" in w for w in words):
            continue
        in_home = f"PANEL_TUI_HOME={home}".encode() in environ.split(b"\0")
        runs_sim = "sim" in words or any(w.startswith("panel_tui.sim") for w in words)
        if in_home and runs_sim and "status" not in words and "stop" not in words:
            found.add(int(entry.name))
    return found


def rss_peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def describe_machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"Python {platform.python_version()}")


class Soak:
    def __init__(self, args: argparse.Namespace, home: str) -> None:
        self.args = args
        self.home = home
        self.env = {**os.environ, "PANEL_TUI_HOME": home, "PYTHONUNBUFFERED": "1"}
        self.tally = Tally()
        self.stop = threading.Event()
        self.sim_url: str | None = None
        self.info: dict = {}
        self.sim_seen: set[int] = set()
        self.procs: set[subprocess.Popen] = set()
        self.procs_lock = threading.Lock()
        self.fault_log: list[str] = []
        self.backends: list = []

    # -- processes --------------------------------------------------------------------

    def cli(self, profile: str, *args: str, timeout: float = PROCESS_TIMEOUT) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-m", "panel_tui", "--profile", profile]
        if self.sim_url:
            argv += ["--sim-url", self.sim_url]
        proc = subprocess.Popen(argv + list(args), env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with self.procs_lock:
            self.procs.add(proc)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate(timeout=30)
        finally:
            with self.procs_lock:
                self.procs.discard(proc)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def kill_all(self) -> None:
        with self.procs_lock:
            procs = list(self.procs)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()

    # -- set-up -----------------------------------------------------------------------

    def control(self):
        if hasattr(SimControl, "for_endpoints"):  # the control API wants the simulator's secret
            return SimControl.for_endpoints(self.info)
        return SimControl(self.info["control_url"], Path(self.info["ca_path"]))

    def prepare(self, profiles: list[str]) -> None:
        _admin, printer_account, _megan, _alex = SEEDED_ACCOUNTS
        with self.control() as control:
            control.set_security_defaults(False)
            control.set_smtp_auth_org(True)
            control.grant_admin_consent(self.info["client_id"])
            for profile in profiles:
                printer, backend = open_backend(profile, BackendOptions(sim_url=self.sim_url))
                settings = printer.settings.with_field("email_server.auth_method", "oauth2")
                settings = settings.with_field("email_server.email_service", "exchange_online")
                printer.update(settings.with_field("email_server.sender", printer_account.upn))
                session = backend.session_for(printer.settings.email_server)
                flow = session.start_device_flow()
                control.approve_device_code(flow.user_code, printer_account.upn, printer_account.password)
                if not session.wait_for_device_flow(flow).ok:
                    raise SystemExit(f"{profile}: sign-in failed")
                backend.jobs.timeout = SMTP_TIMEOUT
                self.backends.append((profile, backend))

    # -- the load -----------------------------------------------------------------------

    def panel_loop(self, index: int, profile: str, backend) -> None:
        recipient = SEEDED_ACCOUNTS[2].upn
        loop = asyncio.new_event_loop()
        count = 0
        try:
            while not self.stop.is_set():
                count += 1
                subject = f"soak panel{index} {count}"
                try:
                    outcome = loop.run_until_complete(backend.jobs.run(
                        MailRequest("test_mail", (recipient,), subject, "soak")))
                    result = outcome.job.result
                except Exception as error:  # noqa: BLE001 - counted, the soak goes on
                    result = f"exception {type(error).__name__}"
                self.tally.record(subject, result)
        finally:
            loop.close()

    def cli_loop(self, index: int, profile: str) -> None:
        recipient = SEEDED_ACCOUNTS[2].upn
        count = 0
        while not self.stop.is_set():
            count += 1
            subject = f"soak cli{index} {count}"
            done = self.cli(profile, "send", "--to", recipient, "--subject", subject)
            with self.tally.lock:
                self.tally.cli_processes += 1
            if "Traceback" in done.stderr:
                result = "traceback"
                print(f"  traceback in cli{index}:\n{done.stderr}", file=sys.stderr)
            else:
                result = "ok" if done.returncode == 0 else f"exit {done.returncode}"
            self.tally.record(subject, result)

    def fault_loop(self) -> None:
        period = self.args.fault_period
        moves = 0
        with self.control() as control:
            step = 0
            while not self.stop.wait(period):
                fault = FAULTS[step % len(FAULTS)]
                control.set_fault(fault, True)
                self.fault_log.append(fault)
                if self.stop.wait(period / 2):
                    control.set_fault(fault, False)
                    break
                control.set_fault(fault, False)
                if moves < 2 and step % 2 == 1:
                    control.advance_clock(3600)  # every token needs a refresh: panel and CLIs race for it
                    for _, backend in self.backends:
                        backend.sync_clock()
                    moves += 1
                    self.fault_log.append("clock +1 h")
                step += 1
            for fault in FAULTS:
                control.set_fault(fault, False)

    def watch_loop(self) -> None:
        while not self.stop.wait(0.5):
            self.sim_seen |= simulator_pids(self.home)

    # -- afterwards -----------------------------------------------------------------------

    def retry_unfinished(self, profiles: list[str]) -> dict[str, int]:
        retried: collections.Counter = collections.Counter()
        for profile in profiles:
            listing = self.cli(profile, "jobs", "--json")
            for line in listing.stdout.splitlines():
                job = json.loads(line)
                if job["type"] != "test_mail" or job.get("retried_by") is not None:
                    continue
                if job["result"] in ("error", "interrupted", "unconfirmed"):
                    done = self.cli(profile, "jobs", "retry", str(job["id"]))
                    retried[f"{job['result']} -> {'ok' if done.returncode == 0 else 'failed'}"] += 1
        return dict(retried)

    def run(self) -> int:
        args = self.args
        profiles = [f"soak{i}" for i in range(args.panels)]
        sim_process = None
        if args.sim_url_mode:
            sim_process, self.info = start_simulator(self.env, timeout=60)
            self.sim_url = self.info["base_url"]
        else:
            self.info = self.home_simulator()
        if not self.info["base_url"].startswith(("https://127.0.0.1:", "https://localhost:")):
            raise SystemExit(f"refusing a non-loopback simulator: {self.info['base_url']}")
        self.sim_seen |= simulator_pids(self.home)
        try:
            self.prepare(profiles)
            threads = [threading.Thread(target=self.watch_loop, daemon=True),
                       threading.Thread(target=self.fault_loop, daemon=True)]
            threads += [threading.Thread(target=self.panel_loop, args=(i, p, b), daemon=True)
                        for i, (p, b) in enumerate(self.backends)]
            threads += [threading.Thread(target=self.cli_loop, args=(i, profiles[i % len(profiles)]), daemon=True)
                        for i in range(args.cli)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            self.stop.wait(args.seconds)
            self.stop.set()
            for thread in threads:
                thread.join(timeout=PROCESS_TIMEOUT + 30)
            load_seconds = time.monotonic() - started
            self.sim_seen |= simulator_pids(self.home)
            retried = self.retry_unfinished(profiles)
            with self.control() as control:
                mailbox = control.mailbox(SEEDED_ACCOUNTS[2].upn)
            sim_rss = max((rss_peak_kib(pid) for pid in self.sim_seen), default=0)
        finally:
            self.stop.set()
            self.kill_all()
            for _, backend in self.backends:
                backend.stop()
            if sim_process is not None:
                sim_process.terminate()
                try:
                    sim_process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    sim_process.kill()
                    sim_process.wait(timeout=15)
            else:
                self.stop_home_simulator()
        return self.report(mailbox, retried, load_seconds, sim_rss)

    def home_simulator(self) -> dict:
        """The home's own simulator, started by the first backend that needs it (a panel's)."""
        _printer, backend = open_backend("soak-first", BackendOptions())
        try:
            backend.endpoints()  # the first process that needs the simulator starts the home's
        finally:
            backend.stop()
        done = subprocess.run([sys.executable, "-m", "panel_tui", "sim", "status", "--json"], env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
        if done.returncode != 0 or not done.stdout.strip().startswith("{"):
            raise SystemExit("this checkout has no home simulator (`panel-tui sim status --json`); "
                             f"use --sim-url-mode\n{done.stdout}{done.stderr}")
        return json.loads(done.stdout)

    def stop_home_simulator(self) -> None:
        subprocess.run([sys.executable, "-m", "panel_tui", "sim", "stop"], env=self.env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=PROCESS_TIMEOUT)

    def report(self, mailbox: list[dict], retried: dict[str, int], load_seconds: float, sim_rss: int) -> int:
        arrivals: dict[str, list[dict]] = collections.defaultdict(list)
        for message in mailbox:
            arrivals[message["subject"]].append(message)
        attempted = self.tally.subjects
        delivered = [s for s in attempted if arrivals.get(s)]
        duplicated = [s for s in attempted if len(arrivals.get(s, ())) > 1]
        same_id = [s for s in duplicated if len({m["message_id"] for m in arrivals[s]}) == 1]
        lost = [s for s in attempted if not arrivals.get(s)]
        lost_after_ok = [s for s in lost if attempted[s] == "ok"]
        first = collections.Counter(attempted.values())
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"soak: {load_seconds:.0f} s of load, {self.args.panels} panels' backends + {self.args.cli} CLI workers "
              f"({self.tally.cli_processes} `panel-tui send` processes), faults every {self.args.fault_period:g} s")
        print(f"  faults switched: {', '.join(self.fault_log) or 'none'}")
        print(f"  first attempts: {dict(sorted(first.items()))}")
        print(f"  retried once afterwards: {retried or 'nothing'}")
        print(f"  sends attempted: {len(attempted)}")
        print(f"  delivered:       {len(delivered)}")
        print(f"  duplicated:      {len(duplicated)} (same Message-ID in every copy: {len(same_id)})")
        print(f"  lost:            {len(lost)} (of which the job said ok: {len(lost_after_ok)})")
        if lost:
            print(f"    e.g. {lost[:5]} -> {[attempted[s] for s in lost[:5]]}")
        print(f"  simulator processes seen: {len(self.sim_seen)} {sorted(self.sim_seen)}")
        print(f"  RSS peak: simulator {sim_rss / 1024:.0f} MiB, "
              f"this process ({self.args.panels} backends) {own / 1024:.0f} MiB, "
              f"largest CLI process {children / 1024:.0f} MiB")
        print(f"  machine: {describe_machine()}")
        ok = not lost_after_ok and len(self.sim_seen) == 1 and "traceback" not in first
        return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--panels", type=int, default=5)
    parser.add_argument("--cli", type=int, default=20)
    parser.add_argument("--fault-period", type=float, default=6.0, help="seconds between fault switches")
    parser.add_argument("--sim-url-mode", action="store_true",
                        help="start `panel-tui sim --json` and pass --sim-url to every process")
    args = parser.parse_args()
    if not (5 <= args.seconds <= 1800 and 1 <= args.panels <= 20 and 0 <= args.cli <= 50):
        parser.error("--seconds 5..1800, --panels 1..20, --cli 0..50")
    print(f"machine: {describe_machine()}")
    with tempfile.TemporaryDirectory(prefix="panel-soak-") as home:
        os.environ["PANEL_TUI_HOME"] = home  # before any profile is opened in this process
        return Soak(args, home).run()


if __name__ == "__main__":
    raise SystemExit(main())
