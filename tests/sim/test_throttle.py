"""Throttling as Entra does it: smart lockout at the sign-in pages and the admin center,
and a rate limit on device code requests."""
from __future__ import annotations

import re

from panel_tui.sim.strings import SIGNIN_STRINGS
from panel_tui.sim.throttle import DEVICE_CODE_BURST, LOCKOUT_THRESHOLD

from .conftest import ADMIN, MEGAN


def _user_code(sim) -> str:
    return sim.start_flow(sim.msal_app())["user_code"]


def _password_page(sim, user_code: str, upn: str, password: str, lang: str = "en") -> str:
    """Walk code > account > password with plain form posts; the password page's HTML."""
    http = sim.http()
    base = sim.endpoints.base_url
    page = http.post(f"{base}/devicelogin", data={"otc": user_code, "lang": lang}).text
    flow = re.search(r'name="flow" value="([^"]+)"', page).group(1)
    http.post(f"{base}/devicelogin/account", data={"loginfmt": upn, "lang": lang, "flow": flow})
    return http.post(f"{base}/devicelogin/password", data={"passwd": password, "lang": lang, "flow": flow}).text


def test_ten_wrong_passwords_lock_the_account_until_the_lockout_ends(sim):
    code = _user_code(sim)
    errors = [sim.control.approve_device_code(code, MEGAN.upn, f"Wrong-{i}")["error"]
              for i in range(LOCKOUT_THRESHOLD)]
    assert errors == ["AADSTS50126"] * (LOCKOUT_THRESHOLD - 1) + ["AADSTS50053"]
    # locked: even the right password is refused, with Entra's words
    right = sim.control.approve_device_code(code, MEGAN.upn, MEGAN.password)
    assert (right["page"], right["error"]) == ("password", "AADSTS50053")
    html = _password_page(sim, code, MEGAN.upn, MEGAN.password)
    assert SIGNIN_STRINGS["en"]["account_locked"] in html
    assert 'data-error="AADSTS50053"' in html
    # other accounts are not affected
    approved = sim.control.approve_device_code(_user_code(sim), ADMIN.upn, ADMIN.password, consent_for_org=True)
    assert approved["signed_in"]
    sim.control.advance_clock(61)  # the first lockout lasts 60 s (simulated clock)
    assert sim.control.approve_device_code(code, MEGAN.upn, MEGAN.password)["signed_in"]


def test_the_same_wrong_password_again_does_not_count(sim):
    code = _user_code(sim)
    for _ in range(LOCKOUT_THRESHOLD * 2):
        assert sim.control.approve_device_code(code, MEGAN.upn, "Same-Typo-1")["error"] == "AADSTS50126"


def test_lockout_page_in_romanian(sim):
    code = _user_code(sim)
    for i in range(LOCKOUT_THRESHOLD):
        sim.control.approve_device_code(code, MEGAN.upn, f"Wrong-{i}", lang="ro")
    html = _password_page(sim, code, MEGAN.upn, MEGAN.password, lang="ro")
    assert SIGNIN_STRINGS["ro"]["account_locked"] in html and 'lang="ro"' in html


def test_a_second_lockout_lasts_longer(sim):
    sim.control.grant_admin_consent(sim.endpoints.client_id)
    code = _user_code(sim)
    for i in range(LOCKOUT_THRESHOLD):
        sim.control.approve_device_code(code, MEGAN.upn, f"Wrong-{i}")
    sim.control.advance_clock(61)
    for i in range(LOCKOUT_THRESHOLD):
        sim.control.approve_device_code(code, MEGAN.upn, f"Again-{i}")
    sim.control.advance_clock(61)
    assert sim.control.approve_device_code(code, MEGAN.upn, MEGAN.password)["error"] == "AADSTS50053"
    sim.control.advance_clock(60)
    assert sim.control.approve_device_code(code, MEGAN.upn, MEGAN.password)["signed_in"]


def test_admin_center_wrong_passwords_lock_the_account(sim):
    http = sim.http()
    login = f"{sim.endpoints.admin_url}/login"
    statuses = [http.post(login, data={"upn": ADMIN.upn, "password": f"Wrong-{i}"}) for i in range(LOCKOUT_THRESHOLD)]
    assert [r.status_code for r in statuses] == [401] * LOCKOUT_THRESHOLD
    assert "AADSTS50053" not in statuses[-2].text and "AADSTS50053" in statuses[-1].text
    right = http.post(login, data={"upn": ADMIN.upn, "password": ADMIN.password})
    assert right.status_code == 401 and "temporarily locked" in right.text
    # one count per account: the sign-in pages see the same lockout
    assert sim.control.approve_device_code(_user_code(sim), ADMIN.upn, ADMIN.password)["error"] == "AADSTS50053"
    sim.control.advance_clock(61)
    ok = http.post(login, data={"upn": ADMIN.upn, "password": ADMIN.password})
    assert ok.status_code == 200 and ok.url == sim.endpoints.admin_url


def test_device_code_requests_are_rate_limited_per_client(sim):
    http = sim.http()
    url = f"{sim.endpoints.authority}/oauth2/v2.0/devicecode"
    form = {"client_id": sim.endpoints.client_id, "scope": sim.endpoints.scope}
    answers = [http.post(url, data=form) for _ in range(DEVICE_CODE_BURST + 1)]
    assert {a.status_code for a in answers[:-1]} == {200}
    throttled = answers[-1]
    assert throttled.status_code == 429
    body = throttled.json()
    assert body["error_codes"] == [90055] and body["error_description"].startswith("AADSTS90055:")
    assert int(throttled.headers["Retry-After"]) >= 1
    sim.control.reset()  # a trainer's reset clears the counters
    assert http.post(url, data=form).status_code == 200
