"""App registrations as admins make them, against the simulator with real MSAL: each wrong
property is refused by the identity provider with Entra's AADSTS code, and the printer
names the cause and the place to fix it."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from panel_tui.mail.auth import OAuthSession
from panel_tui.mail.errors import MailError, classify_idp_error
from panel_tui.mail.providers import simulator
from panel_tui.sim.tenant import TENANT_DOMAIN, TENANT_ID
from panel_tui.sim.throttle import LOCKOUT_THRESHOLD
from tests.helpers.locales import catalog
from tests.helpers.tenant import ADMIN, PRINTER


def _session(world, **provider) -> OAuthSession:
    return OAuthSession(simulator(world.endpoints, **provider), world.printer.paths.token_cache_file, world.clock)


def _words(error_or_cause: str) -> tuple[str, str, str, str]:
    en, ro = catalog("en"), catalog("ro")
    return (en[f"cause.{error_or_cause}.message"], en[f"cause.{error_or_cause}.fix"],
            ro[f"cause.{error_or_cause}.message"], ro[f"cause.{error_or_cause}.fix"])


def test_the_seeded_app_is_multi_tenant_with_public_flows_and_smtp_send(control, world):
    app = control.app_registration(world.endpoints.client_id)
    assert (app["registered"], app["audience"], app["public_client_flows"], app["smtp_send"]) == (
        True, "multi", True, True)


def test_single_tenant_app_with_organizations_is_refused_at_the_device_code_step(control, world):
    control.set_app_registration(world.endpoints.client_id, audience="single")
    with pytest.raises(MailError) as raised:
        world.session.start_device_flow()
    error = raised.value
    assert (error.cause_name, error.code) == ("app_single_tenant", 312)
    assert "AADSTS50194" in error.detail
    message, fix, _, ro_fix = _words(error.cause_name)
    assert "--tenant" in fix and "--tenant" in ro_fix
    assert "SMTP AUTH" not in message + fix  # not the old 312 advice


@pytest.mark.parametrize("tenant", [TENANT_ID, TENANT_DOMAIN])
def test_single_tenant_app_signs_in_through_its_own_tenant(control, world, tenant):
    control.set_app_registration(world.endpoints.client_id, audience="single")
    control.grant_admin_consent(world.endpoints.client_id)
    result = world.sign_in(PRINTER, session=_session(world, tenant=tenant))
    assert result.ok, result


def test_public_client_flows_off_is_refused_when_the_code_is_redeemed(control, world):
    control.set_app_registration(world.endpoints.client_id, public_client_flows=False)
    result = world.sign_in(ADMIN, consent_for_org=True)
    assert (result.outcome, result.aadsts, result.cause_name) == ("error", 7000218, "public_client_flows_off")
    assert "Allow public client flows" in _words(result.cause_name)[1]


def test_an_unknown_app_is_refused_with_700016(world):
    session = _session(world, client_id=str(uuid.uuid4()))
    with pytest.raises(MailError) as raised:
        session.start_device_flow()
    assert (raised.value.cause_name, raised.value.code) == ("app_not_found", 312)
    assert "AADSTS700016" in raised.value.detail


def test_an_unknown_tenant_is_refused(world):
    with pytest.raises(MailError) as raised:
        _session(world, tenant="fabrikam.onmicrosoft.com").start_device_flow()
    assert raised.value.cause_name == "unknown_tenant"


def test_app_without_smtp_send_needs_admin_approval_despite_admin_consent(control, world):
    control.set_app_registration(world.endpoints.client_id, smtp_send=False)
    control.grant_admin_consent(world.endpoints.client_id)  # "Granted" in the admin center
    result = world.sign_in(PRINTER)
    assert (result.outcome, result.cause_name) == ("consent_required", "consent_required")
    assert world.browser["page"] == "admin-approval"
    # An administrator consenting on the sign-in page grants what the device asked for.
    assert world.sign_in(ADMIN, consent_for_org=True, role=None).ok
    assert world.sign_in(PRINTER).ok


def test_wrong_passwords_lock_the_account_with_its_own_cause(control, world):
    flow = world.session.start_device_flow()
    pages = [control.approve_device_code(flow.user_code, PRINTER.upn, f"wrong-password-{n}")
             for n in range(LOCKOUT_THRESHOLD)]
    assert [p["error"] for p in pages[:-1]] == ["AADSTS50126"] * (LOCKOUT_THRESHOLD - 1)
    assert pages[-1]["error"] == "AADSTS50053"
    # Whatever the page showed, the printer's table names it: wrong password vs locked out.
    wrong = classify_idp_error({"error": "invalid_grant", "error_codes": [50126]})
    locked = classify_idp_error({"error": "invalid_grant", "error_codes": [50053]})
    assert (wrong, locked) == ("wrong_password", "account_locked")
    wrong_words, locked_words = _words(wrong), _words(locked)
    assert all(a != b for a, b in zip(wrong_words, locked_words, strict=True))  # en and ro message and fix
    # Locked: even the right password is refused; the device keeps waiting, as with Entra.
    assert control.approve_device_code(flow.user_code, PRINTER.upn, PRINTER.password)["error"] == "AADSTS50053"
    world.session.cancel(flow)
    assert world.session.wait_for_device_flow(flow).outcome == "cancelled"


def test_security_defaults_on_is_its_own_cause(control, world):
    world.ready()
    control.set_security_defaults(True)
    assert asyncio.run(world.jobs.connection_check()).ok  # OAuth 2.0 is not legacy authentication
    world.printer.update(lambda s: s.with_field("email_server.auth_method", "smtp_auth")
                         .with_field("email_server.account", "printer@contoso.onmicrosoft.com")
                         .with_field("email_server.password", "Sim-Printer-2024"))
    outcome = asyncio.run(world.jobs.connection_check())  # Basic is: refused with its own cause
    assert (outcome.error.cause_name, outcome.job.error_code) == ("smtp_auth_security_defaults", 312)
    control.set_security_defaults(False)
    control.set_smtp_auth_org(False)
    outcome = asyncio.run(world.jobs.connection_check())
    assert outcome.error.cause_name == "smtp_auth_disabled_tenant"
