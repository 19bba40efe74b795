"""The sign-in QR code: on a loopback simulator the panel says beside it that a phone cannot open
it; in live mode it encodes Microsoft's own address."""
from __future__ import annotations

import dataclasses

import pytest

from panel_tui.ui.to_my_email import ToMyEmailScreen
from panel_tui.ui.webconfig.catalog import FIXED_FLOW
from panel_tui.ui.webconfig.qr_text import qr_lines, signin_address, unreachable_from_a_phone
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen

LOOPBACK = "https://127.0.0.1:49152/devicelogin"
LIVE = "https://microsoft.com/devicelogin"


@pytest.mark.parametrize(("url", "loopback"), [
    (LOOPBACK, True), ("https://localhost:8443/devicelogin", True), ("https://[::1]:8443/devicelogin", True),
    (LIVE, False), ("https://192.168.1.20:8443/devicelogin", False), ("https://sim.school.example/devicelogin", False),
])
def test_which_addresses_a_phone_cannot_open(url, loopback):
    assert unreachable_from_a_phone(url) is loopback


async def _signin_screen(make_app, url: str, lang: str = "en"):
    app = make_app(lang)
    flow = dataclasses.replace(FIXED_FLOW, verification_uri=url)
    return app, SignInWithMicrosoftScreen(None, None, flow=flow)


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_web_config_says_a_loopback_qr_cannot_be_opened_by_a_phone(make_app, lang):
    app, screen = await _signin_screen(make_app, LOOPBACK, lang)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(screen)
        await pilot.pause()
        hint = str(screen.query_one("#signin-qr-hint").render())
        assert hint == app.t("webconfig.signin.qr_loopback") and "panel-tui sim --host" in hint
        assert str(screen.query_one("#signin-qr").render()) == "\n".join(qr_lines(signin_address(app, LOOPBACK)))


async def test_live_mode_qr_encodes_microsofts_url_with_the_usual_hint(make_app):
    app, screen = await _signin_screen(make_app, LIVE)
    async with app.run_test(size=(120, 36)) as pilot:
        app.push_screen(screen)
        await pilot.pause()
        assert str(screen.query_one("#signin-qr-hint").render()) == app.t("webconfig.signin.qr_hint")
        assert str(screen.query_one("#signin-qr").render()) == "\n".join(qr_lines(LIVE))


@pytest.mark.parametrize(("url", "noted"), [(LOOPBACK, True), (LIVE, False)])
async def test_to_my_email_notes_a_loopback_qr(make_app, url, noted):
    app = make_app("en")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = ToMyEmailScreen()
        app.push_screen(screen)
        await pilot.pause()
        screen._flow = dataclasses.replace(FIXED_FLOW, verification_uri=url)
        screen.refresh(recompose=True)
        await pilot.pause()
        assert bool(screen.query("#tme-qr-note")) is noted
        assert str(screen.query_one("#tme-qr").render()) == "\n".join(qr_lines(signin_address(app, url)))
