"""Refresh tokens through MSAL: silent refresh, reuse as in Entra, inactivity, revocation, policies."""
from __future__ import annotations

import jwt

from .conftest import ADMIN, PRINTER

DAY = 86400


def _silent(sim, signin, force_refresh=True) -> dict:
    account = signin.app.get_accounts()[0]
    return signin.app.acquire_token_silent_with_error(
        [sim.endpoints.scope], account=account, force_refresh=force_refresh
    )


def test_refresh_after_the_clock_passes_the_access_token_life(sim):
    signin = sim.sign_in(ADMIN)
    old = jwt.decode(signin.access_token, options={"verify_signature": False})
    now = sim.control.advance_clock(3601)
    assert now >= old["exp"]  # the old access token is dead in simulated time
    fresh = _silent(sim, signin)
    assert "access_token" in fresh, fresh
    claims = jwt.decode(fresh["access_token"], options={"verify_signature": False})
    assert claims["exp"] > now and claims["iat"] >= int(now) - 5
    assert claims["auth_time"] == old["auth_time"]  # same sign-in, new token


def test_refresh_token_dies_after_91_unused_days(sim):
    signin = sim.sign_in(ADMIN)
    sim.control.advance_clock(91 * DAY)
    result = _silent(sim, signin)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [700082]
    assert "inactive for 90.00:00:00" in result["error_description"]


def test_using_a_refresh_token_restarts_its_90_days(sim):
    signin = sim.sign_in(ADMIN)
    for _ in range(3):
        sim.control.advance_clock(89 * DAY)
        assert "access_token" in _silent(sim, signin)


def test_a_used_refresh_token_keeps_working_as_in_entra(sim):
    # Entra hands out a new refresh token on every use but does not revoke the old one.
    signin = sim.sign_in(ADMIN)
    first_rt = signin.result["refresh_token"]
    again = signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])
    assert "access_token" in again and again["refresh_token"] != first_rt
    replay = signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])
    assert "access_token" in replay, replay
    sim.control.advance_clock(89 * DAY)  # its own inactivity counts from its last use
    assert "access_token" in signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])


def test_an_old_refresh_token_dies_of_its_own_inactivity(sim):
    signin = sim.sign_in(ADMIN)
    first_rt = signin.result["refresh_token"]
    sim.control.advance_clock(60 * DAY)
    newer = signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])["refresh_token"]
    sim.control.advance_clock(60 * DAY)
    assert "access_token" in signin.app.acquire_token_by_refresh_token(newer, [sim.endpoints.scope])
    sim.control.advance_clock(31 * DAY)  # 91 days since the first token was last used
    dead = signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])
    assert dead["error_codes"] == [700082]


def test_an_old_refresh_token_dies_with_a_password_change(sim):
    signin = sim.sign_in(ADMIN)
    first_rt = signin.result["refresh_token"]
    assert "access_token" in signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])
    sim.control.advance_clock(1)
    sim.control.reset_password(ADMIN.upn, "Brand-New-Password-2")
    assert signin.app.acquire_token_by_refresh_token(first_rt, [sim.endpoints.scope])["error_codes"] == [50173]


def test_an_unknown_refresh_token_is_refused_with_70000_and_entra_fields(sim):
    signin = sim.sign_in(ADMIN)
    result = signin.app.acquire_token_by_refresh_token("0.SIM.not-a-token", [sim.endpoints.scope])
    assert result["error"] == "invalid_grant" and result["error_codes"] == [70000]
    assert result["error_uri"] == "https://login.microsoftonline.com/error?code=70000"
    for field in ("trace_id", "correlation_id", "timestamp"):
        assert result[field] and f"{result[field]}" in result["error_description"]


def test_revoked_sessions_end_refresh_with_50173(sim):
    signin = sim.sign_in(ADMIN)
    sim.control.advance_clock(1)
    sim.control.revoke_sessions(ADMIN.upn)
    result = _silent(sim, signin)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [50173]


def test_password_reset_ends_refresh_with_50173_and_the_new_password_signs_in(sim):
    signin = sim.sign_in(ADMIN)
    sim.control.advance_clock(1)
    sim.control.reset_password(ADMIN.upn, "Brand-New-Password-1")
    assert _silent(sim, signin)["error_codes"] == [50173]
    old = sim.sign_in(ADMIN)
    assert (old.page["page"], old.page["error"]) == ("password", "AADSTS50126")
    assert "access_token" in sim.sign_in(ADMIN, password="Brand-New-Password-1").result


def test_conditional_access_also_stops_refreshing_device_code_sessions(sim):
    signin = sim.sign_in(ADMIN)
    sim.control.set_conditional_access_block(True)
    result = _silent(sim, signin)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [53003]
    sim.control.set_conditional_access_block(False)
    assert "access_token" in _silent(sim, signin)


def test_withdrawn_admin_consent_stops_refresh_with_consent_required(sim):
    sim.sign_in(ADMIN, consent_for_org=True)
    printer = sim.sign_in(PRINTER)
    assert "access_token" in printer.result
    sim.control.revoke_admin_consent(sim.endpoints.client_id)
    result = _silent(sim, printer)
    assert result["error"] == "invalid_grant"
    assert result.get("suberror") == "consent_required"
    assert result["error_codes"] == [65001]
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    assert "access_token" in _silent(sim, printer)
