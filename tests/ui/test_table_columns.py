"""Tables keep their key columns on screen: Job Status's error code, the Inbox's sender."""
from __future__ import annotations

import pytest

from panel_tui.ui.catalog import RECIPES as PANEL_RECIPES
from panel_tui.ui.sim_catalog import RECIPES as SIM_RECIPES

JOB_STATUS = next(r for r in PANEL_RECIPES if r.name == "job_status")
INBOX = next(r for r in SIM_RECIPES if r.name == "inbox")


def _screen(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_job_status_code_column_is_whole_at_80x24(make_app, lang):
    app = make_app(lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await JOB_STATUS.run(pilot)
        text = _screen(pilot.app)
        for code in ("360", "361", "370"):
            assert code in text, text
        header = pilot.app.t("screen.jobs.col_code")
        assert header in text, text


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_inbox_sender_is_visible(make_e2e_app, size):
    app = make_e2e_app("en")
    async with app.run_test(size=size) as pilot:
        await INBOX.run(pilot)
        text = _screen(pilot.app)
        assert "From" in text, text
        assert "printer@contoso.onmicrosoft.com" in text, text
