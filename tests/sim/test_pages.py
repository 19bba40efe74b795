"""The HTML the simulator serves: sign-in pages in two languages, the admin center, escaping."""
from __future__ import annotations

import smtplib
import string
from html.parser import HTMLParser

import pytest

from panel_tui.sim.control_api import is_loopback
from panel_tui.sim.strings import SIGNIN_STRINGS, pick_language

from .conftest import ADMIN, DOMAIN, MEGAN

EVIL = '<script>alert("x")</script>'


class Forms(HTMLParser):
    """The forms of a page: action, and their named inputs/selects with default values."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif tag in ("input", "select") and self.forms and a.get("name"):
            if a.get("type") == "checkbox" and "checked" not in a:
                return  # a browser sends an unticked box not at all
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")

    def find(self, action: str, **hidden: str) -> dict:
        for form in self.forms:
            if form["action"] == action and all(form["fields"].get(k) == v for k, v in hidden.items()):
                return dict(form["fields"])
        raise AssertionError(f"no form {action} {hidden} on the page")


def _admin(sim):
    session = sim.http()
    response = session.post(f"{sim.endpoints.admin_url}/login", data={"upn": ADMIN.upn, "password": ADMIN.password})
    assert response.status_code == 200 and response.url == sim.endpoints.admin_url
    return session


def _submit(session, sim, page: str, action: str, fill: dict | None = None, drop: tuple = (), **hidden: str):
    """Find the form on an admin page and post it as the browser would (`drop`: boxes unticked)."""
    text = session.get(f"{sim.endpoints.base_url}{page}").text
    fields = Forms(text).find(action, **hidden)
    fields.update(fill or {})
    for name in drop:
        fields.pop(name, None)
    return session.post(f"{sim.endpoints.base_url}{action}", data=fields)


# -- sign-in pages -----------------------------------------------------------------------


@pytest.mark.parametrize(("query", "header", "lang"), [
    ("?lang=ro", "en-US", "ro"),
    ("", "ro-RO,ro;q=0.9,en;q=0.8", "ro"),
    ("", "en-GB,en;q=0.9", "en"),
    ("", "fr-FR", "en"),
    ("?lang=en", "ro", "en"),
])
def test_enter_code_page_language(sim, query, header, lang):
    page = sim.http().get(f"{sim.endpoints.verification_uri}{query}", headers={"Accept-Language": header}).text
    assert f'<html lang="{lang}">' in page
    assert SIGNIN_STRINGS[lang]["enter_code_title"] in page
    assert SIGNIN_STRINGS[lang]["next"] in page


def test_whole_sign_in_in_romanian(sim):
    flow = sim.start_flow(sim.msal_app())
    result = sim.control.approve_device_code(flow["user_code"], ADMIN.upn, ADMIN.password,
                                             consent_for_org=True, lang="ro")
    assert result["signed_in"] and result["title"] == "V-ați conectat"


def test_pages_carry_a_strict_content_security_policy(sim):
    response = sim.http().get(sim.endpoints.verification_uri)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in response.text and "style=" not in response.text
    assert sim.http().get(f"{sim.endpoints.base_url}/_assets/signin.css").headers["Content-Type"].startswith("text/css")


def test_typed_values_are_escaped_when_echoed(sim):
    http = sim.http()
    page = http.post(sim.endpoints.verification_uri, data={"otc": f'"><b>{EVIL}', "lang": "en"}).text
    assert EVIL not in page and "&lt;script&gt;" in page and '"><b>' not in page
    flow = sim.start_flow(sim.msal_app())
    account = http.post(sim.endpoints.verification_uri, data={"otc": flow["user_code"], "lang": "en"}).text
    fields = Forms(account).find("/devicelogin/account")
    fields["loginfmt"] = f'x"><img src=x onerror=alert(1)>{EVIL}'
    echoed = http.post(f"{sim.endpoints.verification_uri}/account", data=fields).text
    assert "<img" not in echoed and EVIL not in echoed and "&lt;img" in echoed


def test_steps_cannot_be_skipped_or_forged(sim):
    http = sim.http()
    assert 'data-page="start-over"' in http.post(f"{sim.endpoints.verification_uri}/consent",
                                                 data={"flow": "made-up", "action": "accept"}).text
    flow = sim.start_flow(sim.msal_app())
    account = http.post(sim.endpoints.verification_uri, data={"otc": flow["user_code"]}).text
    flow_id = Forms(account).find("/devicelogin/account")["flow"]
    # Jumping from the account step straight to the permissions step is refused.
    skipped = http.post(f"{sim.endpoints.verification_uri}/consent", data={"flow": flow_id, "action": "accept"}).text
    assert 'data-page="start-over"' in skipped
    assert sim.control.state()["device_codes"][-1]["status"] == "pending"


def test_codes_are_accepted_as_people_type_them(sim):
    flow = sim.start_flow(sim.msal_app())
    code = flow["user_code"]
    typed = f" {code[:3].lower()}-{code[3:6]} {code[6:]} "
    page = sim.http().post(sim.endpoints.verification_uri, data={"otc": typed}).text
    assert 'data-page="account"' in page


# -- admin center ------------------------------------------------------------------------


def test_admin_center_requires_a_global_administrator(sim):
    http = sim.http()
    anonymous = http.get(sim.endpoints.admin_url, allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["Location"] == "/admin/login"
    megan = {"upn": MEGAN.upn, "password": MEGAN.password}
    assert http.post(f"{sim.endpoints.admin_url}/login", data=megan).status_code == 403
    assert http.post(f"{sim.endpoints.admin_url}/login", data={"upn": ADMIN.upn, "password": "nope"}).status_code == 401
    session = _admin(sim)
    cookie = next(c for c in session.cookies if c.name == "sim_admin")
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    overview = session.get(sim.endpoints.admin_url).text
    assert "What the guide needs" in overview
    # Goals with the state now, never a bare fact that reads as done.
    assert ("Turn security defaults off (Microsoft Entra admin center) "
            "<span class=\"muted\">\u2014 now: on</span>") in overview
    assert "Security defaults are off" not in overview


def test_admin_center_changes_the_org_settings_like_the_guide(sim):
    session = _admin(sim)
    _submit(session, sim, "/admin/settings", "/admin/settings", setting="security_defaults", value="off")
    page = session.get(f"{sim.endpoints.base_url}/admin/settings").text
    # Exchange admin center > Settings > Mail flow: the seeded tenant has the box ticked.
    assert Forms(page).find("/admin/settings/mail-flow") == {"turn_off_smtp_auth": "on"}
    assert "Turn off SMTP AUTH protocol for your organization" in page
    saved = _submit(session, sim, "/admin/settings", "/admin/settings/mail-flow", drop=("turn_off_smtp_auth",))
    assert "SMTP AUTH for your organization is on" in saved.text
    answer = _submit(session, sim, "/admin/settings", "/admin/settings", setting="conditional_access_block", value="on")
    policies = sim.control.state()["policies"]
    assert {k: policies[k] for k in ("security_defaults", "smtp_auth_org", "conditional_access_block")} == {
        "security_defaults": False, "smtp_auth_org": True, "conditional_access_block": True}
    assert answer.url.endswith("/admin/settings")  # redirected back to the page, which says what happened
    assert "The conditional access policy: on." in answer.text


def test_admin_center_users_and_mailboxes(sim):
    session = _admin(sim)
    _submit(session, sim, "/admin/users", "/admin/users/add",
            {"upn": "scanner", "display_name": EVIL, "password": "Sim-Scanner-1", "role": ""})
    users = {u["upn"]: u for u in sim.control.state()["users"]}
    assert users[f"scanner@{DOMAIN}"]["display_name"] == EVIL
    page = session.get(f"{sim.endpoints.base_url}/admin/users").text
    assert EVIL not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page

    _submit(session, sim, "/admin/users", "/admin/users/email-apps", {"authenticated_smtp": "on"}, upn=MEGAN.upn)
    _submit(session, sim, "/admin/users", "/admin/users/password", {"password": "Another-Pass-1"}, upn=MEGAN.upn)
    _submit(session, sim, "/admin/users", "/admin/users/revoke", upn=ADMIN.upn)
    users = {u["upn"]: u for u in sim.control.state()["users"]}
    assert users[MEGAN.upn]["smtp_auth"] is True and users[MEGAN.upn]["password_changed"] is True
    assert users[ADMIN.upn]["tokens_valid_from"] > 0

    weak = _submit(session, sim, "/admin/users", "/admin/users/password", {"password": "short"}, upn=MEGAN.upn)
    assert "passwords need 8" in weak.text and 'class="flash error"' in weak.text


def test_admin_center_consent_clock_faults_and_reset(sim):
    session = _admin(sim)
    _submit(session, sim, "/admin/apps", "/admin/apps/consent", granted="on")
    assert sim.control.state()["apps"][0]["admin_consent"] is True
    _submit(session, sim, "/admin/apps", "/admin/apps/consent", granted="off")
    assert sim.control.state()["apps"][0]["admin_consent"] is False

    before = sim.control.now()
    _submit(session, sim, "/admin/trainer", "/admin/trainer/clock", seconds=str(91 * 86400))
    assert sim.control.now() - before >= 91 * 86400
    _submit(session, sim, "/admin/trainer", "/admin/trainer/fault", name="smtp_down", on="on")
    assert sim.control.state()["faults"]["smtp_down"] is True
    _submit(session, sim, "/admin/trainer", "/admin/trainer/reset", confirm="yes")
    state = sim.control.state()
    assert state["faults"]["smtp_down"] is False and state["clock"]["offset"] == 0


def test_admin_center_refuses_cross_site_posts(sim):
    session = _admin(sim)
    response = session.post(f"{sim.endpoints.base_url}/admin/settings",
                            data={"setting": "security_defaults", "value": "off"},
                            headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert sim.control.state()["policies"]["security_defaults"] is True


def test_admin_mail_viewer_escapes_message_headers(sim):
    sim.control.add_user("viewer", "Viewer", "Sim-Viewer-1")
    signin = sim.sign_in(ADMIN)
    sim.open_smtp()
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.ehlo()
        smtp.auth("XOAUTH2", lambda c=None: f"user={ADMIN.upn}\x01auth=Bearer {signin.access_token}\x01\x01")
        smtp.sendmail(ADMIN.upn, [f"viewer@{DOMAIN}"],
                      f"From: {ADMIN.upn}\r\nTo: viewer@{DOMAIN}\r\nSubject: {EVIL}\r\n\r\nhi\r\n".encode())
    page = _admin(sim).get(f"{sim.endpoints.base_url}/admin/mail", params={"mailbox": f"viewer@{DOMAIN}"}).text
    assert EVIL not in page and "&lt;script&gt;" in page


# -- small pieces ------------------------------------------------------------------------


def test_every_sign_in_string_exists_in_both_languages_with_the_same_placeholders():
    en, ro = SIGNIN_STRINGS["en"], SIGNIN_STRINGS["ro"]
    assert en.keys() == ro.keys()
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key in en:
        assert fields(en[key]) == fields(ro[key]), key


def test_accept_language_weights():
    assert pick_language(None, None, "en;q=0.5, ro;q=0.8") == "ro"
    assert pick_language(None, None, "ro;q=0, en") == "en"
    assert pick_language("ro", None, "en") == "ro"
    assert pick_language(None, "en", "ro") == "en"
    assert pick_language(None, None, None) == "en"


def test_control_api_is_for_loopback_only():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("127.8.9.10")
    assert not is_loopback("192.168.1.20") and not is_loopback(None) and not is_loopback("garbage")


def test_manage_email_apps_checkbox_and_the_tri_state_powershell_view(sim):
    session = _admin(sim)
    page = session.get(f"{sim.endpoints.base_url}/admin/users").text
    assert Forms(page).find("/admin/users/email-apps", upn=MEGAN.upn) == {"upn": MEGAN.upn}  # follows org: off
    assert "$null (follows the organisation)" in page
    _submit(session, sim, "/admin/users", "/admin/users/email-apps", {"authenticated_smtp": "on"}, upn=MEGAN.upn)
    _submit(session, sim, "/admin/users", "/admin/users/email-apps", drop=("authenticated_smtp",), upn=MEGAN.upn)
    assert {u["upn"]: u["smtp_auth"] for u in sim.control.state()["users"]}[MEGAN.upn] is False
    _submit(session, sim, "/admin/users", "/admin/users/smtp-auth", upn=MEGAN.upn, smtp_auth="default")
    assert {u["upn"]: u["smtp_auth"] for u in sim.control.state()["users"]}[MEGAN.upn] is None


def test_basic_auth_panel_shows_microsofts_dates_and_re_enables_after_the_cutoff(sim):
    session = _admin(sim)
    page = session.get(f"{sim.endpoints.base_url}/admin/settings").text
    for words in ("MC786329", "27 January 2026", "Through December 2026", "End of December 2026",
                  "Tenants created after December 2026", "Second half of 2027", "550 5.7.30"):
        assert words in page
    _submit(session, sim, "/admin/trainer", "/admin/trainer/clock", past_basic_cutoff="yes")
    assert sim.control.state()["basic_smtp_auth"]["state"] == "off_by_default"
    assert Forms(session.get(f"{sim.endpoints.base_url}/admin/settings").text).find("/admin/settings/basic-auth") == {}
    saved = _submit(session, sim, "/admin/settings", "/admin/settings/basic-auth", {"allow_basic": "on"})
    assert "Basic authentication for SMTP AUTH: allowed." in saved.text
    assert sim.control.state()["basic_smtp_auth"]["state"] == "re_enabled"
    _submit(session, sim, "/admin/settings", "/admin/settings/basic-auth", follow="yes")
    assert sim.control.state()["basic_smtp_auth"]["state"] == "off_by_default"


def test_shared_mailbox_send_as_and_sender_verdict_from_the_admin_center(sim):
    session = _admin(sim)
    _submit(session, sim, "/admin/users", "/admin/users/shared", {"upn": "scans", "display_name": "Scans"})
    shared = f"scans@{DOMAIN}"
    _submit(session, sim, "/admin/users", "/admin/users/send-as", {"trustee": MEGAN.upn}, upn=shared, granted="on")
    users = {u["upn"]: u for u in sim.control.state()["users"]}
    assert users[shared]["shared"] is True and users[shared]["send_as"] == [MEGAN.upn]
    _submit(session, sim, "/admin/trainer", "/admin/trainer/sender", {"upn": MEGAN.upn, "block": "banned"})
    assert {u["upn"]: u["sender_block"] for u in sim.control.state()["users"]}[MEGAN.upn] == "banned"


def test_smtp_auth_clients_report_lists_senders_by_protocol(sim):
    sim.open_smtp()
    with smtplib.SMTP(sim.endpoints.smtp_host, sim.endpoints.smtp_port, timeout=10) as smtp:
        smtp.starttls(context=sim.tls_context())
        smtp.login(MEGAN.upn, MEGAN.password)
        smtp.sendmail(MEGAN.upn, [ADMIN.upn], b"Subject: hi\r\n\r\nhello\r\n")
    session = _admin(sim)
    for days in ("7", "30"):
        page = session.get(f"{sim.endpoints.base_url}/admin/reports?days={days}").text
        assert "SMTP AUTH clients submission report" in page
        row = page.split('id="smtp-auth-report"', 1)[1]
        assert MEGAN.upn in row and ">Basic<" in row and "<td>1</td>" in row
