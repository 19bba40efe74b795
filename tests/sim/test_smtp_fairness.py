"""No client starves another at the simulator's SMTP server: a class's seats all connect from
the trainer's 127.0.0.1, so limits are fair per connection (idle, unauthenticated sockets make
room for a newcomer) rather than one budget per client address; the whole stays bounded."""
from __future__ import annotations

import asyncio
import socket
import time
from email.message import EmailMessage

import aiosmtplib
import pytest

from panel_tui.sim import smtp as sim_smtp
from panel_tui.sim.maildir import MailStore

from .conftest import ADMIN, MEGAN

CLIENTS = 200
MESSAGES = 10


@pytest.fixture
def admin_token(sim) -> str:
    signin = sim.sign_in(ADMIN, consent_for_org=True)
    sim.open_smtp()
    return signin.access_token


def _message(index: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = ADMIN.upn
    msg["To"] = MEGAN.upn
    msg["Subject"] = f"Scan {index:05d}"
    msg.set_content("Scanned document attached.")
    return bytes(msg)


async def _send(sim, token: str, indexes: range) -> None:
    client = aiosmtplib.SMTP(hostname=sim.endpoints.smtp_host, port=sim.endpoints.smtp_port,
                             tls_context=sim.tls_context(), start_tls=True, timeout=120)
    await client.connect()
    try:
        await client.auth_xoauth2(ADMIN.upn, token)
        for index in indexes:
            await client.sendmail(ADMIN.upn, [MEGAN.upn], _message(index))
    finally:
        await client.quit()


def test_idle_sockets_of_one_local_process_do_not_lock_the_class_out(sim, admin_token):
    address = (sim.endpoints.smtp_host, sim.endpoints.smtp_port)
    idle = [socket.create_connection(address, timeout=10) for _ in range(80)]  # the 80
    try:
        for sock in idle:
            assert sock.recv(4096).startswith(b"220 ")
        asyncio.run(_send(sim, admin_token, range(1)))  # a seat still sends
    finally:
        for sock in idle:
            sock.close()
    assert [m["subject"] for m in MailStore(sim.data_dir / "maildir").messages(MEGAN.upn)] == ["Scan 00000"]


def test_a_flood_is_bounded_and_makes_room_for_a_newcomer(sim, admin_token, monkeypatch):
    monkeypatch.setattr(sim_smtp, "MAX_CONNECTIONS_PER_ADDRESS", 4)
    address = (sim.endpoints.smtp_host, sim.endpoints.smtp_port)
    flood = [socket.create_connection(address, timeout=10) for _ in range(4)]
    try:
        for sock in flood:
            assert sock.recv(4096).startswith(b"220 ")
        asyncio.run(_send(sim, admin_token, range(1)))  # admitted: the oldest idle socket made room
        oldest = flood[0].recv(4096)
        assert oldest.startswith(b"421 4.3.2 The maximum number of concurrent connections has exceeded a limit")
        assert flood[0].recv(4096) == b""  # cut
    finally:
        for sock in flood:
            sock.close()
    assert len(MailStore(sim.data_dir / "maildir").messages(MEGAN.upn)) == 1


def test_200_concurrent_clients_times_10_messages_all_delivered(sim, admin_token):
    async def everyone() -> None:
        await asyncio.gather(*(_send(sim, admin_token, range(c * MESSAGES, (c + 1) * MESSAGES))
                               for c in range(CLIENTS)))

    started = time.monotonic()
    asyncio.run(everyone())
    subjects = sorted(m["subject"] for m in MailStore(sim.data_dir / "maildir").messages(MEGAN.upn))
    assert subjects == [f"Scan {i:05d}" for i in range(CLIENTS * MESSAGES)], time.monotonic() - started
