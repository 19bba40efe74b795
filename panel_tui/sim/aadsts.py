"""Entra ID's error answers, as one table: OAuth error, AADSTS code, description, status.

The identity provider raises :class:`IdpError` and renders it the way Entra does:
``{"error", "error_description": "AADSTS<code>: ...", "error_codes": [code],
"timestamp", "trace_id", "correlation_id", "error_uri"}`` (plus ``suberror`` where
Entra sends one). The sign-in pages show the same codes.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class AadErrorKind:
    """One row of the table: what Entra answers in a given situation."""

    error: str
    code: int | None
    template: str
    status: int = 400
    suberror: str | None = None


# Device code polling (RFC 8628 section 3.5 and Entra's device code documentation).
AUTHORIZATION_PENDING = AadErrorKind(
    "authorization_pending", 70016,
    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
SLOW_DOWN = AadErrorKind(
    "slow_down", None,
    "The client is polling too quickly. Increase the polling interval by 5 seconds.")
EXPIRED_TOKEN = AadErrorKind(
    "expired_token", 70020,
    "The provided value for the input parameter 'device_code' is not valid. "
    "This device code has expired.")
BAD_VERIFICATION_CODE = AadErrorKind(
    "bad_verification_code", 70000,
    "The provided value for the input parameter 'device_code' is not valid.")
AUTHORIZATION_DECLINED = AadErrorKind(
    "authorization_declined", 65004,
    "User declined to consent to access the app.")
CONDITIONAL_ACCESS_BLOCKED = AadErrorKind(
    "access_denied", 53003,
    "Access has been blocked by Conditional Access policies. "
    "The access policy does not allow token issuance.")
CONDITIONAL_ACCESS_BLOCKED_REFRESH = AadErrorKind(
    "invalid_grant", 53003,
    "Access has been blocked by Conditional Access policies. "
    "The access policy does not allow token issuance.")
# Microsoft Authenticator's number match denied, answered wrong, or not answered in time.
MFA_FAILED = AadErrorKind(
    "access_denied", 500121,
    "Authentication failed during strong authentication request. The user didn't complete the MFA "
    "prompt. They may have decided not to authenticate, timed out while doing other work, or has an "
    "issue with their authentication setup.")
CONSENT_REQUIRED = AadErrorKind(
    "invalid_grant", 65001,
    "The user or administrator has not consented to use the application with ID "
    "'{client_id}' named '{app_name}'. Send an interactive authorization request for "
    "this user and resource.",
    suberror="consent_required")
ADMIN_APPROVAL_REQUIRED = AadErrorKind(
    "invalid_grant", 90094,
    "The grant requires admin permission.",
    suberror="consent_required")

# Authorization code requests (/authorize with PKCE, the pages a device shows itself).
REDIRECT_URI_MISMATCH = AadErrorKind(
    "invalid_request", 50011,
    "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
    "configured for the application '{client_id}'.")
AUTH_CODE_INVALID = AadErrorKind(
    "invalid_grant", 70000,
    "The provided value for the 'code' parameter is not valid.")
PKCE_MISMATCH = AadErrorKind(
    "invalid_grant", 50148,
    "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.")

# Refresh tokens.
REFRESH_TOKEN_INACTIVE = AadErrorKind(
    "invalid_grant", 700082,
    "The refresh token has expired due to inactivity. The token was issued on "
    "{issued} and was inactive for 90.00:00:00.")
REFRESH_TOKEN_REVOKED = AadErrorKind(
    "invalid_grant", 50173,
    "The provided grant has expired due to it being revoked, a fresh auth token is "
    "needed. The user might have changed or reset their password. The grant was issued "
    "on '{issued}' and the TokensValidFrom date (before which tokens are not valid) for "
    "this user is '{valid_from}'.")
REFRESH_TOKEN_INVALID = AadErrorKind(
    "invalid_grant", 70000,
    "The provided value for the input parameter 'refresh_token' or 'assertion' is not "
    "valid.")

# Requests the simulator cannot serve.
UNKNOWN_CLIENT = AadErrorKind(
    "unauthorized_client", 700016,
    "Application with identifier '{client_id}' was not found in the directory "
    "'{tenant}'. This can happen if the application has not been installed by the "
    "administrator of the tenant or consented to by any user in the tenant.")
UNKNOWN_TENANT = AadErrorKind(
    "invalid_tenant", 90002,
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and "
    "are signing into the correct cloud.")
INVALID_SCOPE = AadErrorKind(
    "invalid_scope", 70011,
    "The provided request must include a 'scope' input parameter. The provided value "
    "for the input parameter 'scope' is not valid. The scope '{scope}' is not valid.")
MISSING_PARAMETER = AadErrorKind(
    "invalid_request", 900144,
    "The request body must contain the following parameter: '{name}'.")
UNSUPPORTED_GRANT_TYPE = AadErrorKind(
    "unsupported_grant_type", 70003,
    "The app requested an unsupported grant type '{grant_type}'.")
TEMPORARILY_UNAVAILABLE = AadErrorKind(
    "temporarily_unavailable", 90033,
    "A transient error has occurred. Please try again.", status=503)

# Throttling.
DEVICE_CODE_THROTTLED = AadErrorKind(
    "temporarily_unavailable", 90055,
    "There are too many incoming requests. Wait and try again.", status=429)

# Entra points every coded error at its public lookup page.
ERROR_LOOKUP_URL = "https://login.microsoftonline.com/error?code="

# Shown only on the sign-in pages (the device keeps polling meanwhile).
USER_NOT_FOUND_CODE = 50034
BAD_PASSWORD_CODE = 50126
ACCOUNT_LOCKED_CODE = 50053


class IdpError(Exception):
    """An Entra-style OAuth error answer."""

    def __init__(self, kind: AadErrorKind, **details: object) -> None:
        self.kind = kind
        self.details = details
        super().__init__(self.description)

    @property
    def code(self) -> int | None:
        return self.kind.code

    @property
    def description(self) -> str:
        text = self.kind.template.format(**self.details)
        return f"AADSTS{self.kind.code}: {text}" if self.kind.code else text

    def body(self, now: float) -> dict[str, str | list[int]]:
        """The JSON body Entra would send, timestamped with the simulated clock."""
        trace_id = str(uuid.uuid4())
        correlation_id = str(uuid.uuid4())
        stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        body: dict[str, str | list[int]] = {
            "error": self.kind.error,
            "error_description": (
                f"{self.description}\r\nTrace ID: {trace_id}\r\n"
                f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}"
            ),
            "error_codes": [self.kind.code] if self.kind.code else [],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
        }
        if self.kind.suberror:
            body["suberror"] = self.kind.suberror
        if self.kind.code:
            body["error_uri"] = f"{ERROR_LOOKUP_URL}{self.kind.code}"
        return body


def format_entra_date(epoch: float) -> str:
    """Dates inside AADSTS messages, e.g. ``2024-05-01T08:30:00.0000000Z``."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
