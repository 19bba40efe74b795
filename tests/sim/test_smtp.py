"""The Exchange-like SMTP server with real clients: aiosmtplib and the standard smtplib."""
from __future__ import annotations

import base64
import email
import email.policy
import re
import smtplib
from email.message import EmailMessage

import aiosmtplib
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers.smtp import SUFFIX, xoauth2

from .conftest import ADMIN, MEGAN, PRINTER

TENANT_DISABLED = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"
MAILBOX_DISABLED = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox"
ATTACHMENT = bytes(range(256)) * 300  # binary, 76.8 KB: any re-encoding would show


def _message(sender: str, to: str, subject: str = "Scan from the printer",
             header_from: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = header_from or sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Mon, 06 May 2024 09:30:00 +0000"
    msg.set_content("Scanned document attached.")
    msg.add_attachment(ATTACHMENT, maintype="application", subtype="pdf", filename="scan 0001.pdf")
    return msg


@pytest.fixture
def admin_token(sim) -> str:
    signin = sim.sign_in(ADMIN, consent_for_org=True)
    sim.open_smtp()
    return signin.access_token


def _client(sim, **kwargs) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(hostname=sim.endpoints.smtp_host, port=sim.endpoints.smtp_port,
                           tls_context=sim.tls_context(), **kwargs)


async def _auth(sim, upn: str, token: str) -> aiosmtplib.SMTPResponse:
    client = _client(sim, start_tls=True)
    await client.connect()
    try:
        return await client.auth_xoauth2(upn, token)
    finally:
        client.close()


def _sim_key(sim) -> rsa.RSAPrivateKey:
    return serialization.load_pem_private_key((sim.data_dir / "signing-key.pem").read_bytes(), password=None)


def _reissue(token: str, key, **changes) -> str:
    """The same claims with some changed, signed by ``key``."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    for name in [k for k, v in changes.items() if v is None]:
        del claims[name]
    header = jwt.get_unverified_header(token)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header["kid"]})


async def test_xoauth2_send_with_attachment_is_stored_intact(sim, admin_token):
    client = _client(sim, start_tls=True)
    await client.connect()
    response = await client.auth_xoauth2(ADMIN.upn, admin_token)
    assert (response.code, response.message) == (235, "2.7.0 Authentication successful")
    errors, reply = await client.send_message(_message(ADMIN.upn, MEGAN.upn))
    await client.quit()
    assert errors == {} and reply.startswith("2.0.0")

    [stored] = sim.control.mailbox(MEGAN.upn)
    assert stored["subject"] == "Scan from the printer"
    assert stored["from"] == ADMIN.upn and stored["to"] == [MEGAN.upn]
    assert stored["date"] == "Mon, 06 May 2024 09:30:00 +0000"
    assert stored["attachments"] == [
        {"filename": "scan 0001.pdf", "content_type": "application/pdf", "size": len(ATTACHMENT)}
    ]
    raw = sim.control.raw_message(MEGAN.upn, stored["id"])
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_content() == ATTACHMENT
    assert (sim.endpoints.maildir / MEGAN.upn / "new").is_dir()


def test_stdlib_smtplib_xoauth2_and_send(sim, admin_token):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        assert not smtp.has_extn("auth")  # AUTH is offered only after STARTTLS
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        assert smtp.esmtp_features["auth"].split() == ["LOGIN", "PLAIN", "XOAUTH2"]
        code, text = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(ADMIN.upn, admin_token))
        assert (code, text) == (235, b"2.7.0 Authentication successful")
        assert smtp.send_message(_message(ADMIN.upn, "someone@example.com")) == {}
    assert [m["subject"] for m in sim.control.mailbox("someone@example.com")] == ["Scan from the printer"]


def test_xoauth2_with_a_server_challenge(sim, admin_token):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        code, _ = smtp.auth("XOAUTH2", lambda challenge=None: xoauth2(ADMIN.upn, admin_token),
                            initial_response_ok=False)
        assert code == 235


async def test_smtp_auth_disabled_for_the_tenant(sim, admin_token):
    sim.control.set_smtp_auth_org(False)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await _auth(sim, ADMIN.upn, admin_token)
    assert refused.value.code == 535
    assert f"535 {refused.value.message}".startswith(TENANT_DISABLED)


async def test_mailbox_setting_overrides_the_organisation(sim, admin_token):
    sim.control.set_smtp_auth_mailbox(ADMIN.upn, False)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await _auth(sim, ADMIN.upn, admin_token)
    assert f"535 {refused.value.message}".startswith(MAILBOX_DISABLED)

    sim.control.set_smtp_auth_org(False)
    sim.control.set_smtp_auth_mailbox(ADMIN.upn, True)
    assert (await _auth(sim, ADMIN.upn, admin_token)).code == 235

    sim.control.set_smtp_auth_mailbox(ADMIN.upn, None)  # follow the org again: off
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await _auth(sim, ADMIN.upn, admin_token)
    assert f"535 {refused.value.message}".startswith(TENANT_DISABLED)


async def test_security_defaults_do_not_refuse_oauth(sim, admin_token):
    """Security defaults block legacy (Basic) authentication, not XOAUTH2; the Basic refusal
    is in test_smtp_basic.py."""
    sim.control.set_security_defaults(True)
    reply = await _auth(sim, ADMIN.upn, admin_token)
    assert (reply.code, reply.message) == (235, "2.7.0 Authentication successful")


@pytest.mark.parametrize("case", ["garbage", "forged", "expired", "audience", "scope", "tenant", "other_user"])
async def test_bad_tokens_get_535_5_7_3(sim, admin_token, case):
    upn, token = ADMIN.upn, admin_token
    if case == "garbage":
        token = "not-a-jwt"
    elif case == "forged":  # right claims, somebody else's key
        token = _reissue(admin_token, rsa.generate_private_key(public_exponent=65537, key_size=2048))
    elif case == "expired":
        sim.control.advance_clock(3601)
    elif case == "audience":
        token = _reissue(admin_token, _sim_key(sim), aud="https://graph.microsoft.com")
    elif case == "scope":
        token = _reissue(admin_token, _sim_key(sim), scp="Mail.Read")
    elif case == "tenant":
        token = _reissue(admin_token, _sim_key(sim), tid="00000000-0000-0000-0000-000000000000")
    elif case == "other_user":  # a valid token, presented for another mailbox
        upn = PRINTER.upn
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await _auth(sim, upn, token)
    assert refused.value.code == 535
    assert re.fullmatch(r"5\.7\.3 Authentication unsuccessful " + SUFFIX, refused.value.message)


async def test_mail_before_auth_is_530_5_7_57(sim, admin_token):
    client = _client(sim, start_tls=True)
    await client.connect()
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
        await client.sendmail(ADMIN.upn, [MEGAN.upn], b"Subject: x\r\n\r\nx\r\n")
    client.close()
    assert refused.value.code == 530
    assert refused.value.message.startswith("5.7.57 Client not authenticated to send mail")


def test_auth_before_starttls_is_refused(sim, admin_token):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        blob = base64.b64encode(xoauth2(ADMIN.upn, admin_token).encode()).decode()
        code, text = smtp.docmd("AUTH", f"XOAUTH2 {blob}")
        assert code == 530 and text.startswith(b"5.7.0 Must issue a STARTTLS command first [")
        code, _ = smtp.docmd("MAIL", f"FROM:<{ADMIN.upn}>")
        assert code == 530


def test_mechanisms_exchange_does_not_offer_are_refused(sim, admin_token):
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        code, text = smtp.docmd("AUTH", "CRAM-MD5")
        assert (code, text.decode()[:38]) == (504, "5.7.4 Unrecognized authentication type")


async def test_sender_other_than_the_signed_in_mailbox_is_send_as_denied(sim, admin_token):
    client = _client(sim, start_tls=True)
    await client.connect()
    await client.auth_xoauth2(ADMIN.upn, admin_token)
    with pytest.raises(aiosmtplib.SMTPDataError) as envelope:
        await client.send_message(_message(PRINTER.upn, MEGAN.upn))
    assert envelope.value.code == 550 and envelope.value.message.startswith(
        "5.7.60 SMTP; Client does not have permissions to send as this sender")
    await client.rset()
    with pytest.raises(aiosmtplib.SMTPDataError) as header:
        await client.send_message(_message(ADMIN.upn, MEGAN.upn, header_from=PRINTER.upn),
                                  sender=ADMIN.upn, recipients=[MEGAN.upn])
    assert header.value.code == 554 and header.value.message.startswith("5.2.252 SendAsDenied")
    assert PRINTER.upn in header.value.message
    await client.quit()
    assert sim.control.mailbox(MEGAN.upn) == []


async def test_token_still_accepted_within_its_lifetime_after_sign_out_events(sim, admin_token):
    # Exchange keeps honouring an access token until it expires, even after a revocation.
    sim.control.revoke_sessions(ADMIN.upn)
    assert (await _auth(sim, ADMIN.upn, admin_token)).code == 235


async def test_long_xoauth2_lines_are_accepted(sim, admin_token):
    padded = _reissue(admin_token, _sim_key(sim), padding="x" * 6000)
    assert len(padded) > 8000  # far past aiosmtpd's default 512-byte command limit
    assert (await _auth(sim, ADMIN.upn, padded)).code == 235
