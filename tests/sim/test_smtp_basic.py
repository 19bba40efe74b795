"""Basic SMTP AUTH (AUTH LOGIN / AUTH PLAIN) against the simulator with the standard library's
smtplib: behind the same switches as XOAUTH2, smart lockout, security defaults, Microsoft's
retirement timeline (MC786329) and Exchange's replies; bad input answered, never logged."""
from __future__ import annotations

import base64
import datetime as dt
import logging
import smtplib
import socket
from email.message import EmailMessage

import pytest

from .conftest import ADMIN, MEGAN, PRINTER

CUTOFF = dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp()
BASIC_DISABLED = "5.7.139 Authentication unsuccessful, basic authentication is disabled."
BASIC_REMOVED = "5.7.30 Basic authentication is not supported for Client Submission."
BAD_CREDENTIALS = "5.7.139 Authentication unsuccessful, the user credentials were incorrect."


def _smtp(sim) -> smtplib.SMTP:
    smtp = smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10)
    smtp.starttls(context=sim.tls_context())
    smtp.ehlo()
    return smtp


def _message(sender: str, to: str, subject: str = "Scan (Basic)") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content("scanned")
    return msg


def _past_the_cutoff(sim) -> None:
    sim.control.advance_clock(max(0.0, CUTOFF - sim.control.now()) + 3600)


def _refusal(smtp: smtplib.SMTP, user: str, password: str) -> tuple[int, str]:
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        smtp.login(user, password)
    return refused.value.smtp_code, refused.value.smtp_error.decode()


@pytest.fixture
def open_tenant(sim):
    sim.open_smtp()
    return sim


def test_ehlo_advertises_login_plain_and_xoauth2_after_starttls(sim):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        assert smtp.esmtp_features["auth"].split() == ["LOGIN", "PLAIN", "XOAUTH2"]


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_basic_delivers_in_december_2026_and_the_report_counts_it(open_tenant, mechanism):
    sim = open_tenant
    with _smtp(sim) as smtp:
        smtp.user, smtp.password = PRINTER.upn, PRINTER.password
        code, reply = smtp.auth(mechanism, getattr(smtp, f"auth_{mechanism.lower()}"))
        assert (code, reply.decode()) == (235, "2.7.0 Authentication successful")
        smtp.send_message(_message(PRINTER.upn, MEGAN.upn))
    [received] = sim.control.mailbox(MEGAN.upn)
    assert received["subject"] == "Scan (Basic)"
    assert sim.control.smtp_auth_clients_report(7) == [
        {"upn": PRINTER.upn, "protocol": "Basic", "messages": 1, "last_day": received_day(sim)}]


def received_day(sim) -> str:
    return dt.datetime.fromtimestamp(sim.control.now(), dt.UTC).strftime("%Y-%m-%d")


def test_wrong_password_and_unknown_user_get_exchanges_credentials_reply(open_tenant):
    with _smtp(open_tenant) as smtp:
        assert _refusal(smtp, PRINTER.upn, "not-the-password")[1].startswith(BAD_CREDENTIALS)
        assert _refusal(smtp, "nobody@contoso.onmicrosoft.com", "x")[1].startswith(BAD_CREDENTIALS)


def test_basic_is_off_after_december_2026_until_an_administrator_re_enables_it(open_tenant):
    sim = open_tenant
    _past_the_cutoff(sim)
    assert sim.control.state()["basic_smtp_auth"]["state"] == "off_by_default"
    with _smtp(sim) as smtp:
        code, text = _refusal(smtp, PRINTER.upn, PRINTER.password)
    assert code == 535 and text.startswith(BASIC_DISABLED)
    assert sim.control.set_basic_smtp_auth(True)["state"] == "re_enabled"
    with _smtp(sim) as smtp:
        smtp.login(PRINTER.upn, PRINTER.password)
        smtp.send_message(_message(PRINTER.upn, MEGAN.upn))
    assert len(sim.control.mailbox(MEGAN.upn)) == 1


def test_final_removal_answers_5_7_30_and_oauth_still_works(open_tenant):
    sim = open_tenant
    signin = sim.sign_in(ADMIN, consent_for_org=True)
    sim.control.set_basic_final_removal(True)
    with _smtp(sim) as smtp:
        code, text = _refusal(smtp, PRINTER.upn, PRINTER.password)
        assert code == 550 and text.startswith(BASIC_REMOVED)
        blob = base64.b64encode(f"user={ADMIN.upn}\x01auth=Bearer {signin.access_token}\x01\x01".encode())
        assert smtp.docmd("AUTH", "XOAUTH2 " + blob.decode())[0] == 235


def test_tenant_created_after_the_cutoff_cannot_re_enable_basic(open_tenant):
    sim = open_tenant
    sim.control.set_tenant_created(CUTOFF + 86400)
    with pytest.raises(Exception, match="created after December 2026"):
        sim.control.set_basic_smtp_auth(True)
    with _smtp(sim) as smtp:
        assert _refusal(smtp, PRINTER.upn, PRINTER.password)[1].startswith(BASIC_DISABLED)


@pytest.mark.parametrize("switch, expected", [
    ("security_defaults",
     "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy"),
    ("tenant", "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"),
    ("mailbox", "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox"),
])
def test_basic_is_behind_the_same_switches_as_xoauth2(open_tenant, switch, expected):
    sim = open_tenant
    if switch == "security_defaults":
        sim.control.set_security_defaults(True)
    elif switch == "tenant":
        sim.control.set_smtp_auth_org(False)
    else:
        sim.control.set_smtp_auth_mailbox(PRINTER.upn, False)
    with _smtp(sim) as smtp:
        code, text = _refusal(smtp, PRINTER.upn, PRINTER.password)
    assert code == 535 and text.startswith(expected)


def test_mailbox_enabled_overrides_an_organisation_that_turned_smtp_auth_off(open_tenant):
    sim = open_tenant
    sim.control.set_smtp_auth_org(False)
    sim.control.set_smtp_auth_mailbox(PRINTER.upn, True)
    with _smtp(sim) as smtp:
        assert smtp.login(PRINTER.upn, PRINTER.password)[0] == 235


def test_smart_lockout_refuses_even_the_right_password(open_tenant):
    sim = open_tenant
    with _smtp(sim) as smtp:
        for attempt in range(10):
            _refusal(smtp, PRINTER.upn, f"wrong-{attempt}")
        code, text = _refusal(smtp, PRINTER.upn, PRINTER.password)
    assert code == 535 and "did not meet the criteria" in text
    sim.control.advance_clock(61)
    with _smtp(sim) as smtp:
        assert smtp.login(PRINTER.upn, PRINTER.password)[0] == 235


def _raw(sim, lines: list[bytes]) -> list[str]:
    """Speak SMTP by hand after STARTTLS: send each line, read one reply for each."""
    raw = socket.create_connection((sim.endpoints.smtp_host, sim.endpoints.smtp_port), timeout=10)
    reader = raw.makefile("rb")
    reader.readline()
    raw.sendall(b"EHLO test\r\n")
    while not reader.readline().startswith(b"250 "):
        pass
    raw.sendall(b"STARTTLS\r\n")
    reader.readline()
    tls = sim.tls_context().wrap_socket(raw, server_hostname=sim.endpoints.smtp_host)
    reader = tls.makefile("rb")
    tls.sendall(b"EHLO test\r\n")
    while not reader.readline().startswith(b"250 "):
        pass
    replies = []
    try:
        for line in lines:
            tls.sendall(line)
            replies.append(reader.readline().decode().strip())
    finally:
        tls.close()
    return replies


def test_malformed_empty_and_megabyte_auth_lines_get_5xx_and_the_session_goes_on(open_tenant, caplog):
    sim = open_tenant
    megabyte = b"A" * (1024 * 1024)
    caplog.set_level(logging.DEBUG)
    replies = _raw(sim, [
        b"AUTH PLAIN %%%not-base64\r\n",
        b"AUTH PLAIN " + base64.b64encode(b"no-nul-separators") + b"\r\n",
        b"AUTH LOGIN\r\n", b"\r\n",                       # 334 Username:, then an empty answer
        b"AUTH LOGIN\r\n", b"*\r\n",                      # cancelled
        b"AUTH LOGIN\r\n", megabyte + b"\r\n",            # a megabyte user name
        b"AUTH PLAIN " + megabyte + b"\r\n",              # a megabyte command line
        b"AUTH CRAM-MD5\r\n",
        b"AUTH XOAUTH2\r\n", megabyte + b"\r\n",          # a megabyte answer to XOAUTH2's challenge
        b"AUTH LOGIN " + base64.b64encode(PRINTER.upn.encode()) + b"\r\n",
        base64.b64encode(PRINTER.password.encode()) + b"\r\n",
        b"NOOP\r\n",
    ])
    assert replies[0].startswith("501 5.5.2") and replies[1].startswith("501 5.5.2")
    assert replies[2] == "334 VXNlcm5hbWU6"
    assert replies[3].startswith("501 5.5.2")
    assert replies[4] == "334 VXNlcm5hbWU6" and replies[5].startswith("501 5.0.0 Authentication cancelled")
    assert replies[6] == "334 VXNlcm5hbWU6" and replies[7].startswith("500 5.5.2 Command line too long")
    assert replies[8].startswith("500 5.5.2 Command line too long")
    assert replies[9].startswith("504 5.7.4 Unrecognized authentication type")
    assert replies[10] == "334" and replies[11].startswith("500 5.5.2 Command line too long")
    assert replies[12] == "334 UGFzc3dvcmQ6" and replies[13].startswith("235 2.7.0")
    assert replies[14].startswith("250")
    logged = caplog.text
    assert "Traceback" not in logged
    assert PRINTER.password not in logged
    assert base64.b64encode(PRINTER.password.encode()).decode() not in logged


def test_a_password_never_reaches_the_simulators_log(open_tenant, caplog):
    caplog.set_level(logging.DEBUG)
    with _smtp(open_tenant) as smtp:
        smtp.login(PRINTER.upn, PRINTER.password)
    with _smtp(open_tenant) as smtp:
        _refusal(smtp, MEGAN.upn, "Wrong-But-Secret-1")
    plain = base64.b64encode(f"\0{PRINTER.upn}\0{PRINTER.password}".encode()).decode()
    for secret in (PRINTER.password, "Wrong-But-Secret-1", plain,
                   base64.b64encode(PRINTER.password.encode()).decode()):
        assert secret not in caplog.text
