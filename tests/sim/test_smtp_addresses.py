"""Envelope addresses: one mailbox per address (escaped, never folded into another's), and an
address holding a control character is refused with 501 before anything is stored."""
from __future__ import annotations

import base64
import smtplib

import pytest

from panel_tui.sim.maildir import MailStore, mailbox_address, mailbox_folder_name

from .conftest import ADMIN, MEGAN


def _session(sim, admin_token: str) -> smtplib.SMTP:
    smtp = smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10)
    smtp.starttls(context=sim.tls_context())
    smtp.ehlo()
    blob = base64.b64encode(f"user={ADMIN.upn}\x01auth=Bearer {admin_token}\x01\x01".encode()).decode()
    code, _ = smtp.docmd("AUTH", f"XOAUTH2 {blob}")
    assert code == 235
    return smtp


@pytest.fixture
def admin_token(sim) -> str:
    signin = sim.sign_in(ADMIN, consent_for_org=True)
    sim.open_smtp()
    return signin.access_token


CONTROL = {"NUL": "\x00", "SOH": "\x01", "ESC": "\x1b", "DEL": "\x7f", "CR": "\r", "VT": "\x0b"}


def _command(smtp: smtplib.SMTP, line: str) -> tuple[int, bytes]:
    """`line` sent as it is (smtplib's docmd refuses a CR inside a command)."""
    smtp.send(line.encode("utf-8") + b"\r\n")
    return smtp.getreply()


@pytest.mark.parametrize("name", CONTROL)
def test_a_recipient_with_a_control_character_is_refused_with_501(sim, admin_token, name):
    smtp = _session(sim, admin_token)
    try:
        code, _ = smtp.docmd("MAIL", f"FROM:<{ADMIN.upn}>")
        assert code == 250
        code, text = _command(smtp, f"RCPT TO:<meg{CONTROL[name]}an@contoso.onmicrosoft.com>")
        assert code == 501 and text.startswith(b"5.1.3 Invalid address [")
        code, _ = smtp.docmd("RCPT", f"TO:<{MEGAN.upn}>")  # the session goes on
        assert code == 250
    finally:
        smtp.close()


@pytest.mark.parametrize("name", ["NUL", "ESC", "DEL", "CR"])
def test_a_sender_with_a_control_character_is_refused_with_501(sim, admin_token, name):
    smtp = _session(sim, admin_token)
    try:
        code, text = _command(smtp, f"MAIL FROM:<adm{CONTROL[name]}in@contoso.onmicrosoft.com>")
        assert code == 501 and text.startswith(b"5.1.7 Invalid address [")
    finally:
        smtp.close()


def test_addresses_that_differ_get_different_mailboxes(sim, admin_token):
    smtp = _session(sim, admin_token)
    try:
        for to in ("a/b@c.d", "a_b@c.d"):
            smtp.sendmail(ADMIN.upn, [to], f"From: {ADMIN.upn}\r\nSubject: for {to}\r\n\r\nx\r\n".encode())
    finally:
        smtp.quit()
    assert [m["subject"] for m in sim.control.mailbox("a/b@c.d")] == ["for a/b@c.d"]
    assert [m["subject"] for m in sim.control.mailbox("a_b@c.d")] == ["for a_b@c.d"]


ONE_TO_ONE = [".@x.y", "..@x.y", "@x.y", "a/b@c.d", "a_b@c.d", "a%2Fb@c.d", "a%b@c.d", "", "%", "..", ".",
              "../../etc/passwd", "ă@x.y", "a\udcff@x.y", "x" * 300 + "@x.y", "x" * 300 + "@x.z"]


def test_mailbox_folder_names_are_one_to_one_and_stay_inside(tmp_path):
    names = [mailbox_folder_name(address) for address in ONE_TO_ONE]
    assert len(set(names)) == len(names), names
    for name in names:
        assert name not in ("", ".", "..") and "/" not in name and not name.startswith(".")
        assert len(name.encode()) <= 200
    for address in ONE_TO_ONE[:-2]:  # the short ones read back as themselves
        assert mailbox_address(mailbox_folder_name(address)) == address.lower()
    assert mailbox_folder_name("Printer@Contoso.onmicrosoft.com") == "printer@contoso.onmicrosoft.com"

    store = MailStore(tmp_path / "maildir")
    for address in (".@x.y", "..@x.y", "../outside@example.com"):
        store.deliver([address], f"Subject: for {address}\r\n\r\nx\r\n".encode())
    assert not (tmp_path / "outside@example.com").exists()
    assert store.addresses() == sorted([".@x.y", "..@x.y", "../outside@example.com"])
    for address in (".@x.y", "..@x.y", "../outside@example.com"):
        assert [m["subject"] for m in store.messages(address)] == [f"for {address}"]


def test_a_mailbox_folder_planted_as_a_symlink_is_not_written_through(sim, admin_token, tmp_path):
    outside = tmp_path / "outside"
    for sub in ("tmp", "new", "cur"):
        (outside / sub).mkdir(parents=True)
    link = sim.endpoints.maildir / mailbox_folder_name(MEGAN.upn)
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside, target_is_directory=True)
    try:
        smtp = _session(sim, admin_token)
        try:
            with pytest.raises(smtplib.SMTPDataError) as refused:
                smtp.sendmail(ADMIN.upn, [MEGAN.upn], f"From: {ADMIN.upn}\r\nSubject: x\r\n\r\nx\r\n".encode())
            assert refused.value.smtp_code == 451
            assert refused.value.smtp_error.startswith(b"4.3.0 Temporary server error")
        finally:
            smtp.close()
    finally:
        link.unlink()
    assert [p for sub in ("tmp", "new", "cur") for p in (outside / sub).iterdir()] == []


def test_an_xoauth2_blob_that_is_not_ascii_is_refused_like_a_bad_token(sim, admin_token):
    smtp = smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10)
    try:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        smtp.send(b"AUTH XOAUTH2 \x80\xff\r\n")
        code, text = smtp.getreply()
        assert code == 535 and text.startswith(b"5.7.3 Authentication unsuccessful"), (code, text)
    finally:
        smtp.close()
