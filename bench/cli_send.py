"""`panel-tui send` as one process per message vs a bare aiosmtplib process, against one simulator.

1. One standalone simulator (`panel-tui sim --json`, loopback) in a temporary home; the
   tenant prepared as the guide says (security defaults off, SMTP AUTH on, admin consent).
2. A printer profile set up as Web Config's OK leaves it (OAuth2, Exchange Online, sender
   = the printer's mailbox) and signed in once (real MSAL device code flow, approved
   through the sign-in pages).
3. N times, interleaved: `python -m panel_tui send --to ADDR` (a fresh process of the same
   home, which joins its simulator: start-up, token from the profile's cache, job log,
   STARTTLS, AUTH XOAUTH2, send), then a bare process (`python -c`: import aiosmtplib, connect, STARTTLS, AUTH
   XOAUTH2 with a token fetched beforehand, send, QUIT). Each is timed from spawn to exit.

Prints medians and p95 of each, the ratio of the medians and the median of the per-pair
ratios (goal <= 2x), and how the run was made. Every message must arrive.
With --before DIR, a checkout of another version sends too (its `panel_tui`, run from DIR).
Usage: python bench/cli_send.py [--messages 50] [--before DIR]
Loopback only; bounded in count and time.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from panel_tui.backend import BackendOptions, open_backend
from panel_tui.sim.control import SimControl
from panel_tui.sim.tenant import SEEDED_ACCOUNTS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from standalone_sim import start_simulator  # noqa: E402 - bench/ is the script's own folder

GOAL = 2.0
PROCESS_TIMEOUT = 60

BARE_SEND = r'''
import asyncio, os, ssl
from email.message import EmailMessage
import aiosmtplib

async def main():
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = os.environ["BARE_FROM"], os.environ["BARE_TO"], "bare"
    message.set_content("This is a test email.")
    context = ssl.create_default_context(cafile=os.environ["BARE_CA"])
    client = aiosmtplib.SMTP(hostname=os.environ["BARE_HOST"], port=int(os.environ["BARE_PORT"]),
                             start_tls=False, timeout=30)
    await client.connect()
    await client.ehlo()
    await client.starttls(tls_context=context)
    await client.ehlo()
    await client.auth_xoauth2(os.environ["BARE_FROM"], os.environ["BARE_TOKEN"])
    await client.send_message(message)
    await client.quit()

asyncio.run(main())
'''


def run_timed(argv: list[str], env: dict, cwd: str | None = None) -> float:
    """Seconds from spawn to exit; the run fails on a non-zero exit."""
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=PROCESS_TIMEOUT, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... exited {done.returncode}:\n"
                         f"{done.stdout.decode(errors='replace')}{done.stderr.decode(errors='replace')}")
    return elapsed


def prepare_profile(info: dict, profile: str) -> tuple[str, str, str]:
    """Tenant prepared, profile applied and signed in; returns (printer upn, recipient, access token)."""
    _admin, printer_account, megan, _alex = SEEDED_ACCOUNTS
    with SimControl(info["control_url"], Path(info["ca_path"])) as control:
        control.set_security_defaults(False)
        control.set_smtp_auth_org(True)
        control.grant_admin_consent(info["client_id"])
        printer, backend = open_backend(profile, BackendOptions())  # joins the home's simulator
        try:
            settings = printer.settings.with_field("email_server.auth_method", "oauth2")
            settings = settings.with_field("email_server.email_service", "exchange_online")
            printer.update(settings.with_field("email_server.sender", printer_account.upn))
            session = backend.session_for(printer.settings.email_server)
            flow = session.start_device_flow()
            page = control.approve_device_code(flow.user_code, printer_account.upn, printer_account.password)
            if not page["signed_in"]:
                raise SystemExit(f"sign-in ended on {page['page']} {page['error']}")
            result = session.wait_for_device_flow(flow)
            if not result.ok:
                raise SystemExit(f"sign-in failed: {result}")
            token = session.acquire_token_for_send()
        finally:
            backend.stop()
    return printer_account.upn, megan.upn, token


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def describe_bytecode(checkout: Path) -> str:
    """Whether `checkout`'s panel_tui has up-to-date bytecode: with PYTHONDONTWRITEBYTECODE set,
    a module without it is compiled again by every process (~25 ms a start)."""
    sources = sorted((checkout / "panel_tui").rglob("*.py"))
    stale = 0
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        try:
            header = cached.read_bytes()[:16]
        except OSError:
            stale += 1
            continue
        info = source.stat()
        # A timestamp .pyc records its source's mtime and size (bytes 8-16); Python checks the same.
        if (header[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(header[4:8], "little") == 0
                and (int.from_bytes(header[8:12], "little") != int(info.st_mtime) & 0xFFFFFFFF
                     or int.from_bytes(header[12:16], "little") != info.st_size & 0xFFFFFFFF)):
            stale += 1
    state = "compiled" if not stale else f"NOT COMPILED: {stale} of {len(sources)} modules lack bytecode"
    return f"{checkout}: panel_tui {state}"


def describe_machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"Python {platform.python_version()}, "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")


def time_contenders(contenders: list, messages: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each contender's times for `messages` messages (after one warm-up run each), interleaved so
    machine noise hits all alike, and each run's ratio to the bare sender's run of the same round."""
    for _name, argv, run_env, cwd in contenders:  # warm-up, not counted
        run_timed(argv, run_env, cwd)
    times: dict[str, list[float]] = {name: [] for name, *_ in contenders}
    pairs: dict[str, list[float]] = {name: [] for name, *_ in contenders}
    for _ in range(messages):
        for name, argv, run_env, cwd in contenders:
            times[name].append(run_timed(argv, run_env, cwd))
        for name in times:
            pairs[name].append(times[name][-1] / times["bare aiosmtplib"][-1])
    return times, pairs


def print_times(times: dict[str, list[float]], pairs: dict[str, list[float]]) -> None:
    for name, values in times.items():
        print(f"  {name:16s} median {statistics.median(values) * 1000:7.1f} ms"
              f"   p95 {percentile(values, 0.95) * 1000:7.1f} ms   min {min(values) * 1000:7.1f} ms")
    for name in times:
        if name == "bare aiosmtplib":
            continue
        ratio = statistics.median(times[name]) / statistics.median(times["bare aiosmtplib"])
        print(f"  {name} / bare: medians {ratio:.2f}x, median of pairs {statistics.median(pairs[name]):.2f}x"
              f"  (goal <= {GOAL:.1f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--before", metavar="DIR", help="a checkout of another version to time too")
    args = parser.parse_args()
    if not 1 <= args.messages <= 500:
        parser.error("--messages 1..500")
    print(f"machine: {describe_machine()}")
    print(f"this checkout: {describe_bytecode(ROOT)}  (`make compile` compiles it)")
    if args.before:
        print(f"before: {describe_bytecode(Path(args.before).resolve())}  (python -m compileall -q panel_tui there)")
    print("each contender: `python -m panel_tui --profile bench send --to ADDR` (before: run from its folder), "
          "and the bare sender as `python -c` (same interpreter), one process per message")
    with tempfile.TemporaryDirectory(prefix="panel-cli-send-") as tmp:
        env = {**os.environ, "PANEL_TUI_HOME": tmp}
        os.environ["PANEL_TUI_HOME"] = tmp  # before any profile is opened in this process
        process, info = start_simulator(env, timeout=60)
        try:
            sim_url = info["base_url"]
            if not sim_url.startswith(("https://127.0.0.1:", "https://localhost:")):
                raise SystemExit(f"refusing a non-loopback simulator: {sim_url}")
            sender, recipient, token = prepare_profile(info, "bench")
            panel = [sys.executable, "-m", "panel_tui", "--profile", "bench", "send", "--to", recipient]
            bare = [sys.executable, "-c", BARE_SEND]
            bare_env = {**env, "BARE_FROM": sender, "BARE_TO": recipient, "BARE_TOKEN": token,
                        "BARE_CA": info["ca_path"], "BARE_HOST": info["smtp_host"], "BARE_PORT": str(info["smtp_port"])}
            contenders = [("panel-tui send", panel, env, None), ("bare aiosmtplib", bare, bare_env, None)]
            if args.before:
                contenders.insert(1, ("before", panel, env, args.before))
            times, pairs = time_contenders(contenders, args.messages)
            with SimControl(info["control_url"], Path(info["ca_path"])) as control:
                delivered = len(control.mailbox(recipient))
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
    expected = len(contenders) * (args.messages + 1)
    print(f"{args.messages} messages each, one process per message, interleaved, one simulator on loopback")
    print_times(times, pairs)
    print(f"  messages delivered: {delivered} of {expected}")
    print(f"machine after: {describe_machine()}")
    return 0 if delivered == expected else 1


if __name__ == "__main__":
    raise SystemExit(main())
