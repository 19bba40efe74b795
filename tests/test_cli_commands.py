"""The scriptable commands (`panel-tui signin|signout|status|send|jobs|sheet|config`), run as
subprocesses the way a developer runs them over SSH.

One standalone simulator (`panel-tui sim --json`) serves the whole module; each test uses its
own printer profile in the module's PANEL_TUI_HOME (so the CLI trusts that simulator's CA)
and resets the tenant through SimControl. Nothing waits on a timer: tests wait for output
lines and process exits, with timeouts. Nothing reaches the internet.
"""
from __future__ import annotations

import json
import os
import pty
import re
import signal
import socket
import subprocess

import pytest

from panel_tui.sim.client import SimControl
from tests.helpers.processes import TIMEOUT, Cli, LineReader, cli_env, cli_sign_in, stop_home_simulator
from tests.helpers.tenant import ADMIN, MEGAN, PRINTER, prepare_tenant


@pytest.fixture
def control(cli_control):
    """The standalone simulator's control client (tests/conftest.py), the tenant prepared."""
    return cli_control


# ---- usage errors and checks ----------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["send"],  # --to is required
    ["config"],
    ["config", "set", "smtp_port"],
    ["config", "set", "no_such_field", "1"],
    ["jobs", "retry", "one"],
    ["--lang", "fr", "status"],
])
def test_usage_errors_exit_2(offline_cli, args):
    result = offline_cli.run(*args)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_unknown_field_lists_the_fields(offline_cli):
    result = offline_cli.run("config", "set", "no_such_field", "1")
    assert result.returncode == 2
    assert 'Unknown field "no_such_field"' in result.stderr
    assert "smtp_port" in result.stderr


def test_check_exits_0(offline_cli):
    assert "menus and locales: OK" in offline_cli.ok("check")


# ---- config ---------------------------------------------------------------------------------


def test_config_show_shows_the_sender_and_hides_the_password(offline_cli):
    out = offline_cli.ok("config", "set", "password", "-", input="Hunter2-secret\n")
    assert "Authenticated Password: ********" in out and "[redacted]" not in out
    offline_cli.ok("config", "set", "account", "printer@contoso.onmicrosoft.com")
    offline_cli.ok("config", "set", "sender", "scanner@contoso.onmicrosoft.com")
    offline_cli.ok("config", "set", "pop3_server", "outlook.office365.com")
    shown = offline_cli.ok("config", "show")
    assert "Hunter2-secret" not in shown
    assert re.search(r"password\s+Authenticated Password\s+\*{8}", shown)
    # A real printer shows these; they are how an admin checks a setup.
    assert re.search(r"account\s+Authenticated Account\s+printer@contoso.onmicrosoft.com", shown)
    assert re.search(r"sender\s+Sender's Email Address\s+scanner@contoso.onmicrosoft.com", shown)
    assert re.search(r"pop3_server\s+POP3 Server Address\s+outlook.office365.com", shown)
    assert re.search(r"auth_method\s+Authentication Method\s+Off \(off\)", shown)


def test_config_set_refused_value_prints_the_rule_and_saves_nothing(offline_cli):
    result = offline_cli.run("config", "set", "smtp_port", "70000")
    assert result.returncode == 1
    assert "Not saved: SMTP Server Port Number: Enter a port number from 1 to 65535." in result.stderr
    assert re.search(r"smtp_port\s+SMTP Server Port Number\s+25$", offline_cli.ok("config", "show"), re.M)


def test_config_set_refused_choice_lists_the_choices(offline_cli):
    result = offline_cli.run("config", "set", "auth_method", "basic")
    assert result.returncode == 1
    assert "basic is not one of the choices." in result.stderr
    assert "Choices: off, smtp_auth, pop_before_smtp, oauth2" in result.stderr


def test_config_set_oauth2_applies_the_service_defaults(offline_cli):
    out = offline_cli.ok("config", "set", "auth_method", "oauth2")
    assert "Saved: Authentication Method." in out
    assert "SMTP Server Address: smtp-mail.outlook.com" in out  # the guide's value
    shown = offline_cli.ok("config", "show")
    assert re.search(r"auth_method\s+Authentication Method\s+OAuth2 \(oauth2\)", shown)
    assert re.search(r"smtp_server\s+SMTP Server Address\s+smtp-mail.outlook.com", shown)
    assert re.search(r"smtp_port\s+SMTP Server Port Number\s+587", shown)
    assert re.search(r"secure_connection\s+Secure Connection\s+STARTTLS \(starttls\)", shown)


def test_config_fax_section_is_separate(offline_cli):
    offline_cli.ok("config", "set", "--fax", "smtp_port", "465")
    assert re.search(r"smtp_port\s+\S.*\s465$", offline_cli.ok("config", "show", "--fax"), re.M)
    assert re.search(r"smtp_port\s+\S.*\s25$", offline_cli.ok("config", "show"), re.M)


def test_locked_settings_need_the_admin_password_from_the_environment(offline_cli, monkeypatch):
    printer = offline_cli.printer(monkeypatch)
    printer.update(printer.settings.with_field("lock_setting", True))
    locked = offline_cli.run("config", "set", "smtp_port", "587")
    assert locked.returncode == 1 and "PANEL_TUI_ADMIN_PASSWORD" in locked.stderr
    wrong = offline_cli.run("config", "set", "smtp_port", "587", PANEL_TUI_ADMIN_PASSWORD="nope")
    assert wrong.returncode == 1 and "The password is incorrect." in wrong.stderr
    # Until one is set, the administrator password is the serial number.
    offline_cli.ok("config", "set", "smtp_port", "587", PANEL_TUI_ADMIN_PASSWORD=printer.settings.serial_number)
    assert re.search(r"smtp_port\s+\S.*\s587$", offline_cli.ok("config", "show"), re.M)


# ---- the guide from the command line ----------------------------------------------------------


def test_status_before_sign_in_says_not_signed_in(cli):
    cli.ok("config", "set", "auth_method", "oauth2")
    out = cli.ok("status")
    assert out.startswith("Email Server Status\n")
    assert re.search(r"Current Status\s+Not signed in", out)
    assert re.search(r"Authenticated Account\s+Not set", out)  # no sign-in yet, nothing typed


def test_send_when_not_signed_in_fails_with_360_and_the_fix(cli):
    cli.ok("config", "set", "auth_method", "oauth2")
    result = cli.run("send", "--to", MEGAN.upn)
    assert result.returncode == 1
    assert "Job 1 (Test Email) failed with error code 360." in result.stderr
    assert ("Error code 360: To use this feature, you must sign in to the email service. "
            "Please contact the administrator.") in result.stderr
    assert "Fix (Printer administrator): In Web Config, open Network > Email Server > Basic." in result.stderr
    assert "From the command line: panel-tui signin" in result.stderr


def test_a_failed_send_reads_the_same_in_send_jobs_show_and_json(cli, control):
    """Security defaults on, a printer on SMTP-AUTH (Basic, which they block): `send`, `jobs show`
    and `jobs --json` give the cause stored with the job."""
    for name, value in (("auth_method", "smtp_auth"), ("account", PRINTER.upn), ("smtp_server", "smtp.office365.com"),
                        ("smtp_port", "587"), ("secure_connection", "starttls")):
        cli.ok("config", "set", name, value)
    cli.ok("config", "set", "password", "-", input=PRINTER.password + "\n")
    control.set_security_defaults(True)
    sent = cli.run("send", "--to", MEGAN.upn)
    assert sent.returncode == 1
    message = ("Exchange refuses the account and password (Basic authentication) for SMTP AUTH because security "
               "defaults are on (535 5.7.139 ... locked by your organization's security defaults policy).")
    fix = "Fix (Microsoft 365 administrator): Microsoft Entra admin center > Identity > Overview"
    assert f"Error code 312: {message}" in sent.stderr and fix in sent.stderr
    shown = cli.ok("jobs", "show", "1")
    assert f"Error code 312: {message}" in shown and fix in shown
    assert "An authentication error occurred" not in sent.stderr + shown  # not the code's generic words
    (row,) = [json.loads(line) for line in cli.ok("jobs", "--json").splitlines()]
    assert (row["cause"], row["message"], row["fixer"]) == ("smtp_auth_security_defaults", message, "tenant_admin")
    assert row["fix"] in sent.stderr


def test_sign_in_send_jobs_retry_sheet_and_sign_out(cli, control, tmp_path):
    cli.ok("config", "set", "auth_method", "oauth2")
    cli.ok("config", "set", "password", "-", input="Hunter2-secret\n")
    assert cli.run("send", "--to", MEGAN.upn, "--subject", "Before sign-in").returncode == 1  # job 1: 360

    proc = cli_sign_in(cli, control)
    assert proc.returncode == 0, (proc.stdout_text, proc.stderr_text)
    assert proc.browser["signed_in"]
    assert "You have signed in." in proc.stdout_text
    assert f"Authenticated Account: {PRINTER.upn}" in proc.stdout_text
    assert "█" not in proc.stdout_text  # no QR code when stdout is not a terminal

    assert re.search(r"Current Status\s+Signed in$", cli.ok("status"), re.M)

    pdf = tmp_path / "file.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% panel_tui CLI test\n%%EOF\n")
    out = cli.ok("send", "--to", MEGAN.upn, "--subject", "CLI attachment", "--attach", str(pdf))  # job 2
    assert "Job 2 (Test Email): completed." in out
    assert re.search(r"Server reply: 2\.0\.0 OK <\S+> \[Hostname=\S+\.PROD\.OUTLOOK\.COM\]", out), out
    [message] = control.mailbox(MEGAN.upn)
    assert message["subject"] == "CLI attachment"
    assert message["from"] == PRINTER.upn
    assert [a["filename"] for a in message["attachments"]] == ["file.pdf"]

    table = cli.ok("jobs").splitlines()
    assert re.match(r"ID\s+Time\s+Job\s+Result\s+Code$", table[0])
    assert re.match(r"2\s+\S+ \S+\s+Test Email\s+Completed$", table[1])
    assert re.match(r"1\s+\S+ \S+\s+Test Email\s+Error\s+360$", table[2])
    rows = [json.loads(line) for line in cli.ok("jobs", "--json").splitlines()]
    assert [(r["id"], r["result"], r["error_code"]) for r in rows] == [(2, "ok", None), (1, "error", 360)]

    out = cli.ok("jobs", "retry", "1")  # the failed job, now that the printer is signed in: job 3
    assert "Job 3 (Test Email): completed." in out
    assert sorted(m["subject"] for m in control.mailbox(MEGAN.upn)) == ["Before sign-in", "CLI attachment"]
    refused = cli.run("jobs", "retry", "2")
    assert refused.returncode == 1 and "Job 2 cannot be sent again" in refused.stderr

    sheet = cli.ok("sheet")
    assert "Network Status Sheet" in sheet and "********" in sheet and "[redacted]" not in sheet
    assert re.search(r"Current Status \.+ Signed in$", sheet, re.M)
    assert "Hunter2-secret" not in sheet and PRINTER.upn in sheet  # the account is shown, as on a printer

    out = cli.ok("signout")
    assert f"Signed out: the tokens of {PRINTER.upn} were deleted from this printer." in out
    assert re.search(r"Current Status\s+Not signed in$", cli.ok("status"), re.M)
    again = cli.run("send", "--to", MEGAN.upn)
    assert again.returncode == 1 and "failed with error code 360." in again.stderr
    assert "Not signed in: there was nothing to delete." in cli.ok("signout")


def test_sign_in_without_oauth2_applied_says_how_to_apply_it(cli, control):
    proc = cli_sign_in(cli, control)
    assert proc.returncode == 0
    assert "panel-tui config set auth_method oauth2" in proc.stdout_text
    # The guide's trap: signed in, but the applied settings do not use OAuth2.
    result = cli.run("send", "--to", MEGAN.upn)
    assert result.returncode == 1 and "error code 360" in result.stderr
    assert "panel-tui config set auth_method oauth2" in result.stderr


def test_fax_server_signs_in_on_its_own(cli, control):
    cli.ok("config", "set", "auth_method", "oauth2")
    cli.ok("config", "set", "--fax", "auth_method", "oauth2")
    proc = cli_sign_in(cli, control, PRINTER, "--fax")
    assert proc.returncode == 0, proc.stderr_text
    assert "panel-tui config set" not in proc.stdout_text  # the fax server's method is OAuth2 already
    assert re.search(r"Current Status\s+Not signed in$", cli.ok("status"), re.M)  # the email server is apart
    assert "Not signed in: there was nothing to delete." in cli.ok("signout")
    assert f"Signed out: the tokens of {PRINTER.upn}" in cli.ok("signout", "--fax")


def test_send_scan_attaches_the_emulated_scanned_page(cli, control):
    """The README's example is self-contained: `send --scan` needs no file of the user's."""
    cli.ok("config", "set", "auth_method", "oauth2")
    proc = cli_sign_in(cli, control)
    assert proc.returncode == 0
    # The same instruction as Web Config's: an administrator signs in and consents first.
    assert "global administrator rights" in proc.stdout_text
    assert "Consent on behalf of your organization" in proc.stdout_text
    assert "printer's Microsoft account" not in proc.stdout_text
    out = cli.ok("send", "--to", MEGAN.upn, "--scan")
    assert "(Scan to Email): completed." in out
    [message] = control.mailbox(MEGAN.upn)
    [attachment] = message["attachments"]
    assert attachment["filename"].endswith(".pdf")
    both = cli.run("send", "--to", MEGAN.upn, "--scan", "--attach", "README.md")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_sign_in_blocked_by_conditional_access_fails_with_its_code_and_fix(cli, control):
    control.set_conditional_access_block(True)
    proc = cli_sign_in(cli, control)
    assert proc.returncode == 1
    assert "The sign-in was blocked by a conditional access policy." in proc.stderr_text
    assert "Error code 312: Sign-in was blocked by a Microsoft Entra ID conditional access policy." in proc.stderr_text
    assert "Fix (Microsoft 365 administrator): Check the conditional access policies" in proc.stderr_text


def test_sign_in_on_a_terminal_shows_a_qr_code_and_ctrl_c_cancels(cli):
    master, slave = pty.openpty()
    proc = subprocess.Popen(cli.argv("signin"), env=cli_env(cli.home), stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.PIPE, text=True)
    os.close(slave)
    out = LineReader(os.fdopen(master, "r", encoding="utf-8", errors="replace"))
    out.expect(r"^code: \S+$")
    out.expect(r"█")  # the QR code of the URL, in block characters
    out.expect(r"Ctrl\+C")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=TIMEOUT) == 1
    stderr = proc.stderr.read()
    assert "The sign-in was cancelled." in stderr
    assert "Traceback" not in stderr


# ---- other failures -----------------------------------------------------------------------------


def test_send_refuses_a_bad_address_and_a_missing_attachment(cli, tmp_path):
    bad = cli.run("send", "--to", "not-an-address")
    assert bad.returncode == 1
    assert 'Not sent: "not-an-address": Enter an email address in the form name@domain.' in bad.stderr
    missing = cli.run("send", "--to", MEGAN.upn, "--attach", str(tmp_path / "nowhere.pdf"))
    assert missing.returncode == 2 and "Cannot read the file to attach" in missing.stderr
    assert "No jobs yet." in cli.ok("jobs")


def test_retry_of_an_unknown_job_fails(cli):
    result = cli.run("jobs", "retry", "42")
    assert result.returncode == 1 and "There is no job 42 in the job log." in result.stderr


def test_live_mode_without_client_id_explains_the_app_registration(offline_cli):
    for command in (["signin"], ["send", "--to", MEGAN.upn], ["status"]):
        result = offline_cli.run("--live", *command)
        assert result.returncode == 1, command
        assert "Live mode needs the application (client) ID of your own app registration." in result.stderr
        assert "Allow public client flows = Yes" in result.stderr
        assert "SMTP.Send" in result.stderr
    assert "No jobs yet." in offline_cli.ok("--live", "jobs")  # nothing was attempted


def test_live_mode_with_a_client_id_reads_the_state_without_the_network(offline_cli):
    """Status needs no request to Microsoft: the sign-in state is in the profile's files."""
    out = offline_cli.ok("--live", "--client-id", "00000000-0000-0000-0000-000000000000", "status")
    assert out.startswith("Email Server Status\n")


def test_sign_in_when_the_identity_provider_fails_prints_313(cli, control):
    control.set_fault("idp_5xx", True)
    try:
        result = cli.run("signin")
    finally:
        control.set_fault("idp_5xx", False)
    assert result.returncode == 1
    assert "code:" not in result.stdout
    assert "Error code 313: Could not reach the Microsoft sign-in service." in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_simulator_fails_clearly(cli_home):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = Cli(cli_home, "unreachable", f"https://127.0.0.1:{port}").run("status")
    assert result.returncode == 1
    assert "cannot reach the simulator" in result.stderr and "panel-tui sim" in result.stderr


# ---- language -------------------------------------------------------------------------------------


def test_lang_ro_gives_romanian_output(cli):
    cli.ok("config", "set", "auth_method", "oauth2")
    assert re.search(r"auth_method\s+Metodă de autentificare\s+OAuth2", cli.ok("--lang", "ro", "config", "show"))
    result = cli.run("--lang", "ro", "send", "--to", MEGAN.upn)
    assert result.returncode == 1
    assert ("Cod de eroare 360: Pentru a utiliza această funcție, trebuie să vă conectați la serviciul "
            "de e-mail. Vă rugăm să contactați administratorul.") in result.stderr
    assert "Operație" in cli.ok("--lang", "ro", "jobs")
    assert "Metodă de autentificare" not in cli.ok("status")  # --lang did not change the profile


def test_output_follows_the_profile_language(cli, monkeypatch):
    printer = cli.printer(monkeypatch)
    printer.update(printer.settings.with_field("language", "ro"))
    out = cli.ok("status")
    assert out.startswith("Stare server e-mail\n")
    assert "Email Server Status" in cli.ok("--lang", "en", "status")


# ---- the home's simulator (no --sim-url) --------------------------------------------------------


def test_commands_join_the_home_simulator_and_share_its_state(tmp_path):
    """The first command starts the home's simulator in the background; the next ones join it."""
    embedded = Cli(tmp_path / "embedded-home", "default", None)
    try:
        embedded.ok("config", "set", "auth_method", "oauth2")
        assert re.search(r"Current Status\s+Not signed in", embedded.ok("status"))
        proc = embedded.popen("signin")
        out = LineReader(proc.stdout)
        code = out.expect(r"^code: (\S+)$").group(1)
        base_url = out.expect(r"^url: (https://127\.0\.0\.1:\d+)/devicelogin$").group(1)
        ca = embedded.home / "simulator" / "pki" / "ca.pem"
        with SimControl(base_url + "/_sim", ca) as control:
            prepare_tenant(control)
            assert control.approve_device_code(code, ADMIN.upn, ADMIN.password, consent_for_org=True)["signed_in"]
            pid = control.pid()
        assert proc.wait(timeout=TIMEOUT) == 0, (out.rest(), proc.stderr.read())
        proc.stdout.close()
        proc.stderr.close()
        assert re.search(r"Current Status\s+Signed in", embedded.ok("status"))
        assert "completed." in embedded.ok("send", "--to", MEGAN.upn)
        with SimControl(base_url + "/_sim", ca) as control:  # one simulator served every command
            assert control.pid() == pid != proc.pid
    finally:
        stop_home_simulator(embedded.home)
