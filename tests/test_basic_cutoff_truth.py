"""The printer's side of Microsoft's Basic cutoff: after the scenario basic-cutoff, a Scan to
Email job fails with its own cause (basic_auth_disabled, 312) and the outcome dialog, Job
Status, the guided lesson and the CLI say the same words, naming Basic authentication, its
retirement date and the way out (the guide's OAuth 2.0 steps), in English and Romanian."""
from __future__ import annotations

import argparse
import io

import pytest

from panel_tui import scenarios
from panel_tui.device.errors import CAUSES
from tests.helpers.panel import send_scan
from tests.helpers.screen import dialog_text, flat, widget_words
from tests.helpers.tenant import MEGAN, PRINTER


@pytest.mark.parametrize("lang, words", [
    ("en", ("Basic authentication", "end of December 2026", "OAuth 2.0", "OAuth2")),
    ("ro", ("autentificarea de bază", "decembrie 2026", "OAuth 2.0", "OAuth2")),
])
async def test_basic_cutoff_failure_reads_the_same_everywhere(make_e2e_app, sim_control, lang, words):
    from panel_tui.mail.jobs import JobOutcome
    from panel_tui.scripting import Command
    from panel_tui.ui.jobs import JobDetailScreen

    app = make_e2e_app(lang)
    scenarios.run_scenario("basic-cutoff", app.printer, app.backend)  # blocking: before the app runs
    t = app.t
    cause = CAUSES["basic_auth_disabled"]
    expected = [flat(t(cause.message_key)), flat(t(cause.fix_key)), flat(t(cause.fixer_key))]
    async with app.run_test(size=(130, 40)) as pilot:
        dialog = flat(dialog_text(await send_scan(app, pilot, MEGAN.upn)))
        job = app.printer.joblog.jobs()[0]
        assert (job.result, job.error_code, job.cause) == ("error", 312, "basic_auth_disabled")
        await pilot.press("enter", "escape", "j", "enter")
        assert isinstance(app.screen, JobDetailScreen) and app.screen.job_id == job.id
        detail = " ".join(widget_words(w) for w in app.screen.query(".job-text, .error-code"))
        await pilot.press("g")
        app.screen.query_one("#lesson").refresh_progress()
        await app.workers.wait_for_complete()
        await pilot.pause()
        lesson = widget_words(app.screen.query_one("#lesson-body"))
    out, err = io.StringIO(), io.StringIO()
    command = Command(argparse.Namespace(), app.printer, app.backend, app.translator, out, err)
    assert command._jobs_show(job.id) == 0
    cli_show = flat(out.getvalue())
    command.report_outcome(JobOutcome(job))
    cli_send = flat(err.getvalue())
    for surface, text in (("dialog", dialog), ("job detail", detail), ("lesson", lesson),
                          ("jobs show", cli_show), ("send", cli_send)):
        assert "312" in text, surface
        for expect in expected:
            assert expect in text, (surface, expect, text)
        for word in words:
            assert word in text, (surface, word)
    assert PRINTER.password not in dialog + detail + lesson + cli_show + cli_send
