"""The guided lesson ticks steps only from real state (tenant, settings, tokens, sheets, jobs)."""
from __future__ import annotations

from panel_tui import scenarios
from panel_tui.device.errors import CAUSES
from panel_tui.lesson import observe
from panel_tui.sim.strings import text
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from tests.helpers.locales import catalog
from tests.helpers.panel import ADMIN, oauth_settings
from tests.helpers.tenant import prepare_tenant


def ticked(app) -> set[str]:
    return {step for step, done in observe(app.printer, app.backend).done.items() if done}


def test_steps_follow_real_state_only(make_e2e_app, sim_control, sim_thread):
    app = make_e2e_app("en")
    assert ticked(app) == set()
    app.action_toggle_lesson()  # showing the lesson (a button press) ticks nothing
    assert ticked(app) == set()
    prepare_tenant(sim_control)
    assert ticked(app) == {"smtp_auth"}
    # The guide: sign in with a global administrator and consent on behalf of the organisation.
    session = app.backend.session_for(oauth_settings(app).email_server)
    flow = session.start_device_flow()
    sim_control.approve_device_code(flow.user_code, ADMIN.upn, ADMIN.password, consent_for_org=True)
    assert session.wait_for_device_flow(flow).ok  # signed in with the pending settings only
    # OAuth2 was chosen on Web Config's page (its Sign In needs it); OK is the step left.
    assert ticked(app) == {"smtp_auth", "oauth2", "sign_in", "consent"}
    assert observe(app.printer, app.backend).current == "applied"
    app.printer.update(oauth_settings(app, sender=ADMIN.upn))  # OK
    assert ticked(app) == {"smtp_auth", "oauth2", "sign_in", "consent", "applied"}
    sim_control.set_smtp_auth_mailbox(ADMIN.upn, False)  # the tenant changes: the tick goes away
    assert "smtp_auth" not in ticked(app)


async def test_lesson_panel_shows_progress_and_troubleshooting(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    app.printer.update(oauth_settings(app))  # OAuth2 applied, never signed in: sends fail with 360
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = str(app.screen.query_one("#lesson-body").render())
        assert "✓ 1. Enable SMTP AUTH" in body and "▸ 3. Sign in with Microsoft" in body
        log = app.printer.joblog
        log.finish(log.start("scan_to_email"), "error", cause=CAUSES["not_signed_in"])
        app.screen.query_one("#lesson").refresh_progress()
        await app.workers.wait_for_complete()
        await pilot.pause()
        body = str(app.screen.query_one("#lesson-body").render())
        assert "error code 360" in body and "click OK" in body
        await pilot.press("g")
        assert not app.screen.query("#lesson")
        # The App kept what the panel last observed (the panel told it with a message), so a
        # panel opened again shows it on its first frame instead of "waiting".
        assert app.lesson_progress is not None and app.lesson_progress.trouble.code == 360


def test_the_lessons_romanian_words_are_the_guides():
    """The lesson follows the guide's Web Config procedure, whose step 11 says "Consimțământ în
    numele organizației"; the guide's To My Email section says "Acceptați" and the panel keeps
    that there. SMTP AUTH is enabled for the printer administrator's mailbox."""
    ro = catalog("ro")
    assert ro["lesson.step.consent.title"] == "Consimțământ în numele organizației"
    how = ro["lesson.step.consent.how"]
    assert "selectați „Consimțământ în numele organizației”, apoi faceți clic pe Accept" in how
    for key in ("webconfig.signin.intro", "cli.signin.instructions", "cause.consent_required.fix"):
        assert "Consimțământ în numele organizației" in ro[key] and "Acceptați în numele" not in ro[key], key
    assert "Acceptați în numele organizației" in ro["webconfig.serverless.user_note"]  # To My Email's words
    assert "căsuța poștală a administratorului imprimantei" in ro["lesson.step.smtp_auth.how"]


def test_every_instruction_names_the_consent_checkbox_as_the_sign_in_page_shows_it():
    """Web Config, the CLI and the fixes tell a trainee to tick the box the sign-in page shows."""
    for lang in ("en", "ro"):
        checkbox = text(lang, "consent_org")
        words = catalog(lang)
        for key in ("webconfig.signin.intro", "cli.signin.instructions", "cause.consent_required.fix"):
            assert checkbox in words[key], (lang, key, words[key], checkbox)


async def test_step_7_is_ticked_by_a_message_in_a_mailbox_not_by_a_connection_check(make_e2e_app, sim_control):
    """A Connection Check sends no message: "7. Send an email" stays open until one arrives."""
    megan = SEEDED_ACCOUNTS[2]
    app = make_e2e_app("en")
    scenarios.run_scenario("signed-in", app.printer, app.backend)
    assert (await app.backend.jobs.connection_check()).ok
    assert sim_control.mailbox(megan.upn) == []
    assert "send" not in ticked(app)
    assert (await app.backend.jobs.scan_to_email(megan.upn)).ok
    assert len(sim_control.mailbox(megan.upn)) == 1
    assert "send" in ticked(app)
