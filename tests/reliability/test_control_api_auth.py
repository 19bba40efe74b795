"""The control API as an exposed server: no call without the bearer secret, no call from a web
page of another origin (a cross-origin `text/plain` POST once reset the tenant)."""
from __future__ import annotations

import pytest
import requests

from panel_tui.sim.control import SimControl, SimControlError


@pytest.fixture
def api(sim_thread, sim_control):
    """A raw HTTPS session to the shared simulator (no secret), and the secret."""
    endpoints = sim_thread.endpoints
    session = requests.Session()
    session.trust_env = False
    session.verify = str(endpoints.ca_path)
    yield endpoints, session, endpoints.control_secret_path.read_text().strip()
    session.close()


def test_a_request_without_the_secret_is_refused_401(api, sim_control):
    endpoints, session, _ = api
    before = sim_control.state()["policies"]
    for method, path, body in [("GET", "/state", None), ("POST", "/reset", None), ("GET", "/mailboxes/megan@x", None),
                               ("POST", "/policies", {"security_defaults": False}), ("GET", "/clock", None)]:
        reply = session.request(method, endpoints.control_url + path, json=body, timeout=10)
        assert reply.status_code == 401, (path, reply.text)
        assert "secret" in reply.json()["error"] and reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert sim_control.state()["policies"] == before


def test_a_wrong_secret_is_refused_403(api):
    endpoints, session, secret = api
    reply = session.post(endpoints.control_url + "/reset", timeout=10,
                         headers={"Authorization": "Bearer " + "x" * len(secret)})
    assert reply.status_code == 403 and reply.json()["error"] == "wrong control API secret"


def test_a_web_page_of_another_origin_is_refused_even_with_the_secret(api, sim_control):
    endpoints, session, secret = api
    sim_control.set_security_defaults(False)
    bearer = {"Authorization": f"Bearer {secret}"}
    # What a hostile page's fetch() sends without a preflight: text/plain, its own Origin.
    forged = session.post(endpoints.control_url + "/policies", data='{"security_defaults": true}', timeout=10,
                          headers={"Content-Type": "text/plain", "Origin": "https://evil.example"})
    assert forged.status_code == 403 and "another origin" in forged.json()["error"]
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        reply = session.post(endpoints.control_url + "/reset", headers={**bearer, **headers}, timeout=10)
        assert reply.status_code == 403, headers
    assert sim_control.state()["policies"]["security_defaults"] is False  # nothing changed
    same_origin = session.get(endpoints.control_url + "/clock", timeout=10,
                              headers={**bearer, "Origin": endpoints.base_url, "Sec-Fetch-Site": "same-origin"})
    assert same_origin.status_code == 200


def test_what_a_joining_panel_needs_is_public(api):
    endpoints, session, _ = api
    assert session.get(endpoints.control_url + "/endpoints", timeout=10).json()["base_url"] == endpoints.base_url
    pem = session.get(endpoints.control_url + "/ca.pem", timeout=10).text
    assert pem == endpoints.ca_path.read_text()
    assert "BEGIN CERTIFICATE" in pem and "PRIVATE" not in pem
    assert session.post(endpoints.control_url + "/endpoints", timeout=10).status_code == 401


def test_the_secret_file_is_private_and_sim_control_reads_it(sim_thread):
    endpoints = sim_thread.endpoints
    assert oct(endpoints.control_secret_path.stat().st_mode & 0o777) == "0o600"
    with SimControl.for_endpoints(endpoints) as control:
        assert control.now() > 0
    missing = endpoints.ca_path.parent / "no-such-file"
    with (SimControl(endpoints.control_url, endpoints.ca_path, secret_path=missing) as wrong,
          pytest.raises(SimControlError) as refused):
        wrong.now()
    assert refused.value.status == 401 and "looked for it in" in str(refused.value)


def test_a_non_finite_clock_move_is_refused(api, sim_control):
    endpoints, session, secret = api
    before = sim_control.now()
    for value in ("NaN", "Infinity", "1e308", "-5"):
        reply = session.post(endpoints.control_url + "/clock", data=f'{{"advance": {value}}}', timeout=10,
                             headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        assert reply.status_code == 400 and "'advance' must be" in reply.json()["error"], value
    assert sim_control.now() - before < 3600


@pytest.mark.parametrize("path", ["/clock", "/faults", "/policies"])
def test_a_body_nested_too_deeply_is_a_json_400_not_a_bare_500(api, path):
    endpoints, session, secret = api
    reply = session.post(endpoints.control_url + path, data=b"[" * 50_000, timeout=10,
                         headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    assert reply.status_code == 400 and reply.json() == {"error": "invalid JSON: nested too deeply"}


def test_a_method_the_control_api_does_not_take_is_a_json_405(api):
    endpoints, session, secret = api
    reply = session.get(endpoints.control_url + "/faults", timeout=10, headers={"Authorization": f"Bearer {secret}"})
    assert reply.status_code == 405 and reply.json() == {"error": "Method Not Allowed"}
    assert reply.headers["Allow"] == "POST"
