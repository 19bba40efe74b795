"""End to end on the panel: real MSAL sign-in, real SMTP through the embedded simulator.

The person in the browser is played by SimControl.approve_device_code (it submits the
sign-in pages' forms as a browser does). Nothing here waits on wall-clock time.
"""
from __future__ import annotations

import pytest

from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from panel_tui.ui.dialogs import NoticeScreen
from panel_tui.ui.send_screen import SendScreen

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS


def prepare_tenant(control, endpoints) -> None:
    """The guide's Exchange preparation: security defaults off, SMTP AUTH on, admin consent."""
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    control.grant_admin_consent(endpoints.client_id)


def oauth_settings(app, sender=PRINTER.upn):
    settings = app.printer.settings.with_field("email_server.auth_method", "oauth2")
    settings = settings.with_field("email_server.email_service", "exchange_online")
    return settings.with_field("email_server.sender", sender)


def sign_in(app, control, account=PRINTER, settings=None):
    session = app.backend.session_for((settings or oauth_settings(app)).email_server)
    flow = session.start_device_flow()
    control.approve_device_code(flow.user_code, account.upn, account.password)
    return session.wait_for_device_flow(flow)


async def send_scan(app, pilot, to: str) -> NoticeScreen:
    for node in ("scan", "scan_to_email"):
        app.open_node(node)
        await pilot.pause()
    assert isinstance(app.screen, SendScreen)
    await pilot.press(*to, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, NoticeScreen)
    return app.screen


def dialog_text(screen) -> str:
    return "\n".join(str(w.render()) for w in screen.query(".dialog-title, .dialog-body"))


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_scan_to_email_arrives_with_its_pdf(make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control, sim_thread.endpoints)
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
    job = app.printer.joblog.jobs()[0]
    assert (job.job_type, job.result, job.error_code) == ("scan_to_email", "ok", None)


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "To use this feature, you must sign in to the email service. Please contact the administrator."),
    ("ro", "Pentru a utiliza această funcție, trebuie să vă conectați la serviciul de e-mail. "
           "Vă rugăm să contactați administratorul."),
])
async def test_not_signed_in_is_360_with_the_guides_message(make_e2e_app, sim_control, sim_thread, lang, message):
    prepare_tenant(sim_control, sim_thread.endpoints)
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
    prepare_tenant(sim_control, sim_thread.endpoints)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok  # signed in with pending settings only
    async with app.run_test(size=(100, 30)) as pilot:
        notice = await send_scan(app, pilot, MEGAN.upn)
        assert "360" in dialog_text(notice)
    assert sim_control.mailbox(MEGAN.upn) == []


async def test_connection_check_and_email_server_status(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints)
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
    prepare_tenant(sim_control, sim_thread.endpoints)
    sim_control.set_smtp_auth_mailbox(PRINTER.upn, False)
    app = make_e2e_app("en")
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    async with app.run_test(size=(100, 30)) as pilot:
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
    assert "312" in text and "SMTP AUTH" in text
    assert "Microsoft 365 administrator" in text


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
    from panel_tui.ui.jobs import JobDetailScreen, JobStatusScreen

    prepare_tenant(sim_control, sim_thread.endpoints)
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
        await pilot.press("enter")
        assert isinstance(app.screen, JobDetailScreen)
        assert "R" in str(app.screen.query_one("#hint-bar").render())
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Sent" in dialog_text(app.screen)
    inbox = sim_control.mailbox(MEGAN.upn)
    assert len(inbox) == 1 and inbox[0]["attachments"][0]["content_type"] == "application/pdf"
    results = [(j.result, j.error_code) for j in app.printer.joblog.jobs()]
    assert results == [("ok", None), ("error", 313)]  # newest first; the failed row stays as it ended


async def test_inbox_viewer_shows_the_message(make_e2e_app, sim_control, sim_thread):
    from panel_tui.ui.inbox import InboxScreen

    prepare_tenant(sim_control, sim_thread.endpoints)
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
        assert "Scanned document" in row[2] and ".pdf" in row[3]
