"""The guided lesson's path for a printer moved off Basic authentication: after the
basic-cutoff scenario the lesson says why (Microsoft's dates) and ends only when Exchange's
SMTP AUTH clients report lists the printer's mailbox under OAuth."""
from __future__ import annotations

from panel_tui import scenarios
from panel_tui.lesson import BASIC_MIGRATION, observe
from tests.helpers.panel import oauth_settings, sign_in
from tests.helpers.tenant import MEGAN, PRINTER, prepare_tenant


async def test_basic_cutoff_lesson_path_ends_with_the_report_under_oauth(make_e2e_app, sim_control, sim_thread):
    app = make_e2e_app("en")
    scenarios.run_scenario("basic-cutoff", app.printer, app.backend)
    failed = await app.backend.jobs.scan_to_email(MEGAN.upn)
    assert failed.error.cause_name == "basic_auth_disabled"
    progress = observe(app.printer, app.backend)
    assert progress.path == BASIC_MIGRATION and progress.steps[-1] == "report"
    assert progress.trouble is not None and progress.trouble.code == 312
    assert not progress.done["report"] and progress.current == "oauth2"
    # The migration, the guide's way.
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    sent = await app.backend.jobs.scan_to_email(MEGAN.upn)
    assert sent.ok, sent.error
    progress = observe(app.printer, app.backend)
    assert progress.path == BASIC_MIGRATION and progress.done["report"]
    rows = {(r["upn"], r["protocol"]) for r in sim_control.smtp_auth_clients_report(30)}
    assert {(PRINTER.upn, "Basic"), (PRINTER.upn, "OAuth")} <= rows


async def test_an_oauth_only_printer_keeps_the_guides_seven_steps(make_e2e_app):
    app = make_e2e_app("en")
    scenarios.run_scenario("signed-in", app.printer, app.backend)
    progress = observe(app.printer, app.backend)
    assert progress.path == "oauth2" and "report" not in progress.steps
