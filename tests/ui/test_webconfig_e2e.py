"""Web Config end to end: real MSAL device code sign-in and real SMTP through the simulator.

The person at the browser is SimControl.approve_device_code, reading the code from the
"Sign in with Microsoft" screen. Nothing sleeps: the tests wait for the workers.
"""
from __future__ import annotations

import pytest
import requests
from textual.widgets import Input, Select

from panel_tui import scenarios
from panel_tui.lesson import observe
from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE
from panel_tui.ui.webconfig import WebConfigScreen
from panel_tui.ui.webconfig.qr_text import signin_address
from tests.helpers.panel import (
    ADMIN,
    MEGAN,
    PRINTER,
    choose_oauth2,
    click,
    open_webconfig,
    sign_in_as,
    start_sign_in,
)
from tests.helpers.screen import screen_text, shown_words, text_of
from tests.helpers.tenant import prepare_tenant


async def test_guide_sign_in_ok_then_connection_check(make_e2e_app, sim_control):
    prepare_tenant(sim_control)
    app = make_e2e_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        modal = await sign_in_as(app, pilot, sim_control, ADMIN, consent_for_org=True)
        assert text_of(app, "#signin-outcome") == "You have signed in."
        assert f"Account: {ADMIN.upn}" in text_of(app, "#signin-outcome-fix")
        assert modal.result.ok
        await click(pilot, "#signin-close")
        assert isinstance(app.screen, WebConfigScreen)
        assert text_of(app, "#email_server-status") == "Signed in"
        assert text_of(app, "#email_server-account-signed-in") == ADMIN.upn
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "email_server-ok"  # the next step: OK
        assert app.screen.query_one("#email_server-signout").display
        assert app.screen.query_one("#email_server-pending").has_class("-shown")
        assert (app.printer.signin_info().state == "not_signed_in"
                or app.printer.settings.email_server.auth_method.value != "oauth2")
        await click(pilot, "#email_server-ok")
        assert app.printer.settings.email_server.auth_method.value == "oauth2"
        assert app.printer.signin_info().state == "signed_in"
        await click(pilot, "#connection-check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        outcome = text_of(app, "#check-outcome")
        assert outcome.startswith("Connection test was successful.")
        [job] = app.printer.joblog.jobs()
        assert (job.job_type, job.result) == ("connection_check", "ok")
        tokens = app.printer.paths.token_cache_file.read_text()
        assert "eyJ" in tokens and "eyJ" not in shown_words(app)


async def test_signed_in_but_not_applied_fails_with_360(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control)
    sim_control.grant_admin_consent(sim_thread.endpoints.client_id)
    app = make_e2e_app("ro")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        await sign_in_as(app, pilot, sim_control, PRINTER)
        await click(pilot, "#signin-close")
        assert text_of(app, "#email_server-status") == "Autentificat"  # Web Config: Signed in ...
        outcome = await app.backend.jobs.test_mail(MEGAN.upn)  # ... but OK was never clicked
        assert outcome.job.error_code == 360
        app.screen.query_one("#test-mail-to", Input).value = MEGAN.upn
        await click(pilot, "#send-test-mail")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = text_of(app, "#check-outcome")
        assert app.t("cause.auth_method_not_oauth2.message") in shown
        assert "360" in shown and "Pentru a utiliza această funcție" in shown
        assert sim_control.mailbox(MEGAN.upn) == []


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_declined_consent_is_shown_with_its_fix(make_e2e_app, sim_control, lang):
    app = make_e2e_app(lang)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        modal = await sign_in_as(app, pilot, sim_control, ADMIN, consent_for_org=True, accept=False)
        assert modal.result.outcome == "declined"
        assert text_of(app, "#signin-outcome") == app.t("signin.outcome.declined")
        assert app.t("webconfig.signin.declined_fix") in text_of(app, "#signin-outcome-fix")
        assert modal.query_one("#signin-microsoft").display  # can try again
        await pilot.press("escape")
        assert not app.screen.query_one("#email_server-status").display  # no Current Status: Sign In


async def test_conditional_access_block_is_shown_with_its_fix(make_e2e_app, sim_control):
    sim_control.set_conditional_access_block(True)
    app = make_e2e_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        modal = await sign_in_as(app, pilot, sim_control, ADMIN, consent_for_org=True)
        assert modal.result.outcome == "blocked"
        assert text_of(app, "#signin-outcome") == "The sign-in was blocked by a conditional access policy."
        fix = text_of(app, "#signin-outcome-fix")
        assert "Check the conditional access policies in Microsoft Entra ID." in fix and "AADSTS53003" in fix


async def test_cancel_stops_the_flow_and_no_thread_keeps_polling(make_e2e_app, sim_control):
    app = make_e2e_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        modal = await start_sign_in(app, pilot)
        flow, waiting = modal.flow, modal.answer_wait
        assert waiting.is_running
        await click(pilot, "#signin-cancel")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert flow.cancelled and waiting.is_finished
        assert waiting.result.outcome == "cancelled"
        assert isinstance(app.screen, WebConfigScreen)  # closed once the thread had stopped
        assert all(worker.is_finished for worker in app.workers)
        # The code is dead for the printer: approving it now signs nobody in.
        sim_control.approve_device_code(flow.user_code, ADMIN.upn, ADMIN.password, consent_for_org=True)
        assert not app.screen.query_one("#email_server-status").display


async def test_fax_server_signs_in_with_its_own_role(make_e2e_app, sim_control, sim_thread):
    sim_control.grant_admin_consent(sim_thread.endpoints.client_id)
    app = make_e2e_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot, "fax_email_server")
        assert text_of(app, ".wc-heading") == "Fax Server > Email Server Settings"
        await choose_oauth2(app, pilot, "fax_email_server")
        modal = await sign_in_as(app, pilot, sim_control, MEGAN, section="fax_email_server")
        assert modal.result.ok and modal.flow is None
        await click(pilot, "#signin-close")
        assert text_of(app, "#fax_email_server-status") == "Signed in"
        session = app.backend.session_for(app.screen.query_one("#fax-server-form").pending)
        assert session.signin_info(FAX_EMAIL_SERVER_ROLE).account == MEGAN.upn
        assert session.signin_info(EMAIL_SERVER_ROLE).state == "not_signed_in"
        await click(pilot, "#fax_email_server-ok")
        assert app.printer.settings.fax_email_server.auth_method.value == "oauth2"
        assert app.printer.settings.email_server.auth_method.value == "off"
        # Sign Out deletes the fax sign-in on purpose, after a confirmation.
        await click(pilot, "#fax_email_server-signout")
        await click(pilot, "#yes")
        assert not app.screen.query_one("#fax_email_server-status").display
        assert session.signin_info(FAX_EMAIL_SERVER_ROLE).state == "not_signed_in"


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_saved_but_not_applied_opens_web_config_showing_oauth2_and_signed_in(make_e2e_app, lang):
    """The guide's 360 case as its page shows it: OAuth2, Current Status Signed in, OK not clicked."""
    app = make_e2e_app(lang)
    scenarios.run_scenario("saved-but-not-applied", app.printer, app.backend)
    assert app.printer.settings.email_server.auth_method.value == "off"  # the printer: old settings
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, WebConfigScreen)  # the scenario starts on the page
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#email_server-auth_method", Select).value == "oauth2"
        assert app.screen.query_one("#email_server-email_service", Select).value == "exchange_online"
        assert text_of(app, "#email_server-status") == app.t("value.signin.signed_in")
        assert app.t("field.current_status") in screen_text(app)
        assert app.screen.query_one("#email_server-pending").has_class("-shown")
        assert observe(app.printer, app.backend).current == "applied"  # the lesson: click OK
        await click(pilot, "#email_server-ok")
        assert app.printer.settings.email_server.auth_method.value == "oauth2"
        assert (await app.backend.jobs.connection_check()).ok


async def test_the_sign_in_address_opens_the_simulators_page_in_the_panels_language(make_e2e_app, sim_thread):
    """A Romanian class: the URL shown (and in the QR code) opens the sign-in page in Romanian even
    when the browser asks for English first; a browser that prefers Romanian gets it as well."""
    app = make_e2e_app("ro")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await choose_oauth2(app, pilot)
        modal = await start_sign_in(app, pilot)
        shown, plain_uri = text_of(app, "#signin-url"), modal.flow.verification_uri
        assert shown == signin_address(app, plain_uri) and shown.endswith("?lang=ro")
        await click(pilot, "#signin-cancel")
        await app.workers.wait_for_complete()
    with requests.Session() as browser:
        browser.trust_env = False
        browser.verify = str(sim_thread.endpoints.ca_path)
        page = browser.get(shown, headers={"Accept-Language": "en-US,en;q=0.9"}, timeout=10).text
        assert "Introduceți codul" in page
        plain = browser.get(plain_uri, headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"},
                            timeout=10).text
        assert "Introduceți codul" in plain
