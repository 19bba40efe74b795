"""The sign-in pages driven once in a real headless Chromium, in English and in Romanian.

Chromium comes from Debian (``apt-get install chromium``; ``.ci/run`` installs it) and is
driven by Playwright for Python through ``executable_path``, so no browser download is
needed. Without Chromium this test is skipped, with that instruction as the reason.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.helpers.processes import chromium_path

from .conftest import ADMIN

# One Chromium for the module's tests (a launch costs more CPU than a sign-in): they stay on
# one worker under pytest-xdist and run one after the other there.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("sim_browser")]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

PAGES = {
    "en": {"code": "Enter code", "next": "Next", "password": "Enter password", "sign_in": "Sign in",
           "permissions": "Permissions requested", "org": "Consent on behalf of your organization",
           "accept": "Accept", "done": "You have signed in", "mfa": "Approve sign in request",
           "number": "Enter the number shown to sign in.", "yes": "Yes", "no": "No, it's not me",
           "continue": "Continue", "denied": "Request denied"},
    "ro": {"code": "Introduceți codul", "next": "Înainte", "password": "Introduceți parola",
           "sign_in": "Autentificare", "permissions": "Permisiuni solicitate",
           "org": "Consimțământ în numele organizației", "accept": "Accept", "done": "V-ați conectat",
           "mfa": "Aprobați solicitarea de conectare", "number": "Introduceți numărul afișat pentru a vă conecta.",
           "yes": "Da", "no": "Nu, nu sunt eu", "continue": "Continuare", "denied": "Solicitare refuzată"},
}


def _spki_pin(cert_path: Path) -> str:
    """Chromium's --ignore-certificate-errors-spki-list value: trust exactly this key."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def browser(sim_thread, sim_data_dir):
    """Headless Chromium trusting exactly the module's simulator's key; closed after the module."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: pip install playwright")
    pin = _spki_pin(sim_data_dir / "pki" / "server.pem")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={pin}"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_sign_in_pages_in_a_real_browser(sim, browser, tmp_path, lang):
    from playwright import sync_api

    words = PAGES[lang]
    app = sim.msal_app()
    flow = sim.start_flow(app)
    # The language comes from the browser's Accept-Language, as for a person.
    context = browser.new_context(locale="ro-RO" if lang == "ro" else "en-US")
    try:
        page = context.new_page()
        expect = sync_api.expect  # retries until the next page is there
        heading = page.locator("h1")
        page.goto(flow["verification_uri"])
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(heading).to_have_text(words["code"])
        page.fill("#otc", flow["user_code"].lower())
        page.get_by_role("button", name=words["next"]).click()
        page.fill("#loginfmt", ADMIN.upn)
        page.get_by_role("button", name=words["next"]).click()
        expect(heading).to_have_text(words["password"])
        page.fill("#passwd", ADMIN.password)
        page.get_by_role("button", name=words["sign_in"]).click()
        # Security defaults (the seeded tenant): the administrator answers Authenticator's number match.
        expect(heading).to_have_text(words["mfa"])
        number = page.locator("#mfa-number").inner_text().strip()
        assert number.isdigit() and len(number) == 2
        phone = context.new_page()  # the simulated Authenticator app
        phone.goto(f"{sim.endpoints.base_url}/authenticator?upn={ADMIN.upn}")
        phone.get_by_label(words["number"]).fill(number)
        phone.get_by_role("button", name=words["yes"]).click()
        expect(phone.locator("[role=status]")).to_have_attribute("data-status", "approved")
        page.get_by_role("button", name=words["continue"]).click()
        expect(heading).to_have_text(words["permissions"])
        page.get_by_label(words["org"]).check()
        page.screenshot(path=str(tmp_path / f"permissions-{lang}.png"), full_page=True)
        page.get_by_role("button", name=words["accept"]).click()
        expect(heading).to_have_text(words["done"])
        expect(page.locator("main")).to_have_attribute("data-page", "signed-in")
        page.screenshot(path=str(tmp_path / f"signed-in-{lang}.png"), full_page=True)
    finally:
        context.close()  # a fresh profile for the next test: no cookies, no cache
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    assert "access_token" in result, result
    assert sim.control.state()["apps"][0]["admin_consent"] is True


def test_admin_center_sign_in_and_a_setting_in_a_real_browser(sim, browser):
    """Browsers send Origin on form posts; the admin center must accept its own."""
    from playwright import sync_api

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(sim.endpoints.admin_url)
        page.fill("#upn", ADMIN.upn)
        page.fill("#password", ADMIN.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(sim.endpoints.admin_url)
        page.get_by_role("link", name="Org settings").click()
        sync_api.expect(page.locator("h1")).to_have_text("Org settings")
        page.get_by_role("button", name="Turn off").first.click()
        sync_api.expect(page.locator(".flash")).to_have_text("Security defaults: off.")
    finally:
        context.close()
    assert sim.control.state()["policies"]["security_defaults"] is False


def test_admin_center_controls_by_microsofts_words_in_a_real_browser(sim, browser):
    """Exchange admin center > Settings > Mail flow's checkbox, Manage email apps' Authenticated
    SMTP, and Reports > SMTP AUTH clients, driven by their words as an administrator would."""
    from playwright import sync_api

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(sim.endpoints.admin_url)
        page.fill("#upn", ADMIN.upn)
        page.fill("#password", ADMIN.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(sim.endpoints.admin_url)
        page.get_by_role("link", name="Org settings").click()
        box = page.get_by_label("Turn off SMTP AUTH protocol for your organization")
        sync_api.expect(box).to_be_checked()
        box.uncheck()
        page.locator("#mail-flow").get_by_role("button", name="Save").click()
        sync_api.expect(page.locator(".flash")).to_have_text(
            "Mail flow settings saved: SMTP AUTH for your organization is on.")
        sync_api.expect(page.get_by_label("Turn off SMTP AUTH protocol for your organization")).not_to_be_checked()
        page.get_by_role("link", name="Users and mailboxes").click()
        megan = page.get_by_label("Authenticated SMTP for megan@contoso.onmicrosoft.com")
        sync_api.expect(megan).to_be_checked()  # follows the organisation, now on
        megan.uncheck()
        page.locator("form[action='/admin/users/email-apps']").filter(has=megan).get_by_role(
            "button", name="Save changes").click()
        sync_api.expect(page.locator(".flash")).to_contain_text("Authenticated SMTP off")
        page.get_by_role("link", name="Reports").click()
        sync_api.expect(page.locator("#smtp-auth-report")).to_contain_text("No SMTP AUTH submissions")
        page.get_by_role("link", name="Last 30 days").click()
        sync_api.expect(page.locator("#smtp-auth-report")).to_contain_text("last 30 days")
    finally:
        context.close()
    state = sim.control.state()
    assert state["policies"]["smtp_auth_org"] is True
    assert {u["upn"]: u["smtp_auth"] for u in state["users"]}["megan@contoso.onmicrosoft.com"] is False


def test_a_denied_authenticator_request_ends_the_sign_in_with_entras_answer(sim, browser):
    from playwright import sync_api

    words = PAGES["en"]
    app = sim.msal_app()
    flow = sim.start_flow(app)
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(flow["verification_uri"])
        page.fill("#otc", flow["user_code"])
        page.get_by_role("button", name=words["next"]).click()
        page.fill("#loginfmt", ADMIN.upn)
        page.get_by_role("button", name=words["next"]).click()
        page.fill("#passwd", ADMIN.password)
        page.get_by_role("button", name=words["sign_in"]).click()
        sync_api.expect(page.locator("h1")).to_have_text(words["mfa"])
        phone = context.new_page()
        phone.goto(f"{sim.endpoints.base_url}/authenticator?upn={ADMIN.upn}")
        phone.get_by_role("button", name=words["no"]).click()
        sync_api.expect(phone.locator("[role=status]")).to_have_attribute("data-status", "denied")
        page.get_by_role("button", name=words["continue"]).click()
        sync_api.expect(page.locator("h1")).to_have_text(words["denied"])
        sync_api.expect(page.locator("main")).to_have_attribute("data-error", "AADSTS500121")
    finally:
        context.close()
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda f: True)
    assert result["error"] == "access_denied" and 500121 in result["error_codes"]
    assert "Authentication failed during strong authentication request" in result["error_description"]
