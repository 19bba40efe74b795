"""Faults a trainer switches on: the identity provider and the SMTP server failing."""
from __future__ import annotations

import aiosmtplib
import pytest
import requests
from msal.exceptions import MsalServiceError

from panel_tui.sim.control import SimControlError
from panel_tui.sim.faults import FAULT_NAMES

from .conftest import ADMIN, MEGAN


def test_idp_down_drops_connections_until_switched_off(sim):
    app = sim.msal_app()
    sim.control.set_fault("idp_down", True)
    with pytest.raises(requests.exceptions.ConnectionError):
        app.initiate_device_flow(scopes=[sim.endpoints.scope])
    with pytest.raises(requests.exceptions.ConnectionError):
        sim.http().get(f"{sim.endpoints.base_url}/devicelogin")
    assert sim.http().get(f"{sim.endpoints.admin_url}/login").status_code == 200  # admin center stays up
    sim.control.set_fault("idp_down", False)
    assert "user_code" in app.initiate_device_flow(scopes=[sim.endpoints.scope])


def test_idp_5xx_answers_503_with_retry_after_zero_and_msal_retries_at_once(sim):
    app = sim.msal_app()
    sim.control.set_fault("idp_5xx", True)
    response = sim.http().post(f"{sim.endpoints.authority}/oauth2/v2.0/devicecode",
                               data={"client_id": sim.endpoints.client_id, "scope": sim.endpoints.scope})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "0"
    assert response.json()["error"] == "temporarily_unavailable"
    assert app.initiate_device_flow(scopes=[sim.endpoints.scope])["error"] == "temporarily_unavailable"
    sim.control.set_fault("idp_5xx", False)
    # Retry-After: 0 keeps MSAL from replaying the 503 from its cache for 60 s.
    assert "user_code" in app.initiate_device_flow(scopes=[sim.endpoints.scope])


def test_idp_5xx_during_refresh_then_recovery(sim):
    signin = sim.sign_in(ADMIN)
    account = signin.app.get_accounts()[0]
    sim.control.set_fault("idp_5xx", True)
    # MSAL raises on a 5xx from the token endpoint (it returns 4xx answers as dicts).
    with pytest.raises(MsalServiceError, match="503"):
        signin.app.acquire_token_silent_with_error([sim.endpoints.scope], account=account, force_refresh=True)
    sim.control.set_fault("idp_5xx", False)
    ok = signin.app.acquire_token_silent_with_error([sim.endpoints.scope], account=account, force_refresh=True)
    assert "access_token" in ok


@pytest.fixture
def admin_token(sim) -> str:
    signin = sim.sign_in(ADMIN)
    sim.open_smtp()
    return signin.access_token


def _client(sim) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(hostname=sim.endpoints.smtp_host, port=sim.endpoints.smtp_port,
                           tls_context=sim.tls_context(), start_tls=True, timeout=10)


async def _send(sim, token: str, subject: str) -> None:
    client = _client(sim)
    await client.connect()
    await client.auth_xoauth2(ADMIN.upn, token)
    await client.sendmail(ADMIN.upn, [MEGAN.upn],
                          f"From: {ADMIN.upn}\r\nTo: {MEGAN.upn}\r\nSubject: {subject}\r\n\r\nbody\r\n")
    await client.quit()


async def test_smtp_down_refuses_connections_and_comes_back_on_the_same_port(sim, admin_token):
    sim.control.set_fault("smtp_down", True)
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await _client(sim).connect()
    sim.control.set_fault("smtp_down", False)
    await _send(sim, admin_token, "after the outage")
    assert [m["subject"] for m in sim.control.mailbox(MEGAN.upn)] == ["after the outage"]


async def test_connection_dropped_mid_data_stores_nothing(sim, admin_token):
    sim.control.set_fault("smtp_drop_mid_data", True)
    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await _send(sim, admin_token, "lost")
    assert sim.control.mailbox(MEGAN.upn) == []
    sim.control.set_fault("smtp_drop_mid_data", False)
    await _send(sim, admin_token, "delivered")
    assert [m["subject"] for m in sim.control.mailbox(MEGAN.upn)] == ["delivered"]


def test_unknown_fault_is_refused(sim):
    with pytest.raises(SimControlError) as refused:
        sim.control.set_fault("meteor_strike", True)
    assert refused.value.status == 400 and "unknown fault" in str(refused.value)


def test_reset_switches_every_fault_off(sim):
    for name in FAULT_NAMES:
        sim.control.set_fault(name, True)
    assert all(sim.control.state()["faults"].values())
    sim.control.reset()
    assert not any(sim.control.state()["faults"].values())
