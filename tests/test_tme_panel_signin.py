"""To My Email as the guide walks it: the administrator logs in on the panel, signs in on the
panel's own sign-in screens (address > Next, password > Sign in, permissions > Accept, the
message > OK) and consents for the organisation; then each user signs in the same way the first
time, and the mail really reaches the simulator's mailbox. The sign-in is real: MSAL's
authorization code request (PKCE) on the simulator's pages."""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from panel_tui.backend import BackendOptions, open_backend
from panel_tui.ui.dialogs import AdminLoginScreen, NoticeScreen
from panel_tui.ui.panel_signin import PanelSignInScreen
from panel_tui.ui.to_my_email import ToMyEmailScreen
from tests.helpers.panel import ADMIN, MEGAN, oauth_settings
from tests.helpers.screen import dialog_text, screen_text
from tests.helpers.tenant import prepare_tenant

WORDS = {
    "en": {"next": "Next", "sign_in": "Sign in", "accept": "Accept",
           "consent": "Consent on behalf of your organization",
           "sent": "Sent", "title": "Print Admin Serverless"},
    "ro": {"next": "Înainte", "sign_in": "Autentificare", "accept": "Accept",
           "consent": "Acceptați în numele organizației", "sent": "Trimis", "title": "Print Admin Serverless"},
}


async def until(pilot, condition, seconds: float = 30.0) -> None:
    """Process messages until `condition()` holds (bounded by time: the simulator answers in a
    thread, slower on a loaded machine; no sleeps)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if condition():
            return
        await pilot.pause()
    raise AssertionError("condition not reached")


DRAWN = {"account": "#ps-next", "password": "#ps-signin", "mfa-number": "#ps-continue", "permissions": "#ps-accept",
         "done": "#ps-ok"}


def step(app) -> str:
    """The sign-in step on screen, once composed (its button is there); "" while it loads."""
    screen = app.screen
    if not isinstance(screen, PanelSignInScreen) or screen._busy or not screen.query(DRAWN.get(screen._page, "#none")):
        return ""
    return screen._page


def button_label(app, button_id: str) -> str:
    return str(app.screen.query_one(f"#{button_id}", Button).label)


async def click(pilot, app, button_id: str) -> None:
    app.screen.query_one(f"#{button_id}", Button).press()
    await pilot.pause()


async def type_into(pilot, app, field_id: str, text: str) -> None:
    field = app.screen.query_one(f"#{field_id}", Input)
    field.focus()
    await pilot.pause()
    await pilot.press(*text)


async def open_tme(app, pilot) -> ToMyEmailScreen:
    app.open_node("to_my_email")
    await until(pilot, lambda: isinstance(app.screen, ToMyEmailScreen) and bool(app.screen.query("#tme-user")))
    return app.screen


def user_sender_app(make_e2e_app, lang: str):
    """A panel whose To My Email sends from each user's own address (so each user signs in)."""
    app = make_e2e_app(lang)
    app.printer.update(oauth_settings(app).with_field("serverless_sender", "user"))
    return app


async def start_as(app, pilot, upn: str) -> None:
    """To My Email opened, the user's address typed and Enter: the panel's sign-in starts."""
    await open_tme(app, pilot)
    await type_into(pilot, app, "tme-user", upn)
    await pilot.press("enter")


async def next_to_password(app, pilot) -> None:
    """From the account page (address already there): Next, then the password page."""
    await until(pilot, lambda: step(app) == "account")
    await click(pilot, app, "ps-next")
    await until(pilot, lambda: step(app) == "password")


async def sign_in_on_panel(app, pilot, lang: str, upn: str, password: str, *, consent: bool) -> None:
    """The on-panel screens from the address on: Next, Sign in, (permissions: tick, Accept)."""
    words = WORDS[lang]
    await until(pilot, lambda: step(app) == "account")
    assert button_label(app, "ps-next") == words["next"]
    field = app.screen.query_one("#ps-account", Input)
    if field.value != upn:
        field.value = ""
        await type_into(pilot, app, "ps-account", upn)
    await click(pilot, app, "ps-next")
    await until(pilot, lambda: step(app) == "password")
    assert button_label(app, "ps-signin") == words["sign_in"]
    await type_into(pilot, app, "ps-password", password)
    assert password not in screen_text(app)  # the mask, never the password
    await pilot.press("enter")
    if consent:
        await until(pilot, lambda: step(app) == "permissions")
        toggle = app.screen.query_one("#ps-consent-org")
        assert str(toggle.render()) == f"[ ] {words['consent']}"
        toggle.focus()
        await pilot.press("space")  # ticked, as the guide says
        assert str(toggle.render()) == f"[x] {words['consent']}"
        assert button_label(app, "ps-accept") == words["accept"]
        await click(pilot, app, "ps-accept")
    await until(pilot, lambda: step(app) == "done")


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_admin_consents_on_the_panel_then_a_user_signs_in_and_the_mail_arrives(
        make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control)  # no consent for the organisation yet
    words = WORDS[lang]
    app = user_sender_app(make_e2e_app, lang)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_tme(app, pilot)
        # The administrator logs in on the panel first (the printer's administrator password) ...
        await click(pilot, app, "tme-admin")
        await until(pilot, lambda: isinstance(app.screen, AdminLoginScreen))
        await pilot.press(*app.printer.settings.serial_number, "enter")
        # ... then signs in on the panel with a global administrator account and consents.
        await sign_in_on_panel(app, pilot, lang, ADMIN.upn, ADMIN.password, consent=True)
        text = screen_text(app)
        assert words["title"] in text and ADMIN.upn in text
        await click(pilot, app, "ps-ok")  # OK closes the message
        await until(pilot, lambda: app.screen is screen)
        assert str(screen.query_one("#tme-message").render()) == app.t("screen.tme.admin_done")
        # A user types their address; the first time, they sign in on the panel themselves.
        await type_into(pilot, app, "tme-user", MEGAN.upn)
        await pilot.press("enter")
        await sign_in_on_panel(app, pilot, lang, MEGAN.upn, MEGAN.password, consent=False)
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert words["sent"] in dialog_text(app.screen)
    inbox = sim_control.mailbox(MEGAN.upn)
    assert len(inbox) == 1 and MEGAN.upn in inbox[0]["from"]
    jobs = app.printer.joblog.jobs()
    assert [(job.job_type, job.result) for job in jobs] == [("to_my_email", "ok")]


async def test_wrong_password_shows_the_message_and_keeps_the_address(make_e2e_app, sim_control, sim_thread, caplog):
    caplog.set_level(logging.DEBUG)  # every log record, MSAL's and requests' too
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)  # the organisation consented
    app = user_sender_app(make_e2e_app, "en")
    async with app.run_test(size=(120, 36)) as pilot:
        await start_as(app, pilot, MEGAN.upn)
        await next_to_password(app, pilot)
        await type_into(pilot, app, "ps-password", "not-her-password")
        await pilot.press("enter")
        await until(pilot, lambda: step(app) == "password" and str(app.screen.query_one("#ps-error").render()))
        text = screen_text(app)
        assert str(app.screen.query_one("#ps-error").render()) == app.t("screen.ps.error.password_wrong")
        assert "Your account or password is incorrect." in text
        assert MEGAN.upn in text  # the address typed is kept ...
        assert app.screen.query_one("#ps-password", Input).value == ""  # ... the password is not
        # The right password then signs her in and the mail goes.
        await type_into(pilot, app, "ps-password", MEGAN.password)
        await pilot.press("enter")
        await until(pilot, lambda: step(app) == "done")
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert "Sent" in dialog_text(app.screen)
    assert len(sim_control.mailbox(MEGAN.upn)) == 1
    # Neither password is logged or kept in the profile's files (token cache, job log, settings).
    for secret in ("not-her-password", MEGAN.password):
        assert secret not in caplog.text
        for path in Path(os.environ["PANEL_TUI_HOME"]).rglob("*"):
            assert not path.is_file() or secret.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_a_user_before_the_consent_is_refused_and_370_is_recorded(make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control)  # the administrator has not consented
    app = user_sender_app(make_e2e_app, lang)
    async with app.run_test(size=(120, 36)) as pilot:
        await start_as(app, pilot, MEGAN.upn)
        await sign_in_on_panel(app, pilot, lang, MEGAN.upn, MEGAN.password, consent=False)
        assert str(app.screen.query_one("#ps-done").render()) == app.t("signin.outcome.consent_required")
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert "370" in dialog_text(app.screen)
    assert [(job.job_type, job.error_code) for job in app.printer.joblog.jobs()] == [("to_my_email", 370)]
    assert sim_control.mailbox(MEGAN.upn) == []


async def test_cancel_on_the_panel_sign_in_is_370(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = user_sender_app(make_e2e_app, "en")
    async with app.run_test(size=(120, 36)) as pilot:
        await start_as(app, pilot, MEGAN.upn)
        await until(pilot, lambda: step(app) == "account")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert "370" in dialog_text(app.screen)
    assert [(job.job_type, job.error_code) for job in app.printer.joblog.jobs()] == [("to_my_email", 370)]


async def test_an_administrator_answers_the_authenticator_on_the_panel_and_a_decline_records_nothing(
        make_e2e_app, sim_control, sim_thread):
    """Security defaults on: the administrator's sign-in asks for the Authenticator's number, shown on
    the panel; Continue before answering keeps waiting. Cancel on the permissions screen: no consent,
    the message says so, no job (the administrator was not sending)."""
    sim_control.set_smtp_auth_org(True)  # security defaults stay on
    app = user_sender_app(make_e2e_app, "en")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_tme(app, pilot)
        app.printer.admin.login(app.printer.settings.serial_number)
        await click(pilot, app, "tme-admin")
        await until(pilot, lambda: step(app) == "account")
        await type_into(pilot, app, "ps-account", ADMIN.upn)
        await click(pilot, app, "ps-next")
        await until(pilot, lambda: step(app) == "password")
        await type_into(pilot, app, "ps-password", ADMIN.password)
        await pilot.press("enter")
        await until(pilot, lambda: step(app) == "mfa-number")
        number = str(app.screen.query_one("#ps-mfa-number").render())
        assert number.isdigit() and number in screen_text(app)
        await click(pilot, app, "ps-continue")
        await until(pilot, lambda: step(app) == "mfa-number" and "No answer" in screen_text(app))
        assert sim_control.answer_authenticator(ADMIN.upn, number, approve=True)
        await click(pilot, app, "ps-continue")
        await until(pilot, lambda: step(app) == "permissions")
        await click(pilot, app, "ps-cancel")
        await until(pilot, lambda: step(app) == "done")
        assert str(app.screen.query_one("#ps-done").render()) == app.t("signin.outcome.declined")
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, ToMyEmailScreen))
        assert str(app.screen.query_one("#tme-message").render()) == app.t("signin.outcome.declined")
    assert app.printer.joblog.jobs() == []


async def test_a_sign_in_left_past_its_15_minutes_is_expired_and_370(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = user_sender_app(make_e2e_app, "ro")
    async with app.run_test(size=(120, 36)) as pilot:
        await start_as(app, pilot, MEGAN.upn)
        await next_to_password(app, pilot)
        app.backend.advance_clock(16 * 60)  # the sign-in request's 15 minutes pass
        await type_into(pilot, app, "ps-password", MEGAN.password)
        await pilot.press("enter")
        await until(pilot, lambda: step(app) == "done")
        assert str(app.screen.query_one("#ps-done").render()) == app.t("signin.outcome.expired")
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert "370" in dialog_text(app.screen)
    assert [(job.job_type, job.error_code) for job in app.printer.joblog.jobs()] == [("to_my_email", 370)]
    assert sim_control.mailbox(MEGAN.upn) == []


def test_live_mode_has_no_panel_pages_so_the_phone_code_is_the_way():
    """Microsoft's own pages need a browser: in live mode To My Email offers the device code."""
    _, backend = open_backend("default", BackendOptions(live=True, client_id="00000000-0000-0000-0000-000000000001"))
    assert backend.panel_signin_pages() is None


async def test_the_sign_in_service_down_says_so_and_records_no_370(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = user_sender_app(make_e2e_app, "en")
    async with app.run_test(size=(120, 36)) as pilot:
        await open_tme(app, pilot)
        sim_control.set_fault("idp_down", True)
        try:
            await type_into(pilot, app, "tme-user", MEGAN.upn)
            await pilot.press("enter")
            await until(pilot, lambda: step(app) == "done")
            assert str(app.screen.query_one("#ps-done").render()) == app.t("signin.outcome.idp_unavailable")
            await click(pilot, app, "ps-ok")
            await until(pilot, lambda: isinstance(app.screen, ToMyEmailScreen))
            assert str(app.screen.query_one("#tme-message").render()) == app.t("signin.outcome.idp_unavailable")
        finally:
            sim_control.set_fault("idp_down", False)
    assert app.printer.joblog.jobs() == []


async def test_conditional_access_blocks_the_users_sign_in_on_the_panel_370(make_e2e_app, sim_control, sim_thread):
    """The guide's first troubleshooting case: Entra ID's conditional access blocks the sign-in."""
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    sim_control.set_conditional_access_block(True)
    app = user_sender_app(make_e2e_app, "ro")
    async with app.run_test(size=(120, 36)) as pilot:
        await start_as(app, pilot, MEGAN.upn)
        await sign_in_on_panel(app, pilot, "ro", MEGAN.upn, MEGAN.password, consent=False)
        assert str(app.screen.query_one("#ps-done").render()) == app.t("signin.outcome.blocked")
        fix = str(app.screen.query_one("#ps-fix").render())
        assert app.t("cause.conditional_access.fix") in fix and "53003" in fix  # what to do, and Entra's code
        await click(pilot, app, "ps-ok")
        await until(pilot, lambda: isinstance(app.screen, NoticeScreen))
        assert "370" in dialog_text(app.screen)
        await pilot.press("enter")
        assert str(app.screen.query_one("#tme-message").render()) == app.t("signin.outcome.blocked")
    assert [(job.job_type, job.error_code) for job in app.printer.joblog.jobs()] == [("to_my_email", 370)]
