"""Load benchmark of the Microsoft 365 simulator: sign-ins and XOAUTH2 sends, vs a bare sink.

30 concurrent clients each sign in with MSAL (device code flow, approved through the
sign-in pages) and, once all are signed in, send 10 messages with a 100 KB attachment, one SMTP connection
per message as a printer does (connect, STARTTLS, AUTH XOAUTH2, send, QUIT). The same
send workload runs against a bare aiosmtpd sink (no TLS, no AUTH) in the same process just
before and just after the simulator; the sink's rate is the mean of the two. Every operation must
succeed. Prints throughput, p50/p95 latencies and the ratio of the simulator's throughput to the sink's.

Usage: python bench/sim_load.py [--clients 30] [--messages 10] [--attachment-kb 100]
Loopback only; bounded in count and time.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import msal
import requests
from aiosmtpd.smtp import SMTP as AiosmtpdSMTP

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from panel_tui.sim.control import SimControl  # noqa: E402
from panel_tui.sim.runtime import SimEndpoints, SimulatorThread  # noqa: E402

PASSWORD = "Bench-Pass-2024"
TIME_LIMIT = 300  # seconds for each phase; the benchmark stops itself


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def message(sender: str, to: str, index: int, attachment: bytes) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"Scan {index:03d}"
    msg.set_content("Scanned document attached.")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename=f"scan-{index:03d}.pdf")
    return msg


# -- the simulator -------------------------------------------------------------------------


def sign_in(endpoints: SimEndpoints, upn: str) -> str:
    """MSAL device code flow; the 'user' approves through the pages. Blocking."""
    http = requests.Session()
    http.trust_env = False
    http.verify = str(endpoints.ca_path)
    app = msal.PublicClientApplication(endpoints.client_id, authority=endpoints.authority,
                                       instance_discovery=False, http_client=http)
    flow = app.initiate_device_flow(scopes=[endpoints.scope])
    with SimControl(endpoints.control_url, endpoints.ca_path, timeout=120) as control:
        page = control.approve_device_code(flow["user_code"], upn, PASSWORD)
    if not page["signed_in"]:
        raise RuntimeError(f"sign-in of {upn} ended on {page['page']} {page['error']}")
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    if "access_token" not in result:
        raise RuntimeError(f"no token for {upn}: {result.get('error_description')}")
    return result["access_token"]


async def sim_client(endpoints: SimEndpoints, tls: ssl.SSLContext, upn: str, messages: int,
                     attachment: bytes, signin_times: list[float], send_times: list[float],
                     send_windows: list[float], signed_in: asyncio.Barrier) -> None:
    started = time.perf_counter()
    token = await asyncio.to_thread(sign_in, endpoints, upn)
    signin_times.append(time.perf_counter() - started)
    # Every client signs in before any sends: the send rate then measures the SMTP path
    # alone, as the sink's does (sign-ins have their own figures).
    await signed_in.wait()
    for index in range(messages):
        started = time.perf_counter()
        send_windows.append(started)
        client = aiosmtplib.SMTP(hostname=endpoints.smtp_host, port=endpoints.smtp_port,
                                 start_tls=True, tls_context=tls, timeout=60)
        await client.connect()
        await client.auth_xoauth2(upn, token)
        errors, _ = await client.send_message(message(upn, f"archive@{endpoints.tenant_domain}", index, attachment))
        await client.quit()
        if errors:
            raise RuntimeError(f"refused recipients: {errors}")
        send_times.append(time.perf_counter() - started)
        send_windows.append(time.perf_counter())


async def run_sim(endpoints: SimEndpoints, users: list[str], messages: int, attachment: bytes) -> dict:
    tls = ssl.create_default_context(cafile=str(endpoints.ca_path))
    signin_times: list[float] = []
    send_times: list[float] = []
    send_windows: list[float] = []  # start and end instants of every send
    started = time.perf_counter()
    signed_in = asyncio.Barrier(len(users))
    await asyncio.wait_for(asyncio.gather(*(
        sim_client(endpoints, tls, upn, messages, attachment, signin_times, send_times, send_windows, signed_in)
        for upn in users
    )), TIME_LIMIT)
    return {"wall": time.perf_counter() - started, "signin": signin_times, "send": send_times,
            "send_span": max(send_windows) - min(send_windows)}


# -- the bare sink -------------------------------------------------------------------------


class CountingSink:
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 OK"


class SinkThread:
    """A bare aiosmtpd server (no TLS, no AUTH) on its own loop, like the simulator's."""

    def __init__(self) -> None:
        self.handler = CountingSink()
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SinkThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the sink did not start")
        return self

    def __exit__(self, *exc) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        server = loop.run_until_complete(loop.create_server(
            lambda: AiosmtpdSMTP(self.handler, hostname="sink.localhost"), host="127.0.0.1", port=0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


async def sink_client(port: int, upn: str, messages: int, attachment: bytes, send_times: list[float]) -> None:
    for index in range(messages):
        started = time.perf_counter()
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False, timeout=60)
        await client.connect()
        errors, _ = await client.send_message(message(upn, "archive@example.com", index, attachment))
        await client.quit()
        if errors:
            raise RuntimeError(f"refused recipients: {errors}")
        send_times.append(time.perf_counter() - started)


async def run_sink(port: int, users: list[str], messages: int, attachment: bytes) -> dict:
    send_times: list[float] = []
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(
        sink_client(port, upn, messages, attachment, send_times) for upn in users
    )), TIME_LIMIT)
    return {"wall": time.perf_counter() - started, "send": send_times}


def sink_phase(users: list[str], messages: int, attachment: bytes, total: int) -> dict | None:
    with SinkThread() as sink:
        bare = asyncio.run(run_sink(sink.port, users, messages, attachment))
        if sink.handler.count != total or len(bare["send"]) != total:
            print(f"FAILED: the sink got {sink.handler.count} of {total}", file=sys.stderr)
            return None
    return bare


# -- report --------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--attachment-kb", type=int, default=100)
    args = parser.parse_args()
    attachment = os.urandom(args.attachment_kb * 1024)
    total = args.clients * args.messages

    users_before = [f"bench{i:02d}@example.com" for i in range(1, args.clients + 1)]
    before = sink_phase(users_before, args.messages, attachment, total)
    if not before:
        return 1
    with tempfile.TemporaryDirectory(prefix="sim-load-") as tmp:
        with (SimulatorThread(Path(tmp)) as endpoints,
              SimControl(endpoints.control_url, endpoints.ca_path, timeout=120) as control):
            control.set_security_defaults(False)
            control.set_smtp_auth_org(True)
            control.grant_admin_consent(endpoints.client_id)
            users = [control.add_user(f"bench{i:02d}", f"Bench {i:02d}", PASSWORD)["upn"]
                     for i in range(1, args.clients + 1)]
            sim = asyncio.run(run_sim(endpoints, users, args.messages, attachment))
            stored = len(control.mailbox(f"archive@{endpoints.tenant_domain}"))
        if stored != total or len(sim["send"]) != total or len(sim["signin"]) != args.clients:
            print(f"FAILED: {stored} of {total} messages stored", file=sys.stderr)
            return 1

    # The sink runs just before and just after the simulator, and its rate is the mean of
    # both: on a shared machine the load drifts, and one phase alone would carry the drift.
    after = sink_phase(users, args.messages, attachment, total)
    if not after:
        return 1
    bare_runs = [before, after]
    bare = {"send": bare_runs[0]["send"] + after["send"], "wall": statistics.fmean(r["wall"] for r in bare_runs)}

    sim_rate = total / sim["send_span"]  # first send started to last send done
    sink_rate = total / bare["wall"]
    print(f"Simulator load: {args.clients} clients x {args.messages} messages, "
          f"{args.attachment_kb} KB attachment, one connection per message; all {total} succeeded")
    print(f"  sign-in (MSAL device flow + pages)  p50 {ms(percentile(sim['signin'], .5))}  "
          f"p95 {ms(percentile(sim['signin'], .95))}")
    print(f"  simulator send (TLS + XOAUTH2)      p50 {ms(percentile(sim['send'], .5))}  "
          f"p95 {ms(percentile(sim['send'], .95))}  mean {ms(statistics.fmean(sim['send']))}")
    print(f"  bare aiosmtpd sink send             p50 {ms(percentile(bare['send'], .5))}  "
          f"p95 {ms(percentile(bare['send'], .95))}  mean {ms(statistics.fmean(bare['send']))}")
    print(f"  throughput: simulator {sim_rate:6.1f} msg/s ({sim['send_span']:.2f} s of sending; "
          f"{total / sim['wall']:.1f} msg/s over the whole run with sign-ins, {sim['wall']:.2f} s), "
          f"sink {sink_rate:6.1f} msg/s ({bare['wall']:.2f} s)")
    print(f"  ratio simulator/sink throughput: {sim_rate / sink_rate:.2f}  "
          f"(p50 latency ratio {percentile(sim['send'], .5) / percentile(bare['send'], .5):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
