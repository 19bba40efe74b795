from __future__ import annotations

import dataclasses
import re
import stat

import pytest

from panel_tui.device.admin import set_admin_password
from panel_tui.device.settings import DeviceSettings, EmailServerSettings
from panel_tui.device.status_sheet import (
    SHEET_WIDTH,
    SignInInfo,
    StatusRow,
    email_server_status_rows,
    mac_address,
    network_status_rows,
    render_status_sheet,
    write_status_sheet,
)
from tests.helpers.locales import translator

PASSWORD = "Pa55-w0rd!"
ACCOUNT = "admin@contoso.onmicrosoft.com"
SENDER = "printer@contoso.onmicrosoft.com"
POP3 = "pop3.contoso.example"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2ln"


def configured() -> DeviceSettings:
    email = (
        EmailServerSettings()
        .with_field("auth_method", "oauth2")
        .with_field("account", ACCOUNT)
        .with_field("password", PASSWORD)
        .with_field("sender", SENDER)
        .with_field("pop3_server", POP3)
        .with_field("pop3_port", "995")
    )
    settings = set_admin_password(DeviceSettings(), "Adm1nPassw0rd")
    return dataclasses.replace(settings, email_server=email, time_difference_minutes=120)


def test_email_rows_follow_the_guide():
    rows = email_server_status_rows(configured(), SignInInfo("signed_in", ACCOUNT))
    by_label = {row.label_key: row for row in rows}
    assert [row.label_key for row in rows][:3] == ["field.auth_method", "field.email_service", "field.current_status"]
    assert by_label["field.current_status"] == StatusRow("field.current_status", "value.signin.signed_in", True)
    assert by_label["field.smtp_server"] == StatusRow("field.smtp_server", "smtp-mail.outlook.com", False)
    assert by_label["field.smtp_port"].value == "587"
    assert by_label["field.secure_connection"].value == "value.secure_connection.starttls"
    # As on a real printer: only the password is masked; account, sender and POP3 are shown.
    assert by_label["field.password"] == StatusRow("field.password", "value.password_mask", True)
    assert by_label["field.account"] == StatusRow("field.account", ACCOUNT, False)
    assert by_label["field.sender"] == StatusRow("field.sender", SENDER, False)
    assert by_label["field.pop3_server"] == StatusRow("field.pop3_server", POP3, False)
    assert by_label["field.pop3_port"] == StatusRow("field.pop3_port", "995", False)


def test_current_status_only_with_oauth2_and_empty_server_not_set():
    rows = email_server_status_rows(DeviceSettings(), SignInInfo())
    assert "field.current_status" not in [row.label_key for row in rows]
    assert StatusRow("field.smtp_server", "value.not_set", True) in rows


def test_signin_states():
    assert SignInInfo("expired").state_key == "value.signin.expired"
    with pytest.raises(ValueError):
        SignInInfo("maybe")  # type: ignore[arg-type]


def test_network_rows():
    settings = DeviceSettings()
    values = {row.label_key: row.value for row in network_status_rows(settings)}
    assert values["field.ip_address"] == "192.0.2.10"
    assert values["field.subnet_mask"] == "255.255.255.0"
    assert values["field.default_gateway"] == "192.0.2.1"
    assert values["field.serial_number"] == settings.serial_number
    assert values["field.connection"] == "value.connection.wired_lan"
    assert values["field.mac_address"] == mac_address(settings.serial_number)
    assert re.fullmatch(r"02(:[0-9A-F]{2}){5}", values["field.mac_address"])
    assert mac_address("A") != mac_address("B")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_sheet_is_paper_width_translated_and_redacted(lang, clock):
    settings = configured()
    text = render_status_sheet(settings, SignInInfo("signed_in", ACCOUNT), translator(lang), clock.now())
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= SHEET_WIDTH
    assert text.count(translator(lang)("value.password_mask")) == 1  # the password, masked in the locale's way
    assert "[redacted]" not in text
    assert "14/03/2026" not in text and "2026-03-14 11:26 (UTC+02:00)" in text
    assert settings.printer_name in text and settings.serial_number in text
    for secret in (PASSWORD, settings.admin_password_hash, "Adm1nPassw0rd"):
        assert secret not in text
    for shown in (ACCOUNT, SENDER, POP3, "995"):
        assert shown in text
    assert not re.search(r"eyJ|[A-Za-z0-9+/_]{32,}|pbkdf2", text)
    t = translator(lang)
    for key in ("sheet.title", "sheet.section.network", "sheet.section.email_server", "field.auth_method",
                "value.signin.signed_in", "field.sender"):
        assert t(key) in text


def test_the_signed_in_account_is_the_authenticated_account(clock):
    email = configured().email_server.with_field("account", "")
    settings = dataclasses.replace(configured(), email_server=email)
    rows = {r.label_key: r.value for r in email_server_status_rows(settings, SignInInfo("signed_in", SENDER))}
    assert rows["field.account"] == SENDER
    text = render_status_sheet(settings, SignInInfo("expired", SENDER), translator("en"), clock.now())
    assert SENDER in text and PASSWORD not in text and TOKEN[:20] not in text
    rows = {r.label_key: r.value for r in email_server_status_rows(settings, SignInInfo())}
    assert rows["field.account"] == "value.not_set"


def test_sheet_romanian_uses_guide_wording(clock):
    text = render_status_sheet(configured(), SignInInfo("signed_in"), translator("ro"), clock.now())
    for words in ("Metodă de autentificare", "Serviciu de e-mail", "Stare curentă", "Autentificat",
                  "Adresă e-mail expeditor", "Server e-mail"):
        assert words in text


def test_long_values_wrap_within_width(clock):
    server = ".".join(["a" * 63] * 4)
    settings = DeviceSettings().with_field("email_server.smtp_server", server)
    text = render_status_sheet(settings, SignInInfo(), translator("en"), clock.now())
    assert max(len(line) for line in text.splitlines()) <= SHEET_WIDTH
    assert server in "".join(line.strip() for line in text.splitlines())


def test_write_status_sheet(paths, clock):
    text = render_status_sheet(DeviceSettings(), SignInInfo(), translator("en"), clock.now())
    first = write_status_sheet(paths, text, clock.now())
    assert first == paths.sheets_dir / "network-status-20260314-092600.txt"
    assert first.read_text(encoding="utf-8") == text
    second = write_status_sheet(paths, "second", clock.now())
    assert second.name == "network-status-20260314-092600-2.txt" and first.read_text(encoding="utf-8") == text
    assert stat.S_IMODE(first.stat().st_mode) == 0o644
    assert {p.name for p in paths.sheets_dir.iterdir()} == {first.name, second.name}
