"""End to end on the panel: real MSAL sign-in, real SMTP through the embedded simulator.

The person in the browser is played by SimControl.approve_device_code (it submits the
sign-in pages' forms as a browser does). Nothing here waits on wall-clock time.
"""
from __future__ import annotations

import shutil

import pytest
from textual.widgets import Button

from panel_tui import scenarios
from panel_tui.ui.dialogs import NoticeScreen
from panel_tui.ui.inbox import InboxScreen
from panel_tui.ui.jobs import JobDetailScreen, JobStatusScreen
from panel_tui.ui.panel_signin import PanelSignInScreen
from panel_tui.ui.screen_recipe import screens_loaded
from panel_tui.ui.send_screen import SendScreen
from panel_tui.ui.to_my_email import ToMyEmailScreen
from tests.helpers.panel import ADMIN, ALEX, MEGAN, PRINTER, oauth_settings, send_scan, sign_in
from tests.helpers.screen import dialog_text
from tests.helpers.tenant import prepare_tenant


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_scan_to_email_arrives_with_its_pdf(make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app(lang)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))  # OK in Web Config: the settings are applied
    async with app.run_test(size=(100, 30)) as pilot:
        notice = await send_scan(app, pilot, MEGAN.upn)
        assert ("Sent" if lang == "en" else "Trimis") in dialog_text(notice)
    inbox = sim_control.mailbox(MEGAN.upn)
    assert len(inbox) == 1
    assert inbox[0]["from"].endswith(PRINTER.upn) or PRINTER.upn in inbox[0]["from"]
    assert [a["content_type"] for a in inbox[0]["attachments"]] == ["application/pdf"]
    # The scanned mail's subject is in the panel's language.
    assert inbox[0]["subject"] == ("Scanned document" if lang == "en" else "Document scanat")
    job = app.printer.joblog.jobs()[0]
    assert (job.job_type, job.result, job.error_code) == ("scan_to_email", "ok", None)


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "To use this feature, you must sign in to the email service. Please contact the administrator."),
    ("ro", "Pentru a utiliza această funcție, trebuie să vă conectați la serviciul de e-mail. "
           "Vă rugăm să contactați administratorul."),
])
async def test_not_signed_in_is_360_with_the_guides_message(make_e2e_app, sim_control, sim_thread, lang, message):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app(lang)
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(100, 30)) as pilot:
        notice = await send_scan(app, pilot, MEGAN.upn)
        text = dialog_text(notice)
        assert "360" in text and message in text
    assert sim_control.mailbox(MEGAN.upn) == []
    job = app.printer.joblog.jobs()[0]
    assert (job.result, job.error_code) == ("error", 360)


async def test_signed_in_but_never_applied_fails_like_the_guide_says(make_e2e_app, sim_control, sim_thread):
    """Web Config signed in, OK never clicked: the printer still uses its old settings."""
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok  # signed in with pending settings only
    async with app.run_test(size=(100, 30)) as pilot:
        notice = await send_scan(app, pilot, MEGAN.upn)
        assert "360" in dialog_text(notice)
    assert sim_control.mailbox(MEGAN.upn) == []


async def test_connection_check_and_email_server_status(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(100, 30)) as pilot:
        for node in ("settings", "general_settings", "network_settings", "network_status", "email_server_status"):
            app.open_node(node)
            await pilot.pause()
        rows = {str(r.query_one(".status-label").render()): str(r.query_one(".status-value").render())
                for r in app.screen.query(".status-row")}
        assert rows["Current Status"] == "Signed in"
        await pilot.press("h")
        for node in ("settings", "general_settings", "network_settings", "advanced", "email_server",
                     "connection_check"):
            app.open_node(node)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Connection test was successful." in dialog_text(app.screen)
    assert app.printer.joblog.jobs()[0].job_type == "connection_check"


async def test_smtp_auth_disabled_for_the_mailbox_names_the_fix(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    sim_control.set_smtp_auth_mailbox(PRINTER.upn, False)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(100, 30)) as pilot:
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
    assert "312" in text and "disabled for the Mailbox" in text
    assert "Microsoft 365 admin center, enable SMTP AUTH" in text and "Microsoft 365 administrator" in text


async def test_invalid_recipient_is_refused_before_any_job(make_e2e_app):
    app = make_e2e_app("en")
    async with app.run_test(size=(100, 30)) as pilot:
        for node in ("scan", "scan_to_email"):
            app.open_node(node)
            await pilot.pause()
        await pilot.press(*"megan(at)contoso", "enter")
        assert isinstance(app.screen, SendScreen)
        assert str(app.screen.query_one("#edit-error").render())
    assert app.printer.joblog.jobs() == []


async def test_dropped_mid_data_is_kept_and_retried_from_job_status(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    sim_control.set_fault("smtp_drop_mid_data", True)
    async with app.run_test(size=(100, 30)) as pilot:
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert "313" in text
        sim_control.set_fault("smtp_drop_mid_data", False)
        await pilot.press("enter", "escape", "j")
        assert isinstance(app.screen, JobStatusScreen)
        await screens_loaded(pilot)
        await pilot.press("enter")
        assert isinstance(app.screen, JobDetailScreen)
        assert "R" in str(app.screen.query_one("#hint-bar").render())
        await pilot.press("r")  # unconfirmed: the panel warns that it may have arrived, and asks
        assert "may already have arrived" in dialog_text(app.screen)
        await pilot.click("#yes")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Sent" in dialog_text(app.screen)
    inbox = sim_control.mailbox(MEGAN.upn)
    assert len(inbox) == 1 and inbox[0]["attachments"][0]["content_type"] == "application/pdf"
    results = [(j.result, j.error_code) for j in app.printer.joblog.jobs()]
    # newest first; the failed row stays as it ended: its data went out unanswered, so unconfirmed
    assert results == [("ok", None), ("unconfirmed", 313)]


async def test_inbox_viewer_shows_the_message(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(120, 36)) as pilot:
        await send_scan(app, pilot, ALEX.upn)
        await pilot.press("enter", "escape", "i")
        assert isinstance(app.screen, InboxScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#messages")
        assert table.row_count == 1
        row = table.get_row_at(0)
        # the subject over the sender's address, then the attachments
        assert row[1] == f"Scanned document\n{PRINTER.upn}" and ".pdf" in row[2]


async def settle(app, pilot, rounds: int = 10) -> None:
    """Let chained workers finish (a sign-in thread hands over to a send worker)."""
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            return


async def until(pilot, condition, rounds: int = 200) -> None:
    """Process messages until `condition()` holds (bounded; no wall-clock sleeps)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")


async def to_my_email(app, pilot, user: str, phone: bool = True) -> None:
    """Type the user's address, then "Sign in on a phone instead" (the device code) or Enter;
    return once the panel shows a sign-in code or a job outcome."""
    app.open_node("to_my_email")
    await pilot.pause()
    assert isinstance(app.screen, ToMyEmailScreen)
    await pilot.press(*user)
    if phone:
        app.screen.query_one("#tme-phone", Button).press()
    else:
        await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, NoticeScreen) or bool(app.screen.query("#tme-code")), 600)


def shown_code(app) -> str:
    return str(app.screen.query_one("#tme-code").render())


async def test_to_my_email_first_use_consent_then_user_sends_from_own_address(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control)  # no admin consent yet
    app = make_e2e_app("en")
    app.printer.update(oauth_settings(app).with_field("serverless_sender", "user"))
    async with app.run_test(size=(120, 36)) as pilot:
        # An ordinary user first: the organisation has not consented yet.
        await to_my_email(app, pilot, MEGAN.upn)
        sim_control.approve_device_code(shown_code(app), MEGAN.upn, MEGAN.password)
        await settle(app, pilot)
        assert "370" in dialog_text(app.screen)  # no sign-in: To My Email cannot send (the guide's 370)
        await pilot.press("enter")
        assert "consent" in str(app.screen.query_one("#tme-message").render()).lower()
        await pilot.press("escape")
        # The administrator signs in once and consents on behalf of the organisation.
        await to_my_email(app, pilot, ADMIN.upn)
        sim_control.approve_device_code(shown_code(app), ADMIN.upn, ADMIN.password, consent_for_org=True)
        await settle(app, pilot)
        assert "Sent" in dialog_text(app.screen)
        await pilot.press("enter", "escape")
        # Now each user signs in the first time, and mail goes from their own address.
        await to_my_email(app, pilot, MEGAN.upn)
        qr = str(app.screen.query_one("#tme-qr").render())
        assert "█" in qr or "▀" in qr
        sim_control.approve_device_code(shown_code(app), MEGAN.upn, MEGAN.password)
        await settle(app, pilot)
        assert "Sent" in dialog_text(app.screen)
        await pilot.press("enter", "escape")
        # The second time there is no sign-in: it is silent.
        await to_my_email(app, pilot, MEGAN.upn, phone=False)
        assert "Sent" in dialog_text(app.screen)
    inbox = sim_control.mailbox(MEGAN.upn)
    assert len(inbox) == 2 and all(MEGAN.upn in m["from"] for m in inbox)


async def test_to_my_email_dead_user_sign_in_is_370_and_offers_sign_in(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    app.printer.update(oauth_settings(app).with_field("serverless_sender", "user"))
    session = app.backend.session_for(app.printer.settings.email_server)
    flow = session.start_device_flow(role=None)
    sim_control.approve_device_code(flow.user_code, ALEX.upn, ALEX.password)
    assert session.wait_for_device_flow(flow).ok
    app.backend.advance_clock(91 * 24 * 3600)  # 91 days idle: the refresh token dies
    async with app.run_test(size=(120, 36)) as pilot:
        await to_my_email(app, pilot, ALEX.upn, phone=False)
        text = dialog_text(app.screen)
        assert "370" in text and "You must sign in to the cloud service again." in text
        await pilot.press("enter")
        # The sign-in is offered again on the panel's own sign-in screens.
        await until(pilot, lambda: isinstance(app.screen, PanelSignInScreen) and bool(app.screen.query("#ps-account")))
        await pilot.press("escape")
        await settle(app, pilot)
        assert "You must sign in to the cloud service again." in str(app.screen.query_one("#tme-message").render())
    jobs = app.printer.joblog.jobs()
    assert [(job.job_type, job.error_code) for job in jobs] == [("to_my_email", 370)]  # one attempt, one job


@pytest.mark.parametrize(("lang", "how"), [("en", "cancel"), ("ro", "cancel"), ("en", "expire")])
async def test_to_my_email_first_use_not_signed_in_is_a_370_job(make_e2e_app, sim_control, lang, how):
    """to-my-email-first-use: the user cancels the sign-in or lets the code expire: the guide's 370,
    recorded in Job Status with its message (no "Click Sign In": there is no such button here)."""
    app = make_e2e_app(lang)
    scenarios.run_scenario("to-my-email-first-use", app.printer, app.backend)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_my_email(app, pilot, MEGAN.upn)
        assert app.screen.query("#tme-code")
        if how == "cancel":
            await pilot.press("escape")
        else:
            app.backend.advance_clock(16 * 60)  # the code's 15 minutes pass
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        text = dialog_text(app.screen)
        assert "370" in text and app.t("cause.user_signin_required.message") in text
        await pilot.press("enter")
        shown = str(app.screen.query_one("#tme-message").render())
        assert shown == app.t("cause.user_signin_required.message")
        assert app.t("signin.outcome.cancelled") not in shown and "Sign In" not in shown
    jobs = app.printer.joblog.jobs()
    assert [(job.job_type, job.error_code) for job in jobs] == [("to_my_email", 370)]
    assert jobs[0].trouble.code == 370


FAILURES = {
    # name: (setup(app, control), expected code, English text, Romanian text)
    "signin_expired_after_91_days": (
        lambda app, control: app.backend.advance_clock(91 * 24 * 3600), 361,
        "The sign-in to the email service has expired.", "Conexiunea la serviciul de e-mail a expirat."),
    "wrong_sender": (
        lambda app, control: app.printer.update(oauth_settings(app, sender=ADMIN.upn)), 312,
        "550 5.7.60", "550 5.7.60"),
    "smtp_auth_off_for_tenant": (
        lambda app, control: control.set_smtp_auth_org(False), 312,
        "disabled for the Tenant", "dezactivat pentru organizație"),
    "identity_provider_down": (
        lambda app, control: (app.backend.advance_clock(3600), control.set_fault("idp_down", True)), 313,
        "Microsoft sign-in service", "Serviciul de conectare Microsoft"),
    "smtp_server_down": (
        lambda app, control: control.set_fault("smtp_down", True), 313,
        "Could not connect to the email server.", "Nu s-a putut realiza conexiunea la serverul de e-mail."),
}


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("failure", sorted(FAILURES))
async def test_each_failure_has_its_code_message_and_fix(make_e2e_app, sim_control, sim_thread, failure, lang):
    setup, code, english, romanian = FAILURES[failure]
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app(lang)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    setup(app, sim_control)
    async with app.run_test(size=(100, 30)) as pilot:
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
    assert str(code) in text
    assert (english if lang == "en" else romanian) in text, text
    assert ("Solution:" if lang == "en" else "Soluție:") in text
    assert sim_control.mailbox(MEGAN.upn) == []
    assert app.printer.joblog.jobs()[0].error_code == code


async def test_untrusted_certificate_until_the_ca_is_imported(make_e2e_app, sim_control, sim_thread):
    """Certificate Validation on, the mail server's CA not trusted: fails; after importing it: sent."""
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en", trust_sim_ca=False)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(100, 30)) as pilot:
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert "The connection is untrusted." in text and "CA Certificate" in text
        ca_dir = app.printer.paths.ca_dir
        ca_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(sim_thread.endpoints.ca_path, ca_dir / "simulator-ca.pem")  # Web Config > CA Certificate
        await pilot.press("enter", "escape")
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert "Sent" in text
    assert len(sim_control.mailbox(MEGAN.upn)) == 1
