"""The simulator as an exposed server: slow and half-open clients are cut, connections are
capped, and a big mailbox listing does not stall the identity provider.

Each test runs its own simulator (in a thread of this process, on free loopback ports)
with the limits lowered so that nothing waits long; every wait is bounded by a socket
timeout."""
from __future__ import annotations

import socket
import ssl
import threading
import time
from email.message import EmailMessage

import pytest
import requests

from panel_tui.sim import http_guard
from panel_tui.sim import smtp as sim_smtp
from panel_tui.sim.control import SimControl
from panel_tui.sim.maildir import MailStore
from panel_tui.sim.runtime import SimulatorThread

WAIT = 10.0  # the longest any socket read here may wait; the limits under test are far below


@pytest.fixture
def limits(monkeypatch):
    """Short limits for the simulator the test starts (read per connection / at start)."""
    monkeypatch.setattr(http_guard, "HANDSHAKE_TIMEOUT", 0.5)
    monkeypatch.setattr(http_guard, "IDLE_TIMEOUT", 0.5)
    monkeypatch.setattr(http_guard, "REQUEST_TIMEOUT", 1.0)
    monkeypatch.setattr(sim_smtp, "IDLE_TIMEOUT", 0.5)
    return monkeypatch


@pytest.fixture
def server(tmp_path, limits):
    thread = SimulatorThread(tmp_path / "sim")
    endpoints = thread.start(timeout=60)
    try:
        yield endpoints
    finally:
        thread.stop()


def _http_address(endpoints) -> tuple[str, int]:
    host, port = endpoints.base_url.removeprefix("https://").rsplit(":", 1)
    return host, int(port)


def _tls_socket(endpoints) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(endpoints.ca_path))
    raw = socket.create_connection(_http_address(endpoints), timeout=WAIT)
    return context.wrap_socket(raw, server_hostname=_http_address(endpoints)[0])


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server ends the connection within WAIT seconds (reads what it sends)."""
    sock.settimeout(WAIT)
    try:
        while sock.recv(4096):
            pass
        return True
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_half_open_https_connection_is_cut(server):
    with socket.create_connection(_http_address(server), timeout=WAIT) as sock:  # no TLS hello
        started = time.monotonic()
        assert _closed_by_server(sock)
        assert time.monotonic() - started < WAIT


def test_https_client_that_stops_mid_request_is_cut(server):
    with _tls_socket(server) as sock:
        sock.sendall(b"GET /devicelogin HTTP/1.1\r\nHost: localhost\r\n")  # no end of headers
        assert _closed_by_server(sock)


def test_https_client_trickling_its_headers_is_cut(server):
    with _tls_socket(server) as sock:
        sock.sendall(b"GET /devicelogin HTTP/1.1\r\n")
        sock.settimeout(0.2)
        started = time.monotonic()
        cut = False
        while time.monotonic() - started < WAIT and not cut:
            try:
                cut = sock.recv(4096) == b""
            except TimeoutError:
                try:
                    sock.sendall(b"X")  # one more byte, faster than the idle limit
                except OSError:
                    cut = True
            except (ConnectionResetError, ssl.SSLError):
                cut = True
        assert cut, "a client sending a byte every 0.2 s held the connection"


def test_https_connections_are_capped_per_address(server, limits):
    limits.setattr(http_guard, "MAX_CONNECTIONS_PER_ADDRESS", 2)
    limits.setattr(http_guard, "IDLE_TIMEOUT", WAIT * 3)
    first, second = _tls_socket(server), _tls_socket(server)
    try:
        for sock in (first, second):  # both answered
            sock.sendall(b"GET /devicelogin HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert sock.recv(12).startswith(b"HTTP/1.1 200")
        with _tls_socket(server) as third:
            assert _closed_by_server(third)
    finally:
        first.close()
        second.close()


def _smtp_lines(sock: socket.socket) -> list[str]:
    data = b""
    sock.settimeout(WAIT)
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return data.decode().splitlines()


def test_idle_smtp_client_is_told_and_cut(server):
    with socket.create_connection((server.smtp_host, server.smtp_port), timeout=WAIT) as sock:
        lines = _smtp_lines(sock)
    assert lines[0].startswith("220 ") and lines[-1].startswith("421 4.4.1 Connection timed out [")


def test_smtp_connections_are_capped_per_address(server, limits):
    """Over the cap a newcomer is admitted and the oldest unauthenticated connection is cut
    (fair per connection: idle sockets cannot lock others out; the count stays bounded)."""
    limits.setattr(sim_smtp, "MAX_CONNECTIONS_PER_ADDRESS", 2)
    limits.setattr(sim_smtp, "IDLE_TIMEOUT", WAIT * 3)
    address = (server.smtp_host, server.smtp_port)
    held = [socket.create_connection(address, timeout=WAIT) for _ in range(2)]
    try:
        for sock in held:
            assert sock.recv(4096).startswith(b"220 ")
        with socket.create_connection(address, timeout=WAIT) as third:
            assert third.recv(4096).startswith(b"220 ")
            lines = _smtp_lines(held[0])
        assert len(lines) == 1 and lines[0].startswith(
            "421 4.3.2 The maximum number of concurrent connections has exceeded a limit")
    finally:
        for sock in held:
            sock.close()


def test_smtp_total_is_bounded_when_every_connection_is_busy(server, limits):
    """The total cap holds: with no unauthenticated connection to cut, a newcomer is refused."""
    limits.setattr(sim_smtp, "MAX_CONNECTIONS", 2)
    limits.setattr(sim_smtp, "IDLE_TIMEOUT", WAIT * 3)
    limits.setattr(sim_smtp, "_authenticated", lambda session: True)  # as if both had signed in
    address = (server.smtp_host, server.smtp_port)
    held = [socket.create_connection(address, timeout=WAIT) for _ in range(2)]
    try:
        for sock in held:
            assert sock.recv(4096).startswith(b"220 ")
        with socket.create_connection(address, timeout=WAIT) as third:
            lines = _smtp_lines(third)
        assert len(lines) == 1 and lines[0].startswith("421 4.3.2 ")
    finally:
        for sock in held:
            sock.close()
    with socket.create_connection(address, timeout=WAIT) as again:  # freed slots admit again
        assert again.recv(4096).startswith(b"220 ")


def _fill_mailbox(store: MailStore, address: str, count: int) -> None:
    msg = EmailMessage()
    msg["From"] = "printer@contoso.onmicrosoft.com"
    msg["To"] = address
    msg["Subject"] = "Scan NNNNNN"
    msg.set_content("Scanned document attached.")
    msg.add_attachment(bytes(2048), maintype="application", subtype="pdf", filename="scan.pdf")
    template = bytes(msg)
    for index in range(count):
        store.deliver([address], template.replace(b"NNNNNN", b"%06d" % index))


def test_big_mailbox_listing_and_a_slow_client_do_not_stall_the_idp(server, limits):
    limits.setattr(http_guard, "IDLE_TIMEOUT", 60.0)
    limits.setattr(http_guard, "REQUEST_TIMEOUT", 60.0)
    address = "archive@example.com"
    _fill_mailbox(MailStore(server.maildir), address, 800)
    slow = _tls_socket(server)  # a client that never finishes its request
    slow.sendall(b"GET /devicelogin HTTP/1.1\r\nHost: localhost\r\n")
    listing: dict = {}

    def list_mailbox() -> None:
        with SimControl(server.control_url, server.ca_path, timeout=120) as control:
            started = time.monotonic()
            listing["count"] = len(control.mailbox(address))
            listing["seconds"] = time.monotonic() - started

    http = requests.Session()
    http.trust_env = False
    http.verify = str(server.ca_path)
    discovery = f"{server.authority}/v2.0/.well-known/openid-configuration"
    http.get(discovery, timeout=WAIT).raise_for_status()  # connection and TLS set up
    worker = threading.Thread(target=list_mailbox)
    latencies = []
    try:
        worker.start()
        while worker.is_alive() and len(latencies) < 2000:
            started = time.monotonic()
            http.get(discovery, timeout=WAIT).raise_for_status()
            latencies.append(time.monotonic() - started)
        worker.join(120)
    finally:
        slow.close()
        http.close()
    assert listing["count"] == 800
    assert len(latencies) >= 5, f"only {len(latencies)} IdP answers during a {listing['seconds']:.1f} s listing"
    # Relative to the listing, so a loaded machine does not fail it: a listing on the event
    # loop holds an IdP request for nearly its whole length; in a thread, for a small part.
    bound = max(0.5, 0.5 * listing["seconds"])
    assert max(latencies) < bound, (f"an IdP request waited {max(latencies):.2f} s "
                                    f"behind a {listing['seconds']:.2f} s listing")
