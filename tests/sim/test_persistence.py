"""What survives a restart: PKI, signing key, tenant, consents, refresh tokens, clock."""
from __future__ import annotations

import ssl

import aiosmtplib
import msal
import pytest
import requests
from cryptography import x509

from panel_tui.sim.control import SimControl
from panel_tui.sim.pki import ensure_pki
from panel_tui.sim.runtime import SimEndpoints, SimulatorThread
from tests.helpers.tenant import prepare_tenant

from .conftest import ADMIN


def _msal(endpoints: SimEndpoints, cache: msal.SerializableTokenCache) -> msal.PublicClientApplication:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(endpoints.ca_path)
    return msal.PublicClientApplication(endpoints.client_id, authority=endpoints.authority,
                                        instance_discovery=False, http_client=http, token_cache=cache)


async def test_a_new_run_on_other_ports_honours_earlier_tokens(tmp_path):
    cache = msal.SerializableTokenCache()
    with SimulatorThread(tmp_path) as first:
        control = SimControl(first.control_url, first.ca_path)
        prepare_tenant(control)
        control.advance_clock(7200)
        app = _msal(first, cache)
        flow = app.initiate_device_flow(scopes=[first.scope])
        control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password, consent_for_org=True)
        old_token = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)["access_token"]
        ca_before = first.ca_path.read_bytes()
        control.close()
    saved_cache = cache.serialize()

    with SimulatorThread(tmp_path) as second:
        assert (second.base_url, second.smtp_port) != (first.base_url, first.smtp_port)
        assert second.ca_path.read_bytes() == ca_before  # the CA was reused
        control = SimControl(second.control_url, second.ca_path)
        state = control.state()
        assert state["policies"]["smtp_auth_org"] is True and state["apps"][0]["admin_consent"] is True
        assert state["clock"]["offset"] == 7200

        # The access token of the first run still authenticates (persisted signing key).
        client = aiosmtplib.SMTP(hostname=second.smtp_host, port=second.smtp_port, start_tls=True,
                                 tls_context=ssl.create_default_context(cafile=str(second.ca_path)))
        await client.connect()
        assert (await client.auth_xoauth2(ADMIN.upn, old_token)).code == 235
        await client.quit()

        # The refresh token of the first run still refreshes, through MSAL's saved cache.
        restored = msal.SerializableTokenCache()
        restored.deserialize(saved_cache)
        app = _msal(second, restored)
        [account] = app.get_accounts()
        fresh = app.acquire_token_silent_with_error([second.scope], account=account, force_refresh=True)
        assert "access_token" in fresh, fresh
        control.close()


def test_pki_is_created_once_and_covers_loopback(tmp_path):
    first = ensure_pki(tmp_path)
    cert_bytes = first.cert_path.read_bytes()
    second = ensure_pki(tmp_path)
    assert second.cert_path.read_bytes() == cert_bytes and second.ca_path.read_bytes() == first.ca_path.read_bytes()
    cert = x509.load_pem_x509_certificate(cert_bytes)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} >= {"127.0.0.1", "::1"}
    cert.verify_directly_issued_by(x509.load_pem_x509_certificate(first.ca_path.read_bytes()))
    assert oct(first.ca_key_path.stat().st_mode & 0o777) == "0o600"
    assert oct(first.key_path.stat().st_mode & 0o777) == "0o600"
    # Asking for another host re-issues the server certificate, with the same CA.
    third = ensure_pki(tmp_path, extra_hosts=("printer-lab.local",))
    assert third.cert_path.read_bytes() != cert_bytes and third.ca_path.read_bytes() == first.ca_path.read_bytes()


def test_an_unreadable_state_file_stops_the_start_and_is_kept(tmp_path):
    (tmp_path / "state.json").write_text("{ not json")
    thread = SimulatorThread(tmp_path)
    with pytest.raises(RuntimeError, match="state.json: the simulator's state is corrupt"):
        thread.start(timeout=30)
    thread.stop()
    assert (tmp_path / "state.json").read_text() == "{ not json"  # never silently reseeded


def test_endpoints_round_trip_through_json(sim):
    text = sim.endpoints.to_json()
    assert "\n" not in text
    assert SimEndpoints.from_json(text) == sim.endpoints
