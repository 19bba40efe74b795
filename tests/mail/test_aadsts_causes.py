"""Every AADSTS error a device code sign-in (or a refresh) can answer with has its own cause,
message and fix, in English and Romanian; the fixes name the place to change."""
from __future__ import annotations

import pytest

from panel_tui.device.errors import CAUSES
from panel_tui.mail.auth import _result_from_device_flow
from panel_tui.mail.errors import AADSTS_CAUSES, MailError, classify_idp_error
from tests.helpers.locales import catalog

# (OAuth error, AADSTS code) as Entra answers them, and the cause each must become.
ENTRA_ANSWERS = [
    ("invalid_request", 50194, "app_single_tenant"),
    ("invalid_request", 50059, "tenant_not_identified"),
    ("invalid_tenant", 90002, "unknown_tenant"),
    ("unauthorized_client", 700016, "app_not_found"),
    ("invalid_client", 7000218, "public_client_flows_off"),
    ("invalid_grant", 65001, "consent_required"),
    ("invalid_grant", 50126, "wrong_password"),
    ("invalid_grant", 50053, "account_locked"),
    ("invalid_grant", 50057, "account_disabled"),
    ("invalid_grant", 50076, "mfa_required"),
    ("interaction_required", 50079, "mfa_required"),
    ("access_denied", 53003, "conditional_access"),
    ("invalid_grant", 700082, "signin_expired"),
    ("invalid_grant", 50173, "signin_revoked"),
    ("invalid_grant", 70000, "signin_grant_invalid"),
    ("authorization_pending", 70016, "device_code_expired"),
    ("expired_token", 70020, "device_code_expired"),
    ("authorization_declined", 65004, "signin_declined"),
    ("access_denied", 500121, "mfa_declined"),
]

# Where each cause's fix must send the reader (English; Romanian checked for its own words).
FIX_PLACES = {
    "app_single_tenant": ("--tenant", "Supported account types", "App registrations"),
    "tenant_not_identified": ("--tenant",),
    "unknown_tenant": ("--tenant", "Tenant ID"),
    "app_not_found": ("Application (client) ID", "App registrations"),
    "public_client_flows_off": ("Allow public client flows", "Authentication"),
    "wrong_password": ("Reset password",),
    "account_locked": ("Reset password",),
    "account_disabled": ("Account enabled",),
    "mfa_required": ("multi-factor",),
    "smtp_auth_security_defaults": ("Identity > Overview > Properties > Manage security defaults",),
}


def _answer(error: str, code: int) -> dict:
    return {"error": error, "error_codes": [code],
            "error_description": f"AADSTS{code}: something.\r\nTrace ID: 1\r\nCorrelation ID: 2"}


@pytest.mark.parametrize(("error", "code", "cause"), ENTRA_ANSWERS, ids=[str(c) for _, c, _ in ENTRA_ANSWERS])
def test_each_aadsts_answer_is_classified(error, code, cause):
    assert classify_idp_error(_answer(error, code)) == cause
    assert AADSTS_CAUSES[code] == cause
    assert cause in CAUSES


def test_a_single_tenant_app_with_organizations_is_not_an_smtp_password_problem():
    """The repro: a default (single-tenant) registration used with `organizations`."""
    error = MailError(classify_idp_error(_answer("invalid_request", 50194)))
    en, ro = catalog("en"), catalog("ro")
    assert error.cause_name == "app_single_tenant"
    assert "SMTP" not in en[error.message_key] and "password" not in en[error.fix_key]
    assert "--tenant" in en[error.fix_key] and "multi-tenant" in en[error.fix_key]
    assert "--tenant" in ro[error.fix_key] and "multi-tenant" in ro[error.fix_key]


def test_the_named_failures_have_distinct_messages_and_fixes_in_both_languages():
    names = ["app_single_tenant", "public_client_flows_off", "app_not_found", "wrong_password",
             "account_locked", "smtp_auth_security_defaults", "smtp_auth_disabled_tenant",
             "smtp_auth_disabled_mailbox", "auth_failed"]
    for lang in ("en", "ro"):
        texts = catalog(lang)
        messages = [texts[f"cause.{n}.message"] for n in names]
        fixes = [texts[f"cause.{n}.fix"] for n in names]
        assert len(set(messages)) == len(names), lang
        assert len(set(fixes)) == len(names), lang


@pytest.mark.parametrize("cause", sorted(FIX_PLACES))
def test_fixes_name_the_place(cause):
    en, ro = catalog("en"), catalog("ro")
    for place in FIX_PLACES[cause]:
        assert place in en[f"cause.{cause}.fix"], (cause, place)
    assert en[f"cause.{cause}.fix"] != ro[f"cause.{cause}.fix"]


def test_security_defaults_fix_is_not_the_exchange_switch():
    en = catalog("en")
    fix = en["cause.smtp_auth_security_defaults.fix"]
    assert "Microsoft Entra admin center" in fix
    assert "security defaults" not in en["cause.smtp_auth_disabled_mailbox.fix"]
    assert "Microsoft 365 admin center" in en["cause.smtp_auth_disabled_mailbox.fix"]
    assert "Exchange admin center" in en["cause.smtp_auth_disabled_tenant.fix"]
    ro = catalog("ro")["cause.smtp_auth_security_defaults.fix"]
    assert "Centrul de administrare Microsoft Entra" in ro and "setările implicite de securitate" in ro


def test_a_failed_device_flow_carries_its_cause():
    result = _result_from_device_flow(_answer("invalid_grant", 50053), cancelled=False)
    assert (result.outcome, result.aadsts, result.cause_name) == ("error", 50053, "account_locked")
    result = _result_from_device_flow(_answer("invalid_client", 7000218), cancelled=False)
    assert result.cause_name == "public_client_flows_off"
    declined = _result_from_device_flow(_answer("authorization_declined", 65004), cancelled=False)
    assert declined.outcome == "declined"
