"""One job, one truth: a failed job's code, message, fix and fixer are decided when it ends,
stored with it, and shown alike by the outcome dialog, Job Status, the guided lesson and the CLI."""
from __future__ import annotations

import sqlite3

import pytest

from panel_tui.device.errors import CAUSES
from panel_tui.device.joblog import SCHEMA_VERSION, JobLog
from panel_tui.ui.dialogs import NoticeScreen
from panel_tui.ui.jobs import JobDetailScreen
from tests.helpers.panel import (
    ADMIN,
    MEGAN,
    PRINTER,
    failed_scan_on_every_surface,
    oauth_settings,
    send_scan,
    sign_in,
)
from tests.helpers.screen import dialog_text, flat
from tests.helpers.tenant import prepare_tenant


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_security_defaults_failure_reads_the_same_everywhere(make_e2e_app, sim_control, sim_thread, lang):

    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app(lang)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    # Security defaults refuse Basic authentication (a password), not OAuth 2.0: an SMTP-AUTH printer.
    app.printer.update(lambda s: s.with_field("email_server.auth_method", "smtp_auth")
                       .with_field("email_server.account", PRINTER.upn)
                       .with_field("email_server.password", PRINTER.password))
    sim_control.set_security_defaults(True)
    t = app.t
    cause = CAUSES["smtp_auth_security_defaults"]
    expected = [flat(t(cause.message_key)), flat(t(cause.fix_key)), flat(t(cause.fixer_key))]
    job, surfaces = await failed_scan_on_every_surface(app, MEGAN.upn)
    assert (job.result, job.error_code, job.cause) == ("error", 312, "smtp_auth_security_defaults")
    for surface, text in surfaces.items():
        assert "312" in text, surface
        for words in expected:
            assert words in text, (surface, words, text)
    # Nothing shows the generic words of code 312 instead of the cause.
    generic = flat(t("error.312.situation"))
    assert not any(generic in text for text in surfaces.values())
    shown = " ".join(surfaces.values())
    assert ADMIN.password not in shown and PRINTER.password not in shown


def test_an_old_job_log_is_migrated_with_each_jobs_cause(tmp_path):
    """A job log of schema 2 gets the columns; a failed job's cause is read from its recorded detail."""
    db = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript("""
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, job_type TEXT NOT NULL, started_at TEXT NOT NULL,
              ended_at TEXT, result TEXT NOT NULL CHECK (result IN ('running', 'ok', 'error', 'interrupted',
              'cancelled', 'unconfirmed')), error_code INTEGER, detail TEXT NOT NULL DEFAULT '',
              owner_pid INTEGER, stage TEXT NOT NULL DEFAULT 'queued', message_id TEXT, retried_by INTEGER);
            INSERT INTO jobs (job_type, started_at, ended_at, result, error_code, detail) VALUES
              ('scan_to_email', '2026-03-14T09:00:00+00:00', '2026-03-14T09:00:01+00:00', 'error', 312,
               'to megan@contoso.com | smtp_auth_security_defaults: 535 5.7.139 security defaults policy'),
              ('test_mail', '2026-03-14T09:01:00+00:00', '2026-03-14T09:01:01+00:00', 'error', 361, 'old');
            PRAGMA user_version=2;
        """)
    log = JobLog(db)
    newer, older = log.jobs()
    assert older.trouble.cause == "smtp_auth_security_defaults"
    assert older.trouble.message_key == "cause.smtp_auth_security_defaults.message"
    assert older.trouble.fixer == "tenant_admin" and "5.7.139" in older.trouble.reason
    assert newer.trouble.cause is None and newer.trouble.message_key == "error.361.situation"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_retry_opens_the_new_job_and_a_refusal_says_why(make_e2e_app, sim_control, sim_thread):
    prepare_tenant(sim_control, sim_thread.endpoints.client_id)
    app = make_e2e_app("en")
    app.printer.update(oauth_settings(app))  # OAuth2 applied, not signed in yet: the send fails (360)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "360" in dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert sign_in(app, sim_control).ok  # the cause is fixed
        await pilot.press("enter", "escape", "j", "enter")
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job_id == 1
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Sent" in dialog_text(app.screen)
        await pilot.press("enter")
        # The new job's detail, not the old one still saying "Press R".
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job_id == 2
        assert "Completed" in " ".join(str(w.render()) for w in app.screen.query(".status-value"))
        await pilot.press("r")  # a completed job: the reason, not a bare refusal
        assert isinstance(app.screen, NoticeScreen)
        assert "It completed: the server accepted its message." in dialog_text(app.screen)
        await pilot.press("enter", "escape", "down", "enter")
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job_id == 1
        await pilot.press("r")
        assert "already sent again as job 2" in dialog_text(app.screen)
    assert len(sim_control.mailbox(MEGAN.upn)) == 1
