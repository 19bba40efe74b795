"""The device code flow with an unmodified MSAL public client against the simulator."""
from __future__ import annotations

import jwt
import pytest

from panel_tui.sim.tenant import CLOUD_APP_ADMIN

from .conftest import ADMIN, DOMAIN, MEGAN, PRINTER


def test_discovery_document_has_what_msal_needs(sim):
    for alias in (sim.endpoints.tenant_id, DOMAIN, "organizations", "common"):
        doc = sim.http().get(f"{sim.endpoints.base_url}/{alias}/v2.0/.well-known/openid-configuration").json()
        assert doc["issuer"] == f"{sim.endpoints.base_url}/{sim.endpoints.tenant_id}/v2.0"
        for key in ("authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "jwks_uri"):
            assert doc[key].startswith(f"{sim.endpoints.base_url}/{alias}/"), key


def test_unknown_tenant_is_refused_like_entra(sim):
    response = sim.http().get(f"{sim.endpoints.base_url}/consumers/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]


def test_device_code_answer_has_the_rfc_8628_fields(sim):
    flow = sim.start_flow(sim.msal_app())
    assert flow["verification_uri"] == sim.endpoints.verification_uri
    assert flow["expires_in"] == 900
    assert flow["interval"] >= 1
    assert len(flow["user_code"]) == 9 and flow["user_code"].isalnum()
    assert flow["device_code"] and flow["user_code"] in flow["message"]
    assert sim.endpoints.verification_uri in flow["message"]


@pytest.mark.parametrize("alias", ["tenant_id", "organizations", "common"])
def test_admin_signs_in_lists_the_account_and_refreshes_silently(sim, alias):
    authority = sim.endpoints.authority if alias == "tenant_id" else sim.endpoints.authority_for(alias)
    signin = sim.sign_in(ADMIN, consent_for_org=True, authority=authority)
    # Security defaults are on in the seeded tenant: the administrator answers a number match.
    assert signin.page["pages"] == ["enter-code", "account", "password", "mfa-number", "permissions", "signed-in"]
    assert signin.page["org_consent_offered"] is True
    assert "access_token" in signin.result, signin.result

    claims = jwt.decode(signin.access_token, options={"verify_signature": False})
    assert claims["aud"] == "https://outlook.office.com"
    assert "SMTP.Send" in claims["scp"].split()
    assert claims["tid"] == sim.endpoints.tenant_id
    assert claims["upn"] == claims["preferred_username"] == ADMIN.upn
    assert 3600 <= claims["exp"] - claims["iat"] <= 5400
    id_claims = signin.result["id_token_claims"]
    assert id_claims["iss"] == f"{sim.endpoints.base_url}/{sim.endpoints.tenant_id}/v2.0"
    assert id_claims["preferred_username"] == ADMIN.upn and id_claims["oid"] and id_claims["sub"]

    accounts = signin.app.get_accounts()
    assert [a["username"] for a in accounts] == [ADMIN.upn]
    cached = signin.app.acquire_token_silent([sim.endpoints.scope], account=accounts[0])
    assert cached["access_token"] == signin.access_token  # served from MSAL's cache
    refreshed = signin.app.acquire_token_silent([sim.endpoints.scope], account=accounts[0], force_refresh=True)
    assert refreshed["access_token"] != signin.access_token
    assert sim.control.state()["apps"][0]["admin_consent"] is True


def test_signed_access_token_verifies_with_the_published_keys(sim):
    signin = sim.sign_in(ADMIN)
    jwks_uri = sim.http().get(
        f"{sim.endpoints.authority}/v2.0/.well-known/openid-configuration").json()["jwks_uri"]
    key = jwt.PyJWKSet.from_dict(sim.http().get(jwks_uri).json()).keys[0]
    claims = jwt.decode(signin.access_token, key.key, algorithms=["RS256"], audience="https://outlook.office.com",
                        options={"verify_exp": False})
    assert claims["upn"] == ADMIN.upn


def test_polling_before_approval_is_authorization_pending(sim):
    app = sim.msal_app()
    flow = sim.start_flow(app)
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
    assert result["error"] == "authorization_pending"
    assert result["error_codes"] == [70016]


@pytest.mark.filterwarnings("ignore:Attempted too soon")
def test_slow_down_fault_answers_slow_down_then_the_approval_still_counts(sim):
    app = sim.msal_app()
    flow = sim.start_flow(app)
    sim.control.set_fault("slow_down", True)
    assert app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)["error"] == "slow_down"
    approved = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password, consent_for_org=True)
    assert approved["signed_in"]
    assert app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)["error"] == "slow_down"
    sim.control.set_fault("slow_down", False)
    assert "access_token" in app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)


def test_code_expires_after_900_simulated_seconds(sim):
    app = sim.msal_app()
    flow = sim.start_flow(app)
    sim.control.advance_clock(901)
    result = app.acquire_token_by_device_flow(flow)  # not retriable: MSAL returns at once
    assert result["error"] == "expired_token"
    assert result["error_codes"] == [70020]
    page = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password)
    assert (page["page"], page["error"]) == ("enter-code", "code_expired")


def test_cancel_on_the_permissions_screen_is_authorization_declined(sim):
    signin = sim.sign_in(ADMIN, accept=False)
    assert signin.page["page"] == "declined" and signin.page["error"] == "AADSTS65004"
    assert signin.result["error"] == "authorization_declined"
    assert signin.result["error_codes"] == [65004]
    assert signin.app.get_accounts() == []


def test_conditional_access_block_is_access_denied_53003(sim):
    sim.control.set_conditional_access_block(True)
    signin = sim.sign_in(ADMIN)
    assert signin.page["page"] == "blocked" and signin.page["error"] == "AADSTS53003"
    assert signin.result["error"] == "access_denied"
    assert signin.result["error_codes"] == [53003]


def test_ordinary_user_without_org_consent_needs_admin_approval(sim):
    signin = sim.sign_in(PRINTER)
    assert signin.page["page"] == "admin-approval" and signin.page["error"] == "AADSTS90094"
    assert "permissions" not in signin.page["pages"]  # never offered consent, for self or org
    assert signin.result["error"] == "invalid_grant"
    assert signin.result["suberror"] == "consent_required"
    assert signin.result["error_codes"] == [65001]


def test_after_admin_consent_ordinary_users_sign_in_without_a_permissions_screen(sim):
    assert "access_token" in sim.sign_in(ADMIN, consent_for_org=True).result
    signin = sim.sign_in(PRINTER)
    assert signin.page["pages"] == ["enter-code", "account", "password", "signed-in"]
    assert signin.app.get_accounts()[0]["username"] == PRINTER.upn


def test_admin_consent_for_self_only_does_not_cover_other_users(sim):
    assert "access_token" in sim.sign_in(ADMIN, consent_for_org=False).result
    assert sim.control.state()["apps"][0]["admin_consent"] is False
    assert sim.sign_in(MEGAN).page["page"] == "admin-approval"
    again = sim.sign_in(ADMIN, consent_for_org=False)
    assert "permissions" not in again.page["pages"]  # the admin's own consent is remembered


def test_cloud_application_administrator_may_consent_for_the_organisation(sim):
    sim.control.add_user("appadmin", "App Admin", "Sim-AppAdmin-1", [CLOUD_APP_ADMIN])
    signin = sim.sign_in(f"appadmin@{DOMAIN}", password="Sim-AppAdmin-1", consent_for_org=True)
    assert signin.page["org_consent_offered"] is True
    assert "access_token" in signin.result
    assert sim.control.state()["apps"][0]["admin_consent"] is True


def test_wrong_password_and_unknown_account_stay_on_their_page(sim):
    app = sim.msal_app()
    flow = sim.start_flow(app)
    wrong = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, "not-the-password")
    assert (wrong["page"], wrong["error"]) == ("password", "AADSTS50126")
    unknown = sim.control.approve_device_code(flow["user_code"], f"nobody@{DOMAIN}", "whatever")
    assert (unknown["page"], unknown["error"]) == ("account", "AADSTS50034")
    bad_code = sim.control.approve_device_code("NOTACODE1", ADMIN.upn, ADMIN.password)
    assert (bad_code["page"], bad_code["error"]) == ("enter-code", "code_invalid")
    assert app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)["error"] == "authorization_pending"


def test_a_code_can_be_used_once(sim):
    signin = sim.sign_in(ADMIN)
    assert "access_token" in signin.result
    state = sim.control.state()
    user_code = state["device_codes"][-1]["user_code"]
    again = sim.control.approve_device_code(user_code, ADMIN.upn, ADMIN.password)
    assert (again["page"], again["error"]) == ("enter-code", "code_used")


def test_unknown_client_and_scope_are_refused(sim):
    url = f"{sim.endpoints.authority}/oauth2/v2.0/devicecode"
    unknown_client = sim.http().post(url, data={"client_id": "00000000-0000-0000-0000-000000000000",
                                                "scope": sim.endpoints.scope})
    assert unknown_client.status_code == 400
    assert unknown_client.json()["error"] == "unauthorized_client"
    bad_scope = sim.http().post(url, data={"client_id": sim.endpoints.client_id, "scope": "https://graph.microsoft.com/Mail.Send"})
    assert bad_scope.json()["error"] == "invalid_scope"
