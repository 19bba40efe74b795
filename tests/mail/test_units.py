"""Pieces that need no simulator: providers, error classification, the PDF, scrubbing."""
from __future__ import annotations

import re
import socket
import ssl

import aiosmtplib
import pytest

from panel_tui.device.errors import CAUSES
from panel_tui.device.settings import EmailService
from panel_tui.mail.errors import FALLBACK_CAUSES, MailError, classify_idp_error, scrub
from panel_tui.mail.providers import (
    LiveConfigError,
    UnknownHostError,
    exchange_online,
    outlook_com,
    provider_for,
    simulator,
)
from panel_tui.mail.scan import scanned_page_pdf
from panel_tui.mail.smtp import classify_smtp_failure

ENDPOINTS = {
    "base_url": "https://127.0.0.1:8443", "smtp_host": "127.0.0.1", "smtp_port": 2587,
    "ca_path": "/tmp/ca.pem", "client_id": "sim-client", "authority": "https://127.0.0.1:8443/tid",
}


def test_live_profiles_use_microsofts_endpoints():
    exo = exchange_online("my-client")
    assert (exo.authority, exo.smtp_host, exo.smtp_port) == (
        "https://login.microsoftonline.com/organizations", "smtp.office365.com", 587)
    assert exo.scopes == ("https://outlook.office.com/SMTP.Send",)
    assert exo.instance_discovery and exo.ca_path is None and exo.verify is True
    assert exchange_online("c", tenant="contoso.onmicrosoft.com").authority.endswith("/contoso.onmicrosoft.com")
    personal = outlook_com("my-client")
    assert (personal.authority, personal.smtp_host, personal.smtp_port) == (
        "https://login.microsoftonline.com/consumers", "smtp-mail.outlook.com", 587)
    assert provider_for(EmailService.OUTLOOK_COM, "live", client_id="c").name == "outlook_com"
    assert provider_for("exchange_online", "live", client_id="c", tenant="t").authority.endswith("/t")


@pytest.mark.parametrize("client_id", [None, "", "   "])
def test_live_mode_without_a_client_id_explains_the_app_registration(client_id):
    with pytest.raises(LiveConfigError) as raised:
        provider_for("exchange_online", "live", client_id=client_id)
    text = str(raised.value)
    # The delegated permission's path as Microsoft documents it (Microsoft Graph > Delegated), and
    # when --tenant is needed (a single-tenant app, the portal's default).
    for needed in ("App registrations", "Allow public client flows = Yes",
                   "Microsoft Graph > Delegated permissions > SMTP.Send", "--client-id",
                   "single tenant", "--tenant <your tenant id or domain>", "panel-tui doctor"):
        assert needed in text
    assert "Office 365 Exchange Online" not in text


def test_simulator_profile_trusts_its_ca_and_routes_microsofts_smtp_names():
    provider = simulator(ENDPOINTS)
    assert provider.authority == "https://127.0.0.1:8443/organizations"
    assert provider.instance_discovery is False and provider.verify == "/tmp/ca.pem"
    assert provider.smtp_address("smtp.office365.com", 587) == ("127.0.0.1", 2587)
    assert provider.smtp_address("SMTP-MAIL.OUTLOOK.COM", 587) == ("127.0.0.1", 2587)
    assert provider.smtp_address("127.0.0.1", 2525) == ("127.0.0.1", 2525)
    with pytest.raises(UnknownHostError):
        provider.smtp_address("smtp.example.invalid", 587)
    assert simulator(ENDPOINTS, EmailService.OUTLOOK_COM).authority.endswith("/common")


@pytest.mark.parametrize(("result", "cause"), [
    ({"error": "invalid_grant", "error_codes": [700082]}, "signin_expired"),
    ({"error": "invalid_grant", "error_codes": [70043]}, "signin_expired"),
    ({"error": "invalid_grant", "error_codes": [50173]}, "signin_revoked"),
    ({"error": "invalid_grant", "error_description": "AADSTS700082: expired"}, "signin_expired"),
    ({"error": "invalid_grant", "error_codes": [53003]}, "conditional_access"),
    ({"error": "access_denied", "error_codes": [53003]}, "conditional_access"),
    ({"error": "invalid_grant", "error_codes": [65001], "suberror": "consent_required"}, "consent_required"),
    ({"error": "invalid_grant", "error_codes": [90094]}, "consent_required"),
    ({"error": "temporarily_unavailable", "error_codes": [90033]}, "idp_unavailable"),
    ({"error": "unauthorized_client", "error_codes": [700016]}, "app_not_found"),
    ({"error": "invalid_client", "error_codes": [7000218]}, "public_client_flows_off"),
    ({"error": "unauthorized_client"}, "client_not_registered"),
    ({"error": "something_new"}, "auth_failed"),
])
def test_identity_provider_errors_map_to_causes(result, cause):
    assert classify_idp_error(result) == cause
    assert MailError(cause).code == MailError(cause).cause.code


def test_every_cause_the_mail_layer_names_resolves_to_the_device_table():
    for name, fallback in FALLBACK_CAUSES.items():
        assert fallback in CAUSES
        assert MailError(name).code in (CAUSES.get(name, CAUSES[fallback]).code,)
    assert MailError("not_signed_in").code == 360
    assert MailError("signin_expired").code == 361
    assert MailError("user_signin_required").code == 370
    assert MailError("auth_method_not_oauth2").code == 360  # the guide's "signed in but not saved"
    with pytest.raises(KeyError):
        MailError("no_such_cause")


def test_details_never_carry_tokens():
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    error = MailError("token_rejected", f"auth: 535 5.7.3 bearer {jwt_like} access_token={jwt_like}")
    assert jwt_like not in error.detail and jwt_like not in str(error)
    assert "[redacted]" in error.detail
    assert "secretpass" not in scrub("password=secretpass")


def _smtp_error(code, message):
    return aiosmtplib.SMTPResponseException(code, message)


@pytest.mark.parametrize(("error", "cause", "code"), [
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."),
     "smtp_auth_disabled_tenant", 312),
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox."),
     "smtp_auth_disabled_mailbox", 312),
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults"),
     "smtp_auth_security_defaults", 312),
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, the request did not meet the criteria"),
     "smtp_auth_blocked", 312),
    (_smtp_error(535, "5.7.139 Authentication unsuccessful"), "smtp_auth_disabled", 312),
    # Basic authentication (SMTP-AUTH) and Microsoft's retirement of it.
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, basic authentication is disabled. [X]"),
     "basic_auth_disabled", 312),
    (_smtp_error(550, "5.7.30 Basic authentication is not supported for Client Submission."),
     "basic_auth_removed", 312),
    (_smtp_error(535, "5.7.139 Authentication unsuccessful, the user credentials were incorrect."),
     "auth_failed", 312),
    # Exchange's other answers: never 313 "check the network".
    (aiosmtplib.SMTPDataError(550, "5.7.60 SMTP; Client does not have permissions to send as this sender"),
     "send_as_not_permitted", 312),
    (aiosmtplib.SMTPDataError(554, "5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process"),
     "outbound_spam", 312),
    (aiosmtplib.SMTPSenderRefused(550, "5.7.501 Access denied, spam abuse detected", "a@b.c"),
     "spam_abuse_detected", 312),
    (aiosmtplib.SMTPSenderRefused(550, "5.7.511 Access denied, banned sender", "a@b.c"), "banned_sender", 312),
    (aiosmtplib.SMTPSenderRefused(550, "5.1.8 Access denied, bad outbound sender", "a@b.c"),
     "restricted_sender", 312),
    (aiosmtplib.SMTPResponseException(452, "4.5.3 Too many recipients"), "too_many_recipients", 314),
    (aiosmtplib.SMTPSenderRefused(451, "4.7.500 Server busy. Please try again later from [1.2.3.4].", "a@b.c"),
     "server_busy", 313),
    (aiosmtplib.SMTPConnectResponseError(421, "4.3.2 Service not available, closing transmission channel"),
     "service_unavailable", 313),
    (aiosmtplib.SMTPAuthenticationError(535, "5.7.3 Authentication unsuccessful"), "token_rejected", 312),
    (aiosmtplib.SMTPSenderRefused(530, "5.7.57 Client not authenticated to send mail", "a@b.c"),
     "not_authenticated", 312),
    (aiosmtplib.SMTPDataError(554, "5.2.252 SendAsDenied; x not allowed to send as y"), "send_as_denied", 312),
    (aiosmtplib.SMTPDataError(552, "5.3.4 Message size exceeds fixed maximum message size"),
     "message_too_large", 314),
    (aiosmtplib.SMTPDataError(552, "Error: Too much mail data"), "message_too_large", 314),
    (aiosmtplib.SMTPConnectError("Error connecting"), "connection_failed", 313),
    (aiosmtplib.SMTPServerDisconnected("Connection lost"), "connection_failed", 313),
    (ConnectionRefusedError(111, "refused"), "connection_failed", 313),
    (TimeoutError(), "connection_failed", 313),
    (aiosmtplib.SMTPResponseException(530, "5.7.0 Must issue a STARTTLS command first"),
     "secure_connection_mismatch", 313),
])
def test_smtp_failures_map_to_causes(error, cause, code):
    mapped = classify_smtp_failure(error, "starttls", "send")
    assert (mapped.cause_name, mapped.code) == (cause, code)


def test_wrapped_dns_and_certificate_failures_are_found_in_the_chain():
    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except OSError as inner:
            raise aiosmtplib.SMTPConnectError("Error connecting") from inner
    except aiosmtplib.SMTPConnectError as outer:
        assert classify_smtp_failure(outer, "starttls", "connect").cause_name == "dns_failure"
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed")
    assert classify_smtp_failure(untrusted, "starttls", "starttls").cause_name == "certificate_untrusted"
    assert classify_smtp_failure(ssl.SSLError(1, "wrong version number"), "ssl_tls", "connect").cause_name \
        == "secure_connection_mismatch"


def test_scanned_page_is_a_well_formed_pdf():
    pdf = scanned_page_pdf(["Scanned document", "Setări (rețea) \\ 100%"])
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 7\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert len(offsets) == 6
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    assert len(stream) == length
    assert b"(Setari \\(retea\\) \\\\ 100%) Tj" in stream
