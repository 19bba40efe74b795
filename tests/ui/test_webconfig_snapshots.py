"""SVG snapshots of Web Config in English and Romanian, at 80x24 and 120x36.

The sign-in screen is built from a fixed DeviceFlow (no real random code); the real flow is
covered by test_webconfig_e2e. Review with `--snapshot-update`, then look at the SVGs.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Select

from panel_tui.device.clock import SNAPSHOT_TIME
from panel_tui.mail.auth import EMAIL_SERVER_ROLE, DeviceFlow, SignInResult
from panel_tui.ui.webconfig import WebConfigScreen
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen

from .test_webconfig import lock_printer, make_certificate

LANGS = ("en", "ro")
SIZES = ((80, 24), (120, 36))
FIXED_FLOW = DeviceFlow(
    user_code="K7Q2MWX9P", verification_uri="https://microsoft.com/devicelogin",
    expires_at=SNAPSHOT_TIME + timedelta(seconds=825), expires_in=900, interval=5, message="",
)
OUTCOMES = {
    "signed_in": SignInResult("signed_in", account="admin@contoso.onmicrosoft.com"),
    "declined": SignInResult("declined", aadsts=65004),
    "expired": SignInResult("expired", aadsts=70020),
    "blocked": SignInResult("blocked", aadsts=53003),
    "consent_required": SignInResult("consent_required", aadsts=65001),
    "idp_unavailable": SignInResult("idp_unavailable"),
}


def _no_session():
    raise AssertionError("a snapshot must not reach the cloud")


async def _open(pilot, page: str | None = None) -> None:
    pilot.app.push_screen(WebConfigScreen(page))
    await pilot.pause()
    await pilot.pause()


async def _choose_oauth2(pilot, section: str) -> None:
    pilot.app.screen.query_one(f"#{section}-auth_method", Select).value = "oauth2"
    await pilot.pause()


async def basic_pending(pilot) -> None:
    """Network > Email Server > Basic: OAuth2 chosen, not signed in, not sent yet."""
    await _open(pilot)
    await _choose_oauth2(pilot, "email_server")


async def signin_code(pilot) -> None:
    await _open(pilot)
    pilot.app.push_screen(SignInWithMicrosoftScreen(_no_session, EMAIL_SERVER_ROLE, flow=FIXED_FLOW))
    await pilot.pause()


async def signin_start(pilot) -> None:
    await _open(pilot)
    pilot.app.push_screen(SignInWithMicrosoftScreen(_no_session, EMAIL_SERVER_ROLE))
    await pilot.pause()


async def ca_certificate(pilot) -> None:
    ca_dir = pilot.app.printer.paths.ca_dir
    ca_dir.mkdir(parents=True, exist_ok=True)
    make_certificate(ca_dir / "contoso-mail-ca.pem", ca=True, cn="Contoso Mail CA")
    await _open(pilot, "ca_certificate")


async def fax_server(pilot) -> None:
    await _open(pilot, "fax_email_server")
    await _choose_oauth2(pilot, "fax_email_server")


async def serverless(pilot) -> None:
    await _open(pilot, "serverless_auth")
    await pilot.click("#serverless-user")
    await pilot.pause()


async def inert_tab(pilot) -> None:
    await _open(pilot)
    pilot.app.screen.show_tab("print")
    await pilot.pause()


async def locked(pilot) -> None:
    lock_printer(pilot.app)
    await _open(pilot)


PAGES = {f.__name__: f for f in (basic_pending, signin_code, ca_certificate, fax_server, serverless, inert_tab)}
SMALL_ONLY = {f.__name__: f for f in (signin_start, locked)}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", sorted(PAGES))
def test_page(snap_compare, make_app, page, lang, size):
    assert snap_compare(make_app(lang), terminal_size=size, run_before=PAGES[page])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", sorted(SMALL_ONLY))
def test_page_small(snap_compare, make_app, page, lang):
    assert snap_compare(make_app(lang), terminal_size=(80, 24), run_before=SMALL_ONLY[page])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_signin_outcome(snap_compare, make_app, outcome, lang):
    async def run_before(pilot) -> None:
        await _open(pilot)
        pilot.app.push_screen(SignInWithMicrosoftScreen(_no_session, EMAIL_SERVER_ROLE, result=OUTCOMES[outcome]))
        await pilot.pause()

    assert snap_compare(make_app(lang), terminal_size=(80, 24), run_before=run_before)
