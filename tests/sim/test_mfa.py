"""Security defaults ask administrators for a second factor at sign-in: Microsoft
Authenticator's number match, answered on the simulated Authenticator; Entra's AADSTS500121
when it is denied, answered with the wrong number, or not answered in time."""
from __future__ import annotations

import pytest

from panel_tui import scenarios
from panel_tui.sim.devicelogin import MFA_TIMEOUT
from panel_tui.sim.form_browser import FormBrowser

from .conftest import ADMIN, PRINTER


def _flow(sim):
    app = sim.msal_app()
    return app, sim.start_flow(app)


def test_an_administrators_sign_in_under_security_defaults_asks_for_the_number(sim):
    app, flow = _flow(sim)
    page = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password, consent_for_org=True)
    assert page["signed_in"] and "mfa-number" in page["pages"]
    assert page["mfa_number"].isdigit() and 10 <= int(page["mfa_number"]) <= 99
    assert "access_token" in app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)


@pytest.mark.parametrize("answer, final", [("deny", "mfa-denied"), ("wrong", "mfa-denied")])
def test_denied_or_wrong_number_is_aadsts500121(sim, answer, final):
    app, flow = _flow(sim)
    page = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password, mfa=answer)
    assert (page["page"], page["error"]) == (final, "AADSTS500121")
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    assert (result["error"], result["error_codes"]) == ("access_denied", [500121])


def test_no_answer_in_time_is_we_didnt_hear_from_you(sim):
    app, flow = _flow(sim)
    browser = FormBrowser(sim.http(), 10)  # a person at the sign-in pages, the phone left aside
    page = browser.get(f"{sim.endpoints.base_url}/devicelogin")
    for values in ({"otc": flow["user_code"]}, {"loginfmt": ADMIN.upn}, {"passwd": ADMIN.password}):
        page = browser.submit(page, values)
    assert page.name == "mfa-number" and sim.control.authenticator_requests(ADMIN.upn) == 1
    page = browser.submit(page, {})  # Continue before answering: still waiting
    assert page.name == "mfa-number" and page.title == "Approve sign in request"
    sim.control.advance_clock(MFA_TIMEOUT + 1)
    page = browser.submit(page, {})
    assert (page.name, page.title, page.error) == ("mfa-timeout", "We didn't hear from you", "AADSTS500121")
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    assert (result["error"], result["error_codes"]) == ("access_denied", [500121])


def test_users_and_tenants_without_security_defaults_sign_in_with_the_password_alone(sim):
    _, flow = _flow(sim)
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    page = sim.control.approve_device_code(flow["user_code"], PRINTER.upn, PRINTER.password)
    assert page["signed_in"] and "mfa-number" not in page["pages"]
    sim.control.set_security_defaults(False)
    _, flow = _flow(sim)
    page = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password)
    assert page["signed_in"] and "mfa-number" not in page["pages"]


async def test_security_defaults_on_scenario_is_what_really_happens(make_e2e_app, sim_control):
    """OAuth 2.0 keeps sending with security defaults on; the administrator's next sign-in
    meets the number match (the guide turns them off for the Basic case)."""
    app = make_e2e_app("en")
    scenarios.run_scenario("security-defaults-on", app.printer, app.backend)
    assert sim_control.state()["policies"]["security_defaults"] is True
    sent = await app.backend.jobs.scan_to_email("megan@contoso.onmicrosoft.com")
    assert sent.ok, sent.error
    session = app.backend.session_for(app.printer.settings.email_server)
    flow = session.start_device_flow()
    page = sim_control.approve_device_code(flow.user_code, ADMIN.upn, ADMIN.password, mfa="ignore")
    session.cancel(flow)
    assert page["page"] == "mfa-number"
