"""Snapshots of job outcomes produced for real against the simulator, in English and Romanian."""
from __future__ import annotations

import pytest

from tests.test_e2e_panel import MEGAN, oauth_settings, prepare_tenant, sign_in


async def _scan_to_megan(pilot) -> None:
    app = pilot.app
    for node in ("scan", "scan_to_email"):
        app.open_node(node)
        await pilot.pause()
    await pilot.press(*MEGAN.upn, "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_outcome_not_signed_in_360(snap_compare, make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control, sim_thread.endpoints)
    app = make_e2e_app(lang)
    app.printer.update(oauth_settings(app))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_scan_to_megan)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_outcome_smtp_auth_disabled_for_mailbox(snap_compare, make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control, sim_thread.endpoints)
    sim_control.set_smtp_auth_mailbox("printer@contoso.onmicrosoft.com", False)
    app = make_e2e_app(lang)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_scan_to_megan)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_outcome_sent(snap_compare, make_e2e_app, sim_control, sim_thread, lang):
    prepare_tenant(sim_control, sim_thread.endpoints)
    app = make_e2e_app(lang)
    assert sign_in(app, sim_control).ok
    app.printer.update(oauth_settings(app))
    assert snap_compare(app, terminal_size=(80, 24), run_before=_scan_to_megan)
