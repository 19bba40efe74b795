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

# invalid_grant codes that mean "this sign-in is over: sign in again".
SIGNIN_DEAD_CODES = frozenset({700082, 70043, 50173, 70000, 700084, 50078, 50076, 50079, 50132, 70008})
CONDITIONAL_ACCESS_CODES = frozenset({53003})
CONSENT_CODES = frozenset({65001, 90094})
REGISTRATION_CODES = frozenset({700016, 7000218, 90002, 700054, 50011})

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
    """The cause name for an MSAL error result from a token request (silent or refresh).

    53003 -> conditional_access; 65001/90094 (consent_required) -> consent_required;
    other invalid_grant -> signin_expired; 5xx/temporarily_unavailable -> idp_unavailable;
    unknown app, public client flows off, unknown tenant -> client_not_registered.
    """
    error = str(result.get("error", ""))
    codes = set(error_codes_of(result))
    if codes & CONDITIONAL_ACCESS_CODES:
        return "conditional_access"
    if codes & CONSENT_CODES or result.get("suberror") == "consent_required":
        return "consent_required"
    if codes & REGISTRATION_CODES or error in ("unauthorized_client", "invalid_client", "invalid_tenant"):
        return "client_not_registered"
    if error in ("temporarily_unavailable", "server_error", "service_unavailable"):
        return "idp_unavailable"
    if error in ("invalid_grant", "interaction_required") or codes & SIGNIN_DEAD_CODES:
        return "signin_expired"
    return "auth_failed"


def describe_idp_error(result: Mapping[str, Any]) -> str:
    """A short, secret-free line for a job detail: 'invalid_grant AADSTS700082: ...'."""
    description = str(result.get("error_description", "")).split("\r\n", 1)[0].split("\n", 1)[0]
    return scrub(f"{result.get('error', 'error')}: {description}".strip())
