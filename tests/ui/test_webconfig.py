"""Web Config, panel only (no simulator): pages, pending edits and rules, tabs, administrator,
CA Certificate, Print Admin Serverless.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from textual.widgets import Input, Select

from panel_tui.ui.dialogs import AdminLoginScreen
from panel_tui.ui.webconfig import WebConfigScreen
from panel_tui.ui.webconfig.catalog import signin_code
from panel_tui.ui.webconfig.email_server_form import EmailServerForm
from panel_tui.ui.webconfig.form_rows import FormRow
from panel_tui.ui.webconfig.notice_pages import LoginRequiredPage
from panel_tui.ui.webconfig.qr_text import qr_lines
from panel_tui.ui.webconfig.signin_screen import format_countdown
from panel_tui.ui.webconfig.tab_bar import WebTabBar
from tests.helpers.panel import click, lock_printer, open_webconfig
from tests.helpers.screen import screen_text, shown_words, text_of


def make_certificate(path, *, ca: bool, cn: str) -> None:
    """A self-signed PEM certificate at `path` (a CA, or a plain server certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


# -- the Basic page: pending edits, rules, OK ------------------------------------------------


async def test_opens_at_email_server_basic_with_the_printers_address(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_webconfig(app, pilot)
        assert "https://192.0.2.10/" in text_of(app, "#wc-address")
        assert screen.page.id == "email_basic"
        assert text_of(app, ".wc-heading") == "Email Server > Basic"
        assert "Administrator Login" in str(app.screen.query_one("#wc-admin").label)
        await pilot.press("escape")
        assert not isinstance(app.screen, WebConfigScreen)


async def test_edits_are_pending_until_ok(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        form = app.screen.query_one(EmailServerForm)
        marker = app.screen.query_one("#email_server-pending")
        assert not marker.has_class("-shown")
        await click(pilot, "#email_server-smtp_server")
        await pilot.press(*"mail.contoso.com")
        app.screen.query_one("#email_server-smtp_port", Input).value = "465"
        await pilot.pause()
        assert marker.has_class("-shown") and marker.display
        assert app.printer.settings.email_server.smtp_server == ""  # nothing sent yet
        assert app.printer.settings.email_server.smtp_port == 25
        await click(pilot, "#email_server-ok")
        applied = app.printer.settings.email_server
        assert (applied.smtp_server, applied.smtp_port) == ("mail.contoso.com", 465)
        assert not marker.has_class("-shown")
        assert text_of(app, "#email_server-result") == "The settings were sent to the printer."
        saved = app.printer.store.load().email_server
        assert (saved.smtp_server, saved.smtp_port) == ("mail.contoso.com", 465)
        assert form.pending == applied


async def test_invalid_port_is_refused_with_its_rule_and_nothing_is_saved(make_app):
    app = make_app("ro")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        before = app.printer.settings
        app.screen.query_one("#email_server-smtp_server", Input).value = "mail.contoso.com"
        port = app.screen.query_one("#email_server-smtp_port", Input)
        port.value = "70000"
        await click(pilot, "#email_server-ok")
        row = app.screen.query_one("#email_server-row-smtp_port", FormRow)
        assert row.error_text == app.t("rule.port_range", min=1, max=65535)
        assert "1" in row.error_text and "65535" in row.error_text
        assert app.printer.settings == before and app.printer.store.load() == before
        assert text_of(app, "#email_server-result") == app.t("webconfig.not_applied")
        assert app.screen.query_one("#email_server-pending").has_class("-shown")
        port.value = "587"  # corrected: the rule goes away and OK sends both fields
        await pilot.pause()
        assert row.error_text == ""
        await click(pilot, "#email_server-ok")
        assert app.printer.settings.email_server.smtp_port == 587
        assert app.printer.settings.email_server.smtp_server == "mail.contoso.com"


async def test_oauth2_and_a_service_fill_in_server_port_and_starttls(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        screen = app.screen
        assert not screen.query_one("#email_server-row-email_service").display
        assert not screen.query_one("#email_server-row-current_status").display
        # Keyboard: open the Authentication Method list and choose OAuth2 (the last choice).
        screen.query_one("#email_server-auth_method", Select).focus()
        await pilot.press("enter", "end", "enter")
        await pilot.pause()
        assert screen.query_one("#email_server-auth_method", Select).value == "oauth2"
        assert screen.query_one("#email_server-smtp_server", Input).value == "smtp-mail.outlook.com"
        assert screen.query_one("#email_server-smtp_port", Input).value == "587"
        assert screen.query_one("#email_server-secure_connection", Select).value == "starttls"
        # The guide: before any sign-in no Current Status is shown, only the Sign In button.
        assert screen.query_one("#email_server-signin").display
        assert not screen.query_one("#email_server-status").display
        assert "Current Status" not in screen_text(app) and "Not signed in" not in screen_text(app)
        # Its figure lists Authenticated Password under OAuth2 too (the sign-in replaces it).
        assert screen.query_one("#email_server-row-password").display
        screen.query_one("#email_server-email_service", Select).value = "outlook_com"
        await pilot.pause()
        assert screen.query_one("#email_server-smtp_server", Input).value == "smtp-mail.outlook.com"
        assert app.printer.settings.email_server.auth_method.value == "off"  # still pending


async def test_closing_the_browser_loses_pending_edits(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        app.screen.query_one("#email_server-smtp_port", Input).value = "465"
        await pilot.pause()
        assert "lost" in text_of(app, "#wc-footer")
        await pilot.press("escape")
        await open_webconfig(app, pilot)
        assert app.screen.query_one("#email_server-smtp_port", Input).value == "25"
        assert app.printer.settings.email_server.smtp_port == 25


async def test_certificate_validation_disable_shows_the_guides_warning(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        warning = app.screen.query_one("#email_server-cert-warning")
        assert not warning.display
        await click(pilot, "#email_server-cert_validation-disable")
        assert warning.display
        assert "without confirming the safety" in str(warning.render())
        await click(pilot, "#email_server-ok")
        assert app.printer.settings.email_server.cert_validation is False


async def test_password_is_never_shown_and_an_empty_box_keeps_it(make_app):
    app = make_app()
    app.printer.update(app.printer.settings.with_field("email_server.password", "s3cret-pass"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        box = app.screen.query_one("#email_server-password", Input)
        assert box.value == "" and box.placeholder == "********" and box.password
        assert "[redacted]" not in shown_words(app)
        assert "s3cret-pass" not in shown_words(app)
        await click(pilot, box)
        await pilot.press("x", "backspace")  # typed, then erased: the saved password stays
        app.screen.query_one("#email_server-smtp_port", Input).value = "465"
        await click(pilot, "#email_server-ok")
        assert app.printer.settings.email_server.password == "s3cret-pass"


async def test_ca_certificate_link_opens_that_page(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        await click(pilot, "#email_server-link-ca")
        assert app.screen.page.id == "ca_certificate"
        assert app.screen.query_one(WebTabBar).active == "network_security"


async def test_panel_keys_do_not_close_the_browser(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_webconfig(app, pilot)
        await pilot.press("h", "j", "s")
        assert app.screen is screen


# -- tabs and the administrator --------------------------------------------------------------


async def test_other_tabs_are_present_and_inert(make_app):
    app = make_app("ro")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_webconfig(app, pilot)
        bar = app.screen.query_one(WebTabBar)
        bar.focus()
        await pilot.press("left")  # Network -> Fax
        await pilot.pause()
        assert app.screen.page.id == "fax_email_server"
        await pilot.press("left", "left")  # -> Print (not emulated)
        await pilot.pause()
        assert bar.active == "print" and app.screen.page is None
        words = shown_words(app)
        assert "Not part of this emulation" in words or app.t("screen.not_emulated_title") in words
        assert not app.screen.query("Input")
        await click(pilot, bar)  # a click at the left edge chooses the first tab
        assert bar.active == "status"


async def test_locked_printer_asks_for_the_administrator(make_app):
    app = make_app()
    lock_printer(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot)
        assert app.screen.query(LoginRequiredPage) and not app.screen.query(EmailServerForm)
        await pilot.press("l")
        assert isinstance(app.screen, AdminLoginScreen)
        await pilot.press(*"wrong-pass", "enter")
        assert isinstance(app.screen, AdminLoginScreen)
        await pilot.press(*app.printer.settings.serial_number, "enter")
        await pilot.pause()
        assert isinstance(app.screen, WebConfigScreen)
        assert app.screen.query(EmailServerForm) and not app.screen.query(LoginRequiredPage)
        assert "Administrator Logout" in str(app.screen.query_one("#wc-admin").label)
        # The footer offers what L does now: log out, not "L administrator login".
        assert "L administrator logout" in text_of(app, "#wc-footer")
        assert "administrator login" not in text_of(app, "#wc-footer")
        await click(pilot, "#wc-admin")  # Administrator Logout
        assert app.screen.query(LoginRequiredPage)
        assert "L administrator login" in text_of(app, "#wc-footer")


# -- Network Security > CA Certificate ---------------------------------------------------------


async def test_ca_certificate_import_good_and_bad_files(make_app, tmp_path):
    app = make_app()
    ca, leaf, junk = tmp_path / "contoso-ca.pem", tmp_path / "server.pem", tmp_path / "notes.txt"
    make_certificate(ca, ca=True, cn="Contoso Mail CA")
    make_certificate(leaf, ca=False, cn="smtp.contoso.com")
    junk.write_text("not a certificate\n")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot, "ca_certificate")
        message = app.screen.query_one("#ca-message")

        async def import_path(path) -> str:
            box = app.screen.query_one("#ca-path", Input)
            box.value = str(path)
            box.focus()
            await pilot.press("enter")
            await pilot.pause()
            return str(message.render())

        assert "No CA certificate" in shown_words(app)
        assert await import_path(tmp_path / "missing.pem") == f"The file {tmp_path / 'missing.pem'} does not exist."
        assert "not a PEM certificate" in await import_path(junk)
        assert "“smtp.contoso.com” is not a CA certificate" in await import_path(leaf)
        assert list(app.printer.paths.ca_dir.glob("*.pem")) == [] if app.printer.paths.ca_dir.exists() else True
        assert await import_path(ca) == "Imported: Contoso Mail CA"
        [stored] = app.printer.paths.ca_dir.glob("*.pem")
        assert "BEGIN CERTIFICATE" in stored.read_text()
        assert "Contoso Mail CA" in shown_words(app) and "2035-12-30" in shown_words(app)
        assert "already imported" in await import_path(ca)
        await click(pilot, "#ca-delete-0")
        assert not stored.exists() and "No CA certificate" in shown_words(app)


# -- Print Admin Serverless ---------------------------------------------------------------------


async def test_serverless_sender_is_pending_until_ok(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_webconfig(app, pilot, "serverless_auth")
        assert app.screen.query_one(WebTabBar).active == "epson_open_platform"
        assert not app.screen.query_one("#serverless-user-note").display
        await click(pilot, "#serverless-user")
        assert app.screen.query_one("#serverless-pending").has_class("-shown")
        assert app.screen.query_one("#serverless-user-note").display
        assert app.printer.settings.serverless_sender == "printer"
        await click(pilot, "#serverless-ok")
        assert app.printer.settings.serverless_sender == "user"
        assert not app.screen.query_one("#serverless-pending").has_class("-shown")


# -- the sign-in modal without a cloud ---------------------------------------------------------


def test_countdown_format():
    assert format_countdown(895) == "14:55" and format_countdown(0) == "00:00"


def test_qr_code_fits_the_modal_and_encodes_the_address():
    lines = qr_lines("https://127.0.0.1:54321/devicelogin")
    assert len(lines) <= 17 and {len(line) for line in lines} == {len(lines[0])} and len(lines[0]) <= 33
    assert set("".join(lines)) <= set(" ▀▄█")


@pytest.mark.parametrize("lang", ["en", "ro"])
async def test_the_sign_in_dialogs_cancel_is_whole_on_a_short_terminal(make_app, lang):
    """A browser window (`serve`) 20 rows high: the QR code gives way, Cancel stays on screen, whole."""
    app = make_app(lang)
    async with app.run_test(size=(100, 20)) as pilot:
        await signin_code(pilot)
        await pilot.pause()
        cancel = app.screen.query_one("#signin-cancel")
        region = cancel.region
        assert region.bottom <= 20 and region.height >= 1, region
        line = app.screen._compositor.render_strips()[region.y].text
        assert app.t("key.cancel") in line[region.x:region.right], line
