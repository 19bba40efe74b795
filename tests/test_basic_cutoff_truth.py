"""The printer's side of Microsoft's Basic cutoff: after the scenario basic-cutoff, a Scan to
Email job fails with its own cause (basic_auth_disabled, 312) and the outcome dialog, Job
Status, the guided lesson and the CLI say the same words, naming Basic authentication, its
retirement date and the way out (the guide's OAuth 2.0 steps), in English and Romanian."""
from __future__ import annotations

import pytest

from panel_tui import scenarios
from panel_tui.device.errors import CAUSES
from tests.helpers.panel import failed_scan_on_every_surface
from tests.helpers.screen import flat
from tests.helpers.tenant import MEGAN, PRINTER


@pytest.mark.parametrize("lang, words", [
    ("en", ("Basic authentication", "end of December 2026", "OAuth 2.0", "OAuth2")),
    ("ro", ("autentificarea de bază", "decembrie 2026", "OAuth 2.0", "OAuth2")),
])
async def test_basic_cutoff_failure_reads_the_same_everywhere(make_e2e_app, sim_control, lang, words):
    app = make_e2e_app(lang)
    scenarios.run_scenario("basic-cutoff", app.printer, app.backend)  # blocking: before the app runs
    t = app.t
    cause = CAUSES["basic_auth_disabled"]
    expected = [flat(t(cause.message_key)), flat(t(cause.fix_key)), flat(t(cause.fixer_key))]
    job, surfaces = await failed_scan_on_every_surface(app, MEGAN.upn)
    assert (job.result, job.error_code, job.cause) == ("error", 312, "basic_auth_disabled")
    for surface, text in surfaces.items():
        assert "312" in text, surface
        for expect in expected:
            assert expect in text, (surface, expect, text)
        for word in words:
            assert word in text, (surface, word)
    assert PRINTER.password not in " ".join(surfaces.values())
