"""Failures of the mail layer as values: a cause from the device's one error table.

Every failure the mail layer reports is a :class:`MailError` naming a cause in
``panel_tui.device.errors.CAUSES`` (job error code, message and fix locale keys, who can
fix it). Details are scrubbed of anything that looks like a token or password.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from panel_tui.device.errors import CAUSES, ErrorCause, ErrorCode
from panel_tui.device.joblog import scrub_detail

# Causes the mail layer names that the device table may not have yet, and what to use
# until it does (the precise name stays on the error as `cause_name`).
FALLBACK_CAUSES: dict[str, str] = {
    "idp_unavailable": "connection_failed",      # identity provider unreachable / 5xx
    "auth_method_not_oauth2": "not_signed_in",   # applied method is not OAuth2: the guide's "not saved" case
    "client_not_registered": "auth_failed",      # AADSTS700016 / 7000218 / 90002: app registration
    "not_authenticated": "auth_failed",          # 530 5.7.57
}

# Every AADSTS code a device code sign-in (or a refresh) can answer with, and its cause.
# Codes absent here fall back on the OAuth error (invalid_grant -> signin_expired ...).
AADSTS_CAUSES: dict[int, str] = {
    50194: "app_single_tenant",        # app is not multi-tenant; /organizations or /common used
    50059: "tenant_not_identified",    # no tenant-identifying information in the request
    90002: "unknown_tenant",           # the tenant in the authority does not exist
    700016: "app_not_found",           # the client id is not registered in that directory
    7000218: "public_client_flows_off",  # "client_assertion or client_secret" required
    700054: "public_client_flows_off",   # response_type not enabled for the app (same place to fix)
    65001: "consent_required",         # nobody consented (or SMTP.Send is not in the grant)
    90094: "consent_required",         # admin approval required
    50126: "wrong_password",
    50053: "account_locked",
    50057: "account_disabled",
    50076: "mfa_required",
    50079: "mfa_required",
    53003: "conditional_access",
    500121: "mfa_declined",            # Authenticator's number match denied, wrong, or unanswered
    700082: "signin_expired",          # refresh token unused for 90 days
    70043: "signin_expired",           # sign-in frequency (conditional access) ran out
    700084: "signin_expired",          # single-page app refresh token lifetime
    50173: "signin_revoked",           # sessions revoked or password changed
    50133: "signin_revoked",           # password changed/expired since the sign-in
    70000: "signin_grant_invalid",     # refresh token (or device code) not valid
    70016: "device_code_expired",      # still pending when polling stopped
    70020: "device_code_expired",      # the code expired
    65004: "signin_declined",          # Cancel on the permissions screen
}
# Causes that end a sign-in: the printer says "Expired" and the next job fails with 361.
SIGNIN_DEAD_CAUSES = frozenset({"signin_expired", "signin_revoked", "signin_grant_invalid", "mfa_required"})
SIGNIN_DEAD_CODES = frozenset(code for code, name in AADSTS_CAUSES.items() if name in SIGNIN_DEAD_CAUSES)
CONDITIONAL_ACCESS_CODES = frozenset({53003})
CONSENT_CODES = frozenset({65001, 90094})
REGISTRATION_CODES = frozenset(
    code for code, name in AADSTS_CAUSES.items()
    if name in ("app_single_tenant", "tenant_not_identified", "unknown_tenant", "app_not_found",
                "public_client_flows_off")
)

_EMAILISH_SECRET = re.compile(r"(?i)(user=[^\x01\s]*\x01auth=bearer\s+)\S+")


def resolve_cause(name: str) -> ErrorCause:
    """The table entry for `name`, or for its fallback while the table lacks it."""
    if name in CAUSES:
        return CAUSES[name]
    fallback = FALLBACK_CAUSES.get(name)
    if fallback is not None and fallback in CAUSES:
        return CAUSES[fallback]
    raise KeyError(f"unknown error cause {name!r}")


def scrub(text: Any) -> str:
    """`text` without token-like strings (JWTs, bearer blobs, long base64), short enough to log."""
    return scrub_detail(_EMAILISH_SECRET.sub(r"\1[redacted]", str(text)))


class MailError(Exception):
    """A mail failure the user can act on: `cause` (ErrorCause), `code`, scrubbed `detail`."""

    def __init__(self, cause_name: str, detail: str = "") -> None:
        self.cause_name = cause_name
        self.cause: ErrorCause = resolve_cause(cause_name)
        self.detail = scrub(detail)
        super().__init__(f"{cause_name} ({self.cause.code}): {self.detail}" if self.detail
                         else f"{cause_name} ({self.cause.code})")

    @property
    def code(self) -> int:
        """The job error code (311-314, 360, 361, 370)."""
        return self.cause.code

    @property
    def error(self) -> ErrorCode:
        return self.cause.error

    @property
    def message_key(self) -> str:
        """The locale key of the message (the precise cause's key, as in the locale files)."""
        return self.cause.message_key

    @property
    def fix_key(self) -> str:
        return self.cause.fix_key


def error_codes_of(result: Mapping[str, Any]) -> list[int]:
    """The AADSTS codes of an MSAL error result (from error_codes or the description)."""
    codes = [int(c) for c in result.get("error_codes") or [] if str(c).isdigit()]
    if not codes:
        match = re.search(r"AADSTS(\d+)", str(result.get("error_description", "")))
        if match:
            codes.append(int(match.group(1)))
    return codes


def classify_idp_error(result: Mapping[str, Any]) -> str:
    """The cause name for an MSAL error result (device code request, polling, refresh).

    The AADSTS code decides first (:data:`AADSTS_CAUSES`: 50194 -> app_single_tenant,
    7000218 -> public_client_flows_off, 50173 -> signin_revoked ...); without a known
    code the OAuth error does: consent_required, unauthorized_client/invalid_client ->
    client_not_registered, 5xx/temporarily_unavailable -> idp_unavailable, other
    invalid_grant -> signin_expired; anything else -> auth_failed.
    """
    error = str(result.get("error", ""))
    for code in error_codes_of(result):
        if code in AADSTS_CAUSES:
            return AADSTS_CAUSES[code]
    if result.get("suberror") == "consent_required":
        return "consent_required"
    if error in ("unauthorized_client", "invalid_client", "invalid_tenant"):
        return "client_not_registered"
    if error in ("temporarily_unavailable", "server_error", "service_unavailable"):
        return "idp_unavailable"
    if error in ("invalid_grant", "interaction_required"):
        return "signin_expired"
    if error in ("authorization_pending", "expired_token"):
        return "device_code_expired"
    if error in ("authorization_declined", "access_denied"):
        return "signin_declined"
    return "auth_failed"


def describe_idp_error(result: Mapping[str, Any]) -> str:
    """A short, secret-free line for a job detail: 'invalid_grant AADSTS700082: ...'."""
    description = str(result.get("error_description", "")).split("\r\n", 1)[0].split("\n", 1)[0]
    return scrub(f"{result.get('error', 'error')}: {description}".strip())
