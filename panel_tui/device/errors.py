"""The one error table: job error codes, and the causes the mail layer reports mapped onto them.

Texts are locale keys: error.<code>.situation / error.<code>.solution, fixer.<who>,
cause.<name>.message / cause.<name>.fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Fixer = Literal["printer_admin", "tenant_admin", "user"]
FIXERS: tuple[Fixer, ...] = ("printer_admin", "tenant_admin", "user")


@dataclass(frozen=True)
class ErrorCode:
    """A code shown in Job/Status > Job Status, what it means, how to fix it and who can."""

    code: int
    situation_key: str
    solution_key: str
    fixer: Fixer

    @property
    def fixer_key(self) -> str:
        return f"fixer.{self.fixer}"

    @property
    def known(self) -> bool:
        return self.code in ERROR_CODES


def _entry(code: int, fixer: Fixer) -> ErrorCode:
    return ErrorCode(code, f"error.{code}.situation", f"error.{code}.solution", fixer)


# 311-314 as in Epson's manuals for email jobs; 360/361/370 from the OAuth 2.0 guide.
ERROR_CODES: dict[int, ErrorCode] = {
    311: _entry(311, "printer_admin"),  # DNS error
    312: _entry(312, "printer_admin"),  # authentication error
    313: _entry(313, "printer_admin"),  # communication error
    314: _entry(314, "user"),  # data larger than the attachment limit
    360: _entry(360, "printer_admin"),  # not signed in to the cloud/email service
    361: _entry(361, "printer_admin"),  # sign-in expired
    370: _entry(370, "user"),  # must sign in to the cloud service again (To My Email)
    # Not in Epson's tables: the emulator's own code for a job whose attached file is gone.
    319: _entry(319, "user"),  # the scanned/attached file of the job is missing
}


def lookup(code: int) -> ErrorCode:
    """The table entry for `code`; an unknown code gets a generic entry (never an exception)."""
    entry = ERROR_CODES.get(code)
    if entry is not None:
        return entry
    return ErrorCode(code, "error.unknown.situation", "error.unknown.solution", "printer_admin")


@dataclass(frozen=True)
class ErrorCause:
    """A specific failure (IdP error, SMTP reply, network/TLS failure) as the user should see it."""

    name: str
    code: int
    fixer: Fixer

    @property
    def message_key(self) -> str:
        return f"cause.{self.name}.message"

    @property
    def fix_key(self) -> str:
        return f"cause.{self.name}.fix"

    @property
    def fixer_key(self) -> str:
        return f"fixer.{self.fixer}"

    @property
    def error(self) -> ErrorCode:
        return lookup(self.code)


def _cause(name: str, code: int, fixer: Fixer) -> ErrorCause:
    return ErrorCause(name, code, fixer)


# The mail layer classifies a failure into one of these names; the job gets `code`.
CAUSES: dict[str, ErrorCause] = {
    c.name: c
    for c in (
        _cause("not_signed_in", 360, "printer_admin"),
        _cause("signin_expired", 361, "printer_admin"),  # invalid_grant: AADSTS700082, 70043, 50173
        _cause("user_signin_required", 370, "user"),
        _cause("conditional_access", 312, "tenant_admin"),  # AADSTS53003
        _cause("consent_required", 312, "tenant_admin"),  # AADSTS65001, 90094
        _cause("smtp_auth_disabled", 312, "tenant_admin"),  # 535 5.7.139 (security defaults, or unsaid)
        _cause("smtp_auth_disabled_tenant", 312, "tenant_admin"),  # 535 5.7.139 ... for the Tenant
        _cause("smtp_auth_disabled_mailbox", 312, "tenant_admin"),  # 535 5.7.139 ... for the Mailbox
        _cause("token_rejected", 312, "printer_admin"),  # 535 5.7.3
        _cause("auth_failed", 312, "printer_admin"),  # wrong account/password (SMTP-AUTH)
        _cause("send_as_denied", 312, "printer_admin"),  # 554 5.2.252 SendAsDenied
        # Exchange Online's other answers (sender and message refusals), each its own cause.
        _cause("send_as_not_permitted", 312, "tenant_admin"),  # 550 5.7.60: no Send As on the sender
        _cause("outbound_spam", 312, "tenant_admin"),  # 554 5.2.0 OutboundSpamException
        _cause("spam_abuse_detected", 312, "tenant_admin"),  # 550 5.7.501
        _cause("banned_sender", 312, "tenant_admin"),  # 550 5.7.511
        _cause("restricted_sender", 312, "tenant_admin"),  # 550 5.1.8: restricted from sending
        _cause("too_many_recipients", 314, "user"),  # 452 4.5.3: over 500 recipients
        # "Try again later", still so after the printer's retries: a communication error that
        # the network cannot fix, with its own message.
        _cause("server_busy", 313, "user"),  # 451 4.7.500
        _cause("service_unavailable", 313, "user"),  # 421 4.3.2
        # Basic authentication (the SMTP-AUTH method) after Microsoft's retirement (MC786329).
        _cause("basic_auth_disabled", 312, "printer_admin"),  # 535 5.7.139 basic authentication is disabled
        _cause("basic_auth_removed", 312, "printer_admin"),  # 550 5.7.30 final removal
        _cause("smtp_auth_blocked", 312, "tenant_admin"),  # 535 5.7.139 did not meet the criteria (lockout)
        _cause("dns_failure", 311, "printer_admin"),
        _cause("connection_failed", 313, "printer_admin"),
        _cause("secure_connection_mismatch", 313, "printer_admin"),
        _cause("certificate_untrusted", 313, "printer_admin"),
        _cause("message_too_large", 314, "user"),
        _cause("idp_unavailable", 313, "printer_admin"),  # sign-in service unreachable or 5xx
        _cause("auth_method_not_oauth2", 360, "printer_admin"),  # applied settings are not OAuth2
        _cause("client_not_registered", 312, "tenant_admin"),  # AADSTS700016, 7000218, 90002
        _cause("not_authenticated", 312, "printer_admin"),  # 530 5.7.57
        # Sign-in (AADSTS) causes of a device code sign-in and of a refresh, each with its own fix.
        _cause("app_single_tenant", 312, "printer_admin"),  # AADSTS50194: single-tenant app, /organizations
        _cause("tenant_not_identified", 312, "printer_admin"),  # AADSTS50059: no tenant in the request
        _cause("unknown_tenant", 312, "printer_admin"),  # AADSTS90002: --tenant names no tenant
        _cause("app_not_found", 312, "tenant_admin"),  # AADSTS700016: client id not in the directory
        _cause("public_client_flows_off", 312, "tenant_admin"),  # AADSTS7000218: Allow public client flows = No
        _cause("wrong_password", 312, "printer_admin"),  # AADSTS50126
        _cause("account_locked", 312, "tenant_admin"),  # AADSTS50053: smart lockout
        _cause("account_disabled", 312, "tenant_admin"),  # AADSTS50057
        _cause("mfa_required", 361, "printer_admin"),  # AADSTS50076 / 50079: sign in again with MFA
        _cause("mfa_declined", 360, "printer_admin"),  # AADSTS500121: number match denied or unanswered
        _cause("signin_revoked", 361, "printer_admin"),  # AADSTS50173: sessions revoked / password changed
        _cause("signin_grant_invalid", 361, "printer_admin"),  # AADSTS70000: refresh token not valid
        _cause("device_code_expired", 360, "printer_admin"),  # AADSTS70016 / 70020: code not used in time
        _cause("signin_declined", 360, "printer_admin"),  # AADSTS65004: Cancel on the permissions screen
        _cause("smtp_auth_security_defaults", 312, "tenant_admin"),  # 535 5.7.139 ... security defaults policy
        # Jobs and their files.
        _cause("attachment_missing", 319, "user"),  # a retried job's scan/attachment was deleted
    )
}


def cause(name: str) -> ErrorCause:
    """The cause called `name` (KeyError if the mail layer reports a name this table lacks)."""
    try:
        return CAUSES[name]
    except KeyError:
        raise KeyError(f"unknown error cause {name!r}") from None
