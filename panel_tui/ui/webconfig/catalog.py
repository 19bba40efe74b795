"""Every Web Config page and sign-in state as a screen recipe (shared by the snapshot tests and
the review gallery through panel_tui.ui.catalog.all_recipes).

The sign-in screen is built from a fixed DeviceFlow (no real random code); the real flow is
covered by tests/ui/test_webconfig_e2e.py.
"""
from __future__ import annotations

import dataclasses
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from textual.widgets import Select

from panel_tui.device.clock import SNAPSHOT_TIME
from panel_tui.device.status_sheet import SignInInfo
from panel_tui.mail.auth import EMAIL_SERVER_ROLE, DeviceFlow, SignInResult
from panel_tui.ui.screen_recipe import ScreenRecipe
from panel_tui.ui.webconfig import WebConfigScreen
from panel_tui.ui.webconfig.email_server_form import EmailServerForm
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen

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
    raise AssertionError("a screen recipe must not reach the cloud")


async def _open(pilot, page: str | None = None) -> None:
    pilot.app.push_screen(WebConfigScreen(page))
    await pilot.pause()
    await pilot.pause()


async def _choose_oauth2(pilot, section: str) -> None:
    pilot.app.screen.query_one(f"#{section}-auth_method", Select).value = "oauth2"
    await pilot.pause()


async def _signin(pilot, **kwargs) -> None:
    await _open(pilot)
    pilot.app.push_screen(SignInWithMicrosoftScreen(_no_session, EMAIL_SERVER_ROLE, **kwargs))
    await pilot.pause()


def write_ca_certificate(path, cn: str = "Contoso Mail CA") -> None:
    """A self-signed CA certificate (PEM) with fixed dates, for the CA Certificate page."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = SNAPSHOT_TIME.replace(month=1, day=1, hour=0, minute=0)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


async def basic_pending(pilot) -> None:
    """Network > Email Server > Basic: OAuth2 chosen, not signed in, not sent yet."""
    await _open(pilot)
    await _choose_oauth2(pilot, "email_server")


async def basic_expired(pilot) -> None:
    """The guide's expiry case on the Basic page: Current Status expired, Sign In to fix it, Sign Out."""
    await basic_pending(pilot)
    form = pilot.app.screen.query_one(EmailServerForm)
    form.signin = SignInInfo("expired", "printer@contoso.onmicrosoft.com")
    form._show_signin()
    await pilot.pause()


async def signin_code(pilot) -> None:
    await _signin(pilot, flow=FIXED_FLOW)


async def signin_start(pilot) -> None:
    await _signin(pilot)


async def ca_certificate(pilot) -> None:
    ca_dir = pilot.app.printer.paths.ca_dir
    ca_dir.mkdir(parents=True, exist_ok=True)
    write_ca_certificate(ca_dir / "contoso-mail-ca.pem")
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
    app = pilot.app
    app.printer.update(dataclasses.replace(app.printer.settings, lock_setting=True))
    await _open(pilot)


def _outcome(result: SignInResult):
    async def steps(pilot) -> None:
        await _signin(pilot, result=result)
    return steps


RECIPES: tuple[ScreenRecipe, ...] = (
    *(ScreenRecipe(f"webconfig_{f.__name__}", steps=f, main=True)
      for f in (basic_pending, signin_code, ca_certificate, fax_server, serverless, inert_tab)),
    *(ScreenRecipe(f"webconfig_{f.__name__}", steps=f) for f in (signin_start, locked, basic_expired)),
    *(ScreenRecipe(f"webconfig_signin_{name}", steps=_outcome(result)) for name, result in OUTCOMES.items()),
)


def _focus(selector: str):
    """Web Config with the keyboard focus on one control (the focus must be seen at a glance)."""
    async def steps(pilot) -> None:
        await basic_pending(pilot)
        pilot.app.screen.query_one(selector).focus()
        await pilot.pause()
    steps.__name__ = f"focus_{selector.strip('#').replace('email_server-', '')}"
    return steps


FOCUS_RECIPES: tuple[ScreenRecipe, ...] = tuple(
    ScreenRecipe(f"webconfig_{_focus(s).__name__}", steps=_focus(s))
    for s in ("#email_server-ok", "#email_server-auth_method", "#email_server-link-ca", "#email_server-cert_validation")
)
RECIPES = RECIPES + FOCUS_RECIPES
