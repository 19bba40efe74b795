"""The product's send path versus a bare aiosmtplib loop, through the embedded simulator.

A fresh printer profile signs in (device code flow, approved through the simulator's
pages), then sends N messages (default 200) three ways, interleaved (one message each way,
then the next), each message on its own SMTP connection as a printer does (connect,
STARTTLS, EHLO, AUTH XOAUTH2, send, QUIT):

* jobs: ``MailJobs.test_mail`` - job log row with its request, silent token acquisition in a
  thread, message building, sending (what the panel runs);
* send: ``OAuthSession.acquire_token_for_send`` + ``mail.smtp.send_message`` (no job log);
* bare: aiosmtplib alone with one access token fetched beforehand.

Prints medians and p95 per message, the ratio of each product path to the bare loop,
and the number of token endpoint requests during the product's sends (must be <= 1
while the access token lives; the run fails otherwise).

Usage: python bench/mail.py [--messages 200]
Loopback only; nothing reaches the internet.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import ssl
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's panel_tui

from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.mail import smtp
from panel_tui.mail.auth import OAuthSession
from panel_tui.mail.jobs import MailJobs
from panel_tui.mail.providers import simulator
from panel_tui.sim.control import SimControl
from panel_tui.sim.runtime import SimulatorThread
from panel_tui.sim.tenant import SEEDED_ACCOUNTS


def _machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"Python {platform.python_version()}, "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")


def _figures(name: str, samples: list[float]) -> tuple[float, str]:
    ordered = sorted(samples)
    median = statistics.median(ordered)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return median, f"{name:<6} median {median:7.2f} ms   p95 {p95:7.2f} ms   total {sum(ordered) / 1000:6.2f} s"


async def _bare_loop(host: str, port: int, user: str, token: str, to: str, ca_path: Path, count: int,
                     first: int = 0) -> list[float]:
    context = ssl.create_default_context(cafile=str(ca_path))
    times = []
    for index in range(first, first + count):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = user, to, f"bare {index}"
        message.set_content("This is a test email.")
        start = time.perf_counter()
        client = aiosmtplib.SMTP(hostname=host, port=port, start_tls=False, timeout=30)
        await client.connect()
        await client.ehlo()
        await client.starttls(tls_context=context)
        await client.ehlo()
        await client.auth_xoauth2(user, token)
        await client.send_message(message)
        await client.quit()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _send_loop(session, provider, user: str, to: str, ca_dir: Path, count: int, first: int = 0) -> list[float]:
    cas = smtp.ca_files([ca_dir])
    times = []
    for index in range(first, first + count):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = user, to, f"send {index}"
        message.set_content("This is a test email.")
        start = time.perf_counter()
        token = await asyncio.to_thread(session.acquire_token_for_send)
        await smtp.send_message(provider, None, user, [to], message, lambda token=token: token,
                                extra_ca_paths=cas)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def _jobs_loop(jobs, to: str, count: int, first: int = 0) -> list[float]:
    times = []
    for index in range(first, first + count):
        start = time.perf_counter()
        outcome = await jobs.test_mail(to, subject=f"job {index}")
        times.append((time.perf_counter() - start) * 1000)
        if not outcome.ok:
            raise SystemExit(f"job {index} failed: {outcome.error}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    count = max(1, args.messages)

    root = Path(tempfile.mkdtemp(prefix="panel-tui-bench-mail-"))
    os.environ["PANEL_TUI_HOME"] = str(root / "home")  # read when the profile's paths are resolved
    print(f"machine: {_machine()}")
    _admin, printer_account, megan, _alex = SEEDED_ACCOUNTS
    thread = SimulatorThread(root / "sim")
    endpoints = thread.start()
    try:
        control = SimControl(endpoints.control_url, endpoints.ca_path)
        control.set_security_defaults(False)
        control.set_smtp_auth_org(True)
        control.grant_admin_consent(endpoints.client_id)

        printer = Printer.open(resolve_paths("bench"))
        printer.update(lambda s: s.with_field("email_server.auth_method", "oauth2")
                       .with_field("email_server.sender", printer_account.upn))
        printer.paths.ca_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(endpoints.ca_path, printer.paths.ca_dir / "simulator-ca.pem")
        provider = simulator(endpoints)
        session = OAuthSession(provider, printer.paths.token_cache_file)
        flow = session.start_device_flow()
        control.approve_device_code(flow.user_code, printer_account.upn, printer_account.password)
        result = session.wait_for_device_flow(flow)
        if not result.ok:
            raise SystemExit(f"sign-in failed: {result}")
        jobs = MailJobs(printer, lambda settings: session)

        async def run_all():
            token = await asyncio.to_thread(session.acquire_token_for_send)
            requests_before = session.token_requests
            jobs_times: list[float] = []
            send_times: list[float] = []
            bare_times: list[float] = []
            for index in range(count):  # interleaved, one message each way: a shared machine's load hits all alike
                jobs_times += await _jobs_loop(jobs, megan.upn, 1, index)
                send_times += await _send_loop(session, provider, printer_account.upn, megan.upn,
                                               printer.paths.ca_dir, 1, index)
                bare_times += await _bare_loop(endpoints.smtp_host, endpoints.smtp_port, printer_account.upn,
                                               token, megan.upn, endpoints.ca_path, 1, index)
            product_requests = session.token_requests - requests_before
            return jobs_times, send_times, bare_times, product_requests

        jobs_times, send_times, bare_times, product_requests = asyncio.run(run_all())
        delivered = len(control.mailbox(megan.upn))
        control.close()
    finally:
        thread.stop()
        shutil.rmtree(root, ignore_errors=True)

    jobs_median, jobs_line = _figures("jobs", jobs_times)
    send_median, send_line = _figures("send", send_times)
    bare_median, bare_line = _figures("bare", bare_times)
    print(f"{count} messages each way, one SMTP connection per message (STARTTLS + XOAUTH2), loopback simulator")
    print(jobs_line)
    print(send_line)
    print(bare_line)
    print(f"ratio jobs/bare (median) {jobs_median / bare_median:5.2f}   send/bare {send_median / bare_median:5.2f}")
    print(f"ratio jobs/bare (total)  {sum(jobs_times) / sum(bare_times):5.2f}   "
          f"send/bare {sum(send_times) / sum(bare_times):5.2f}")
    print(f"token endpoint requests during the product's {2 * count} sends: {product_requests} (limit 1)")
    print(f"messages delivered: {delivered} of {3 * count}")
    print(f"machine after: {_machine()}")
    ok = product_requests <= 1 and delivered == 3 * count
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
