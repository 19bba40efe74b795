"""`panel-tui doctor` against simulator tenants prepared right and misconfigured each way."""
from __future__ import annotations

import argparse
import asyncio
import base64
import io
import re

import pytest

from panel_tui import scenarios
from panel_tui.assembly import open_backend
from panel_tui.backend import BackendOptions
from panel_tui.cli import main
from panel_tui.doctor import FAIL, PASS, STEPS, Doctor, command
from panel_tui.i18n import Translator
from tests.helpers.tenant import PRINTER


@pytest.fixture
def open_printer(sim_thread, sim_control):
    """(printer, backend) of a fresh profile on the shared test simulator, with options."""
    opened = []

    def factory(**options):
        printer, backend = open_backend("default", BackendOptions(**options))
        backend.use_endpoints(sim_thread.endpoints)
        opened.append(backend)
        return printer, backend

    yield factory
    for backend in opened:
        backend.stop()


def run(printer, backend, scenario: str | None = None) -> dict:
    if scenario is not None:
        scenarios.run_scenario(scenario, printer, backend)
    checks = Doctor(printer, backend).run()
    assert [c.step for c in checks] == list(STEPS)
    return {c.step: c for c in checks}


def failed(checks: dict) -> dict[str, str]:
    """step -> fix key of every failed step."""
    return {step: c.fix_key for step, c in checks.items() if c.ok is False}


def test_a_prepared_tenant_passes_every_step(open_printer):
    printer, backend = open_printer()
    checks = run(printer, backend, "signed-in")
    assert failed(checks) == {}
    assert all(c.mark == PASS for c in checks.values())
    assert "printer@contoso.onmicrosoft.com" in checks["token"].detail
    assert "valid until" in checks["token"].detail
    assert "XOAUTH2" in checks["smtp"].detail


@pytest.mark.parametrize(("scenario", "cause"), [
    ("app-single-tenant", "app_single_tenant"),
    ("app-public-flows-off", "public_client_flows_off"),
    ("app-not-registered", "app_not_found"),
])
def test_a_misregistered_app_fails_the_app_step_with_its_fix(open_printer, scenario, cause):
    printer, backend = open_printer()
    checks = run(printer, backend, scenario)
    assert checks["discovery"].ok and checks["tenant"].ok and checks["smtp"].ok and checks["settings"].ok
    assert failed(checks) == {"app": f"cause.{cause}.fix", "token": "cause.not_signed_in.fix"}
    assert checks["app"].mark == FAIL


def test_a_single_tenant_app_passes_with_its_tenant(open_printer, sim_control):
    printer, backend = open_printer()
    scenarios.run_scenario("app-single-tenant", printer, backend)
    printer, backend = open_printer(tenant="contoso.onmicrosoft.com")
    checks = run(printer, backend)
    assert checks["app"].ok is True
    assert checks["tenant"].detail.startswith("contoso.onmicrosoft.com = ")


def test_an_unknown_tenant_fails_the_tenant_step_and_skips_the_app(open_printer):
    printer, backend = open_printer(tenant="fabrikam.onmicrosoft.com")
    checks = run(printer, backend, None)
    assert checks["tenant"].fix_key == "cause.unknown_tenant.fix"
    assert "AADSTS90002" in checks["tenant"].detail
    assert checks["app"].ok is None


def test_the_sign_in_service_down_fails_discovery(open_printer, sim_control):
    printer, backend = open_printer()
    scenarios.run_scenario("signed-in", printer, backend)
    sim_control.set_fault("idp_down", True)
    checks = run(printer, backend)
    assert failed(checks) == {"discovery": "cause.idp_unavailable.fix"}
    assert (checks["tenant"].ok, checks["app"].ok) == (None, None)
    assert checks["token"].ok  # the cached sign-in is read without the network


def test_the_smtp_server_down_fails_the_smtp_step(open_printer, sim_control):
    printer, backend = open_printer()
    scenarios.run_scenario("signed-in", printer, backend)
    sim_control.set_fault("smtp_down", True)
    checks = run(printer, backend)
    assert failed(checks) == {"smtp": "cause.connection_failed.fix"}


def test_a_fresh_printer_fails_settings_and_token(open_printer):
    printer, backend = open_printer()
    checks = run(printer, backend, "fresh")
    assert failed(checks) == {"settings": "cause.auth_method_not_oauth2.fix", "token": "cause.not_signed_in.fix"}


def test_settings_on_the_wrong_port_are_named(open_printer):
    printer, backend = open_printer()
    scenarios.run_scenario("signed-in", printer, backend)
    printer.update(lambda s: s.with_field("email_server.smtp_port", 25))
    checks = run(printer, backend)
    assert failed(checks)["settings"] == "doctor.fix.settings_server"


def _args(**values) -> argparse.Namespace:
    base = {"profile": "default", "lang": None, "live": False, "client_id": None, "tenant": None, "sim_url": None}
    return argparse.Namespace(**{**base, **values})


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Live mode needs", "App registrations")),
    ("ro", ("Live mode needs", "App registrations")),
])
def test_live_without_a_client_id_says_how_to_register(lang, words):
    out, err = io.StringIO(), io.StringIO()
    assert command(_args(live=True, lang=lang), out, err) == 1
    for word in words:
        assert word in err.getvalue()


def test_the_command_prints_marks_and_fixes_and_exits_1(sim_thread, sim_control, monkeypatch):
    """The command on the embedded simulator of a fresh home: ✓ and ✗ lines, fixes, exit 1."""
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    assert main(["--lang", "ro", "doctor"]) == 1
    text = out.getvalue()
    assert f"{PASS} Serviciul de conectare" in text
    assert f"{FAIL} Conectare și token" in text
    assert "    Soluție (" in text
    assert "2 verificare(ări) au eșuat." in text


def test_security_defaults_scenario_fails_sends_with_its_own_cause(open_printer):
    printer, backend = open_printer()
    checks = run(printer, backend, "security-defaults-on")
    # Security defaults block Basic only: OAuth 2.0 authenticates, as the send will.
    assert failed(checks) == {} and checks["auth"].ok
    assert asyncio.run(backend.jobs.connection_check()).ok
    printer.update(lambda s: s.with_field("email_server.auth_method", "smtp_auth")
                   .with_field("email_server.account", "printer@contoso.onmicrosoft.com")
                   .with_field("email_server.password", "Sim-Printer-2024"))
    checks = run(printer, backend)
    assert failed(checks)["auth"] == "cause.smtp_auth_security_defaults.fix"
    outcome = asyncio.run(backend.jobs.connection_check())
    assert (outcome.error.cause_name, outcome.job.error_code) == ("smtp_auth_security_defaults", 312)


def test_app_without_smtp_send_scenario_needs_admin_approval(open_printer, sim_control):
    printer, backend = open_printer()
    scenarios.run_scenario("app-without-smtp-send", printer, backend)
    app = sim_control.app_registration(sim_control.state()["apps"][0]["client_id"])
    assert app["smtp_send"] is False
    session = backend.session_for(printer.settings.email_server)
    flow = session.start_device_flow()
    page = sim_control.approve_device_code(flow.user_code, PRINTER.upn, PRINTER.password)
    assert page["page"] == "admin-approval"
    assert session.wait_for_device_flow(flow).cause_name == "consent_required"


# -- the auth step: a real AUTH, its transcript masked, a refusal's cause named ----------------


def test_signed_in_printer_authenticates_with_the_cached_token(open_printer):
    printer, backend = open_printer()
    checks = run(printer, backend, "signed-in")
    auth = checks["auth"]
    assert auth.ok and "AUTH XOAUTH2 accepted (nothing was sent)" in auth.detail
    transcript = "\n".join(auth.transcript)
    assert "C: STARTTLS" in transcript and "C: AUTH XOAUTH2 ********" in transcript
    assert "S: 235 2.7.0 Authentication successful" in transcript
    token = backend.session_for(printer.settings.email_server).acquire_token_for_send()
    assert token not in transcript and token[:40] not in transcript


def test_doctor_fails_where_the_next_send_fails(open_printer, sim_control):
    """Before this step the doctor passed while the next send failed with 312."""
    printer, backend = open_printer()
    scenarios.run_scenario("signed-in", printer, backend)
    sim_control.set_smtp_auth_mailbox(PRINTER.upn, False)
    checks = run(printer, backend)
    assert failed(checks) == {"auth": "cause.smtp_auth_disabled_mailbox.fix"}
    assert checks["auth"].message_key == "cause.smtp_auth_disabled_mailbox.message"
    assert any("S: 535 5.7.139" in line and "for the Mailbox" in line for line in checks["auth"].transcript)


def test_basic_after_the_cutoff_is_named_and_the_password_masked(open_printer):
    printer, backend = open_printer()
    checks = run(printer, backend, "basic-cutoff")
    auth = checks["auth"]
    assert (auth.ok, auth.fix_key) == (False, "cause.basic_auth_disabled.fix")
    transcript = "\n".join(auth.transcript)
    assert "C: AUTH PLAIN ********" in transcript
    assert "basic authentication is disabled" in transcript
    password = printer.settings.email_server.password
    for secret in (password, base64.b64encode(password.encode()).decode()):
        assert secret not in transcript and secret not in auth.detail


def test_the_command_prints_the_transcript_and_the_cause(sim_thread, sim_control, monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    printer, backend = open_backend("default", BackendOptions())  # the home's own simulator, as the command's
    try:
        scenarios.run_scenario("basic-cutoff", printer, backend)
    finally:
        backend.stop()
    assert main(["--lang", "ro", "doctor"]) == 1
    text = out.getvalue()
    assert f"{FAIL} Autentificare (SMTP AUTH, fără trimitere)" in text
    assert "autentificarea de bază" in text  # the cause's message, in Romanian
    assert "C: AUTH PLAIN ********" in text and "S: 535 5.7.139" in text
    assert "Sim-Printer-2024" not in text + err.getvalue()


# The product's own words (Microsoft's and Exchange's quoted replies, e.g. an AADSTS description,
# stay as the service sent them).
ENGLISH_OR_RAW = ("not given", "any work or school", "not signed in", ": expired", "valid until", "renewed",
                  "refresh token", "sender", "auth_method", "exchange_online", "starttls,", " off", "name not found",
                  "accepted")


@pytest.mark.parametrize("scenario", ["signed-in", "fresh", "token-expired"])
def test_doctor_in_romanian_has_no_english_words_nor_raw_ids(open_printer, scenario):
    printer, backend = open_printer()
    scenarios.run_scenario(scenario, printer, backend)
    translator = Translator.load()
    translator.set_language("ro")
    details = [c.detail for c in Doctor(printer, backend, translator.t).run()]
    text = "\n".join(re.sub(r"AADSTS\d+: .*", "", detail) for detail in details)  # Microsoft's own reply
    for words in ENGLISH_OR_RAW:
        assert words not in text, (words, text)
    if scenario == "signed-in":
        assert "valabil până la" in text and "Microsoft Exchange Online" in text and "STARTTLS" in text


def test_doctor_takes_lang_after_the_command(sim_thread, sim_control, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert main(["doctor", "--lang", "ro"]) == 1
    assert "Neautentificat" in out.getvalue() and "not signed in" not in out.getvalue()
