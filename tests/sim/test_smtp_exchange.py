"""The SMTP server on the wire as Exchange Online answers: banner, EHLO, reply suffixes,
the acceptance line, the 500-recipient limit, one stored copy for many recipients."""
from __future__ import annotations

import datetime as dt
import os
import re
import smtplib
import time

import pytest

from tests.helpers.smtp import SUFFIX, xoauth2

from .conftest import ADMIN, MEGAN


@pytest.fixture
def admin_token(sim) -> str:
    signin = sim.sign_in(ADMIN, consent_for_org=True)
    sim.open_smtp()
    return signin.access_token


def _signed_in_smtp(sim, token: str) -> smtplib.SMTP:
    smtp = smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=30)
    smtp.starttls(context=sim.tls_context())
    smtp.ehlo("printer")
    code, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(ADMIN.upn, token))
    assert code == 235
    return smtp


def test_banner_and_ehlo_are_exchange_onlines(sim):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        code, banner = smtp.connect(sim.endpoints.smtp_host, sim.endpoints.smtp_port)
        assert code == 220
        assert re.fullmatch(
            rb"BN8PR04CA0053\.outlook\.office365\.com Microsoft ESMTP MAIL Service ready at "
            rb"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000 \[08DC[0-9A-F]{12}\]", banner), banner
        code, ehlo = smtp.ehlo("printer")
        lines = ehlo.decode().splitlines()
        assert lines[0] == "BN8PR04CA0053.outlook.office365.com Hello [127.0.0.1]"
        assert lines[1:] == ["SIZE 157286400", "PIPELINING", "ENHANCEDSTATUSCODES", "STARTTLS",
                             "8BITMIME", "SMTPUTF8"]
        code, reply = smtp.starttls(context=sim.tls_context())
        assert (code, reply) == (220, b"2.0.0 SMTP server ready")
        _, ehlo = smtp.ehlo("printer")
        assert "AUTH LOGIN PLAIN XOAUTH2" in ehlo.decode().splitlines() and "STARTTLS" not in ehlo.decode()


def test_refusals_end_with_the_front_end_time_and_session(sim, admin_token):
    sim.control.set_smtp_auth_org(False)
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo("printer")
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(ADMIN.upn, admin_token))
    text = refused.value.smtp_error.decode()
    assert re.fullmatch(r"5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                        r"Tenant\. Visit https://aka\.ms/smtp_auth_disabled for more information\. " + SUFFIX, text)
    # the time is the simulated clock's
    stamp = re.search(r"(\d{4}-\d\d-\d\d)T", text).group(1)
    assert stamp == dt.datetime.fromtimestamp(sim.control.now(), dt.UTC).strftime("%Y-%m-%d")


def test_accepted_message_gets_its_message_id_and_the_mailbox_server(sim, admin_token):
    smtp = _signed_in_smtp(sim, admin_token)
    try:
        smtp.mail(ADMIN.upn)
        smtp.rcpt(MEGAN.upn)
        code, reply = smtp.data(f"From: {ADMIN.upn}\r\nTo: {MEGAN.upn}\r\nSubject: hi\r\n"
                                "Message-ID: <scan-1@printer.example>\r\n\r\nbody\r\n")
    finally:
        smtp.quit()
    assert (code, reply.decode()) == (
        250, "2.0.0 OK <scan-1@printer.example> [Hostname=BN8PR04MB6194.NAMPRD04.PROD.OUTLOOK.COM]")


def test_1000_recipients_the_ones_past_500_are_refused_and_the_message_is_stored_once(sim, admin_token):
    recipients = [f"user{i:04d}@example.com" for i in range(1000)]
    smtp = _signed_in_smtp(sim, admin_token)
    try:
        smtp.mail(ADMIN.upn)
        replies = [smtp.rcpt(address) for address in recipients]
        code, _ = smtp.data(f"From: {ADMIN.upn}\r\nTo: undisclosed-recipients:;\r\nSubject: many\r\n\r\nbody\r\n")
    finally:
        smtp.quit()
    assert [c for c, _ in replies[:500]] == [250] * 500
    assert {c for c, _ in replies[500:]} == {452}
    assert all(re.fullmatch(r"4\.5\.3 Too many recipients " + SUFFIX, t.decode()) for _, t in replies[500:])
    assert code == 250
    maildir = sim.endpoints.maildir
    stored = [next((maildir / address / "new").iterdir()) for address in recipients[:500]]
    assert {os.stat(path).st_ino for path in stored} == {os.stat(stored[0]).st_ino}  # one copy, hard links
    assert os.stat(stored[0]).st_nlink == 500
    assert not (maildir / recipients[500]).exists()
    assert [m["subject"] for m in sim.control.mailbox(recipients[499])] == ["many"]


def test_a_verified_token_is_remembered_but_its_lifetime_is_checked_each_time(sim, admin_token):
    smtp = _signed_in_smtp(sim, admin_token)
    smtp.quit()
    sim.control.advance_clock(3601)  # the cached token has expired on the simulated clock
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo("printer")
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(ADMIN.upn, admin_token))
    assert refused.value.smtp_code == 535 and refused.value.smtp_error.startswith(b"5.7.3 ")


def test_multi_line_replies_do_not_wait_for_the_clients_delayed_ack(sim):
    # EHLO's eight lines are written one by one; without TCP_NODELAY each waits ~40 ms.
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            smtp.ehlo("printer")
            rounds.append(time.perf_counter() - started)
    assert sorted(rounds)[2] < 0.03, rounds
