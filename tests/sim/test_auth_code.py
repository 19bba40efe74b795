"""The authorization code request with PKCE (RFC 6749 4.1, RFC 7636) a device uses to draw the
sign-in on its own screen: the same pages as /devicelogin from the account on, the code sent back
in a form for the device's loopback address, redeemed once by an unmodified MSAL with its
verifier; the pages still decide (wrong password, second factor, consent)."""
from __future__ import annotations

from urllib.parse import urlencode

import msal
import pytest

from panel_tui.sim.page_signin import PageSignIn

from .conftest import ADMIN, MEGAN

REDIRECT = "http://localhost"


def _start(sim, upn: str = "") -> tuple[msal.PublicClientApplication, dict, PageSignIn]:
    app = sim.msal_app()
    flow = app.initiate_auth_code_flow([sim.endpoints.scope], redirect_uri=REDIRECT, login_hint=upn or None,
                                       response_mode="form_post")
    return app, flow, PageSignIn(sim.http())


def test_an_administrator_consents_and_msal_redeems_the_code_once(sim):
    sim.control.set_security_defaults(False)
    app, flow, pages = _start(sim, ADMIN.upn)
    step = pages.open(flow["auth_uri"], REDIRECT, "en")
    assert step.page == "account"
    step = pages.account(ADMIN.upn)
    assert step.page == "password"
    step = pages.password(ADMIN.password)
    assert step.page == "permissions" and step.offers_org_consent
    step = pages.consent(accept=True, for_organization=True)
    assert step.page == "signed-in"
    answer = dict(step.answer)
    result = app.acquire_token_by_auth_code_flow(flow, answer)
    assert "access_token" in result and result["id_token_claims"]["preferred_username"] == ADMIN.upn
    # A code is good once, and only with its verifier.
    again = msal.PublicClientApplication(sim.endpoints.client_id, authority=sim.endpoints.authority,
                                         instance_discovery=False, http_client=sim.http())
    replay = again.acquire_token_by_auth_code_flow(flow, answer)
    assert replay.get("error") == "invalid_grant" and 70000 in replay.get("error_codes", [])
    # The organisation consented: a user is not asked for permissions.
    app, flow, pages = _start(sim, MEGAN.upn)
    pages.open(flow["auth_uri"], REDIRECT, "en")
    pages.account(MEGAN.upn)
    assert pages.password(MEGAN.password).page == "signed-in"


def test_a_wrong_verifier_is_refused_with_aadsts50148(sim):
    sim.control.set_security_defaults(False)
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    app, flow, pages = _start(sim)
    pages.open(flow["auth_uri"], REDIRECT, "en")
    pages.account(MEGAN.upn)
    step = pages.password(MEGAN.password)
    result = app.acquire_token_by_auth_code_flow({**flow, "code_verifier": "x" * 43}, dict(step.answer))
    assert result.get("error") == "invalid_grant" and result.get("error_codes") == [50148]


def test_the_pages_decide_wrong_password_and_the_second_factor(sim):
    _, flow, pages = _start(sim)  # security defaults on: administrators answer the Authenticator
    pages.open(flow["auth_uri"], REDIRECT, "ro")
    pages.account(ADMIN.upn)
    step = pages.password("not-the-password")
    assert (step.page, step.error) == ("password", "AADSTS50126")
    step = pages.password(ADMIN.password)
    assert step.page == "mfa-number" and step.mfa_number.isdigit()
    assert pages.check_authenticator().page == "mfa-number"  # not answered yet
    sim.control.answer_authenticator(ADMIN.upn, step.mfa_number, approve=True)
    assert pages.check_authenticator().page == "permissions"


@pytest.mark.parametrize("redirect", ["https://evil.example/cb", "http://printer.example/"])
def test_only_a_loopback_redirect_is_accepted(sim, redirect):
    app = sim.msal_app()
    flow = app.initiate_auth_code_flow([sim.endpoints.scope], redirect_uri=redirect, response_mode="form_post")
    response = sim.http().get(flow["auth_uri"], allow_redirects=False)
    assert response.status_code == 400 and "AADSTS50011" in response.json()["error_description"]


def test_a_code_of_the_authorize_request_is_not_a_device_code(sim):
    sim.control.set_security_defaults(False)
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    _, flow, pages = _start(sim)
    pages.open(flow["auth_uri"], REDIRECT, "en")
    pages.account(MEGAN.upn)
    answer = dict(pages.password(MEGAN.password).answer)
    token = sim.http().post(f"{sim.endpoints.authority}/oauth2/v2.0/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": sim.endpoints.client_id,
        "device_code": answer["code"]})
    assert token.json()["error"] == "bad_verification_code"


def test_a_challenge_that_is_not_base64url_is_refused_not_a_crash(sim):
    """A code_challenge no verifier can answer (here not even ASCII) ends in AADSTS50148, never a 500."""
    sim.control.set_security_defaults(False)
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    query = urlencode({"client_id": sim.endpoints.client_id, "response_type": "code", "redirect_uri": REDIRECT,
                       "scope": sim.endpoints.scope, "code_challenge": "\u00fc" * 43, "code_challenge_method": "S256",
                       "response_mode": "form_post"})
    pages = PageSignIn(sim.http())
    pages.open(f"{sim.endpoints.authority}/oauth2/v2.0/authorize?{query}", REDIRECT, "en")
    pages.account(MEGAN.upn)
    answer = dict(pages.password(MEGAN.password).answer)
    token = sim.http().post(f"{sim.endpoints.authority}/oauth2/v2.0/token", data={
        "grant_type": "authorization_code", "client_id": sim.endpoints.client_id, "code": answer["code"],
        "redirect_uri": REDIRECT, "code_verifier": "v" * 43})
    assert token.status_code == 400 and token.json()["error_codes"] == [50148]
