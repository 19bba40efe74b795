"""Exchange Online's other answers, each produced by tenant state or a fault: Send As and
shared mailboxes, sender verdicts, server busy and service unavailable (stdlib smtplib)."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest

from .conftest import MEGAN, PRINTER


def _login(sim) -> smtplib.SMTP:
    smtp = smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10)
    smtp.starttls(context=sim.tls_context())
    smtp.ehlo()
    smtp.login(PRINTER.upn, PRINTER.password)
    return smtp


def _message(sender: str, header_from: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = header_from or sender, MEGAN.upn, "Scan"
    msg.set_content("scanned")
    return msg


@pytest.fixture
def tenant(sim):
    sim.open_smtp()
    return sim


def test_send_as_a_shared_mailbox_needs_the_permission(tenant):
    shared = tenant.control.add_shared_mailbox("scans", "Scanned documents")
    with _login(tenant) as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.send_message(_message(shared))
        assert refused.value.smtp_code == 550
        assert refused.value.smtp_error.decode().startswith(
            "5.7.60 SMTP; Client does not have permissions to send as this sender")
        with pytest.raises(smtplib.SMTPDataError) as header:
            smtp.send_message(_message(PRINTER.upn, header_from=shared), from_addr=PRINTER.upn)
        assert header.value.smtp_code == 554 and b"5.2.252 SendAsDenied" in header.value.smtp_error
    tenant.control.set_send_as(shared, PRINTER.upn)
    with _login(tenant) as smtp:
        smtp.send_message(_message(shared))
    [received] = tenant.control.mailbox(MEGAN.upn)
    assert received["from"] == shared
    assert tenant.control.smtp_auth_clients_report(30)[0]["upn"] == PRINTER.upn  # the account that signed in


@pytest.mark.parametrize("verdict, reply", [
    ("restricted", (550, "5.1.8 Access denied, bad outbound sender")),
    ("spam_abuse", (550, "5.7.501 Access denied, spam abuse detected")),
    ("banned", (550, "5.7.511 Access denied, banned sender")),
])
def test_sender_verdicts_answer_mail_from(tenant, verdict, reply):
    tenant.control.set_sender_block(PRINTER.upn, verdict)
    with _login(tenant) as smtp:
        code, text = smtp.mail(PRINTER.upn)
    assert (code, text.decode()[:len(reply[1])]) == reply


def test_outbound_spam_answers_after_data(tenant):
    tenant.control.set_sender_block(PRINTER.upn, "outbound_spam")
    with _login(tenant) as smtp, pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.send_message(_message(PRINTER.upn))
    assert refused.value.smtp_code == 554
    assert refused.value.smtp_error.startswith(b"5.2.0 STOREDRV.Submission.Exception:OutboundSpamException")
    assert tenant.control.mailbox(MEGAN.upn) == []


def test_server_busy_fault_answers_451_4_7_500(tenant):
    tenant.control.set_fault("smtp_busy", True)
    with _login(tenant) as smtp:
        code, text = smtp.mail(PRINTER.upn)
    assert code == 451 and text.startswith(b"4.7.500 Server busy. Please try again later from [127.0.0.1]. (S77719)")


def test_service_unavailable_fault_greets_with_421_4_3_2(tenant):
    tenant.control.set_fault("smtp_unavailable", True)
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtplib.SMTP(tenant.endpoints.smtp_host, tenant.endpoints.smtp_port, timeout=10)
    assert refused.value.smtp_code == 421
    assert refused.value.smtp_error.startswith(b"4.3.2 Service not available, closing transmission channel")
    tenant.control.set_fault("smtp_unavailable", False)
    with _login(tenant) as smtp:
        assert smtp.noop()[0] == 250
