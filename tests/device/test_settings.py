from __future__ import annotations

import dataclasses
import json
import os
import stat

import pytest

from panel_tui.device.settings import (
    FIELDS,
    AuthMethod,
    DateFormat,
    DeviceSettings,
    EmailServerSettings,
    EmailService,
    SecureConnection,
)
from panel_tui.device.settings_store import SettingsError, SettingsStore
from panel_tui.device.validation import FieldError


def test_enum_label_keys():
    assert AuthMethod.OAUTH2.label_key == "value.auth_method.oauth2"
    assert AuthMethod.POP_BEFORE_SMTP.label_key == "value.auth_method.pop_before_smtp"
    assert EmailService.OUTLOOK_COM.label_key == "value.email_service.outlook_com"
    assert SecureConnection.STARTTLS.label_key == "value.secure_connection.starttls"
    assert DateFormat.DMY.label_key == "value.date_format.dd.mm.yyyy"


def test_email_defaults():
    email = EmailServerSettings()
    assert (email.auth_method, email.email_service, email.smtp_port, email.pop3_port) == (
        AuthMethod.OFF, EmailService.EXCHANGE_ONLINE, 25, 110)
    assert email.secure_connection is SecureConnection.NONE and email.cert_validation is True


def test_fields_cover_every_email_setting_in_page_order():
    assert [spec.name for spec in FIELDS] == [f.name for f in dataclasses.fields(EmailServerSettings)]
    kinds = {spec.name: spec.kind for spec in FIELDS}
    assert kinds["password"] == "secret" and kinds["smtp_port"] == "port" and kinds["cert_validation"] == "bool"
    assert all(spec.label_key == f"field.{spec.name}" for spec in FIELDS)
    assert all((spec.kind == "choice") == (spec.choices is not None) for spec in FIELDS)


def test_with_field_returns_validated_copy_and_never_mutates():
    original = EmailServerSettings()
    changed = original.with_field("smtp_port", "2525")
    assert changed.smtp_port == 2525 and original.smtp_port == 25
    with pytest.raises(FieldError) as info:
        original.with_field("smtp_port", "70000")
    assert info.value.key == "rule.port_range" and info.value.field == "smtp_port"
    with pytest.raises(dataclasses.FrozenInstanceError):
        original.smtp_port = 1  # type: ignore[misc]


def test_with_field_unknown_name():
    with pytest.raises(KeyError):
        EmailServerSettings().with_field("colour", "red")


def test_choosing_oauth2_applies_exchange_online_defaults():
    email = EmailServerSettings().with_field("auth_method", "oauth2")
    assert (email.smtp_server, email.smtp_port, email.secure_connection) == (
        "smtp-mail.outlook.com", 587, SecureConnection.STARTTLS)  # as the guide's printer fills in
    outlook = email.with_field("email_service", EmailService.OUTLOOK_COM)
    assert (outlook.smtp_server, outlook.smtp_port) == ("smtp-mail.outlook.com", 587)


def test_service_defaults_only_with_oauth2():
    email = EmailServerSettings(smtp_server="mail.example.com").with_field("email_service", "outlook_com")
    assert email.smtp_server == "mail.example.com"
    assert email.apply_service_defaults() is email


def test_display_value_masks_only_the_password():
    email = EmailServerSettings(
        auth_method=AuthMethod.OAUTH2, account="admin@contoso.com", password="Secr3t!", sender="printer@contoso.com",
        smtp_server="smtp.office365.com", smtp_port=587, secure_connection=SecureConnection.STARTTLS,
        pop3_server="pop.contoso.com", pop3_port=995,
    )
    assert email.display_value("password") == ("value.password_mask", True)
    assert EmailServerSettings(auth_method=AuthMethod.OAUTH2).display_value("password") == ("", False)
    assert email.display_value("account") == ("admin@contoso.com", False)
    assert email.display_value("sender") == ("printer@contoso.com", False)
    assert email.display_value("pop3_server") == ("pop.contoso.com", False)
    assert email.display_value("pop3_port") == ("995", False)
    assert email.display_value("auth_method") == ("value.auth_method.oauth2", True)
    assert email.display_value("smtp_server") == ("smtp.office365.com", False)
    assert email.display_value("smtp_port") == ("587", False)
    assert email.display_value("cert_validation") == ("value.enable", True)
    assert "Secr3t!" not in repr(email)


def test_device_settings_with_field_paths_and_aliases():
    settings = DeviceSettings()
    assert settings.with_field("email_server.smtp_port", "587").email_server.smtp_port == 587
    assert settings.with_field("time_difference", "120").time_difference_minutes == 120
    assert settings.with_field("language", "ro").language == "ro"
    assert settings.with_field("date_format", "dd.mm.yyyy").date_format is DateFormat.DMY
    with pytest.raises(FieldError) as info:
        settings.with_field("email_server.sender", ".x@y.com")
    assert info.value.field == "email_server.sender" and info.value.key == "rule.email_leading_dot"
    with pytest.raises(FieldError):
        settings.with_field("language", "fr")
    with pytest.raises(KeyError):
        settings.with_field("serial.x", "1")


def test_device_settings_defaults():
    settings = DeviceSettings()
    assert settings.serial_number and settings.admin_password_hash is None and settings.lock_setting is False
    assert settings.ip_address == "192.0.2.10" and settings.admin_timeout_minutes == 10


def test_local_time_and_format(clock):
    settings = DeviceSettings(date_format=DateFormat.DMY, time_difference_minutes=120)
    assert settings.format_datetime(clock.now()) == "14.03.2026 11:26"
    assert DeviceSettings(date_format=DateFormat.MDY).format_datetime(clock.now()) == "03/14/2026 09:26"


# ---- the store ----------------------------------------------------------------------------


def sample_settings() -> DeviceSettings:
    email = (
        EmailServerSettings()
        .with_field("auth_method", "oauth2")
        .with_field("account", "admin@contoso.onmicrosoft.com")
        .with_field("sender", "printer@contoso.onmicrosoft.com")
    )
    return dataclasses.replace(DeviceSettings(language="ro", time_difference_minutes=120), email_server=email)


def test_missing_file_gives_defaults_and_writes_nothing(paths):
    store = SettingsStore(paths)
    assert store.load() == DeviceSettings()
    assert not paths.settings_file.exists()


def test_round_trip_with_schema_version_and_private_mode(paths):
    store = SettingsStore(paths)
    settings = sample_settings()
    store.save(settings)
    assert store.load() == settings
    document = json.loads(paths.settings_file.read_text(encoding="utf-8"))
    assert document["schema"] == 1 and document["settings"]["email_server"]["auth_method"] == "oauth2"
    assert stat.S_IMODE(paths.settings_file.stat().st_mode) == 0o600
    assert [p.name for p in paths.config_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_failed_replace_leaves_original_intact(paths, monkeypatch):
    store = SettingsStore(paths)
    store.save(sample_settings())
    before = paths.settings_file.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(DeviceSettings(language="en"))
    assert paths.settings_file.read_bytes() == before
    assert [p.name for p in paths.config_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_failed_write_leaves_original_intact(paths, monkeypatch):
    store = SettingsStore(paths)
    store.save(sample_settings())
    before = paths.settings_file.read_bytes()

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        store.save(DeviceSettings())
    assert paths.settings_file.read_bytes() == before


def test_invalid_settings_are_not_saved(paths):
    store = SettingsStore(paths)
    bad = dataclasses.replace(DeviceSettings(), time_difference_minutes=5000)
    with pytest.raises(FieldError):
        store.save(bad)
    assert not paths.settings_file.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"schema": 1, "settings": {"language": "en"', "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[1, 2]", "not a panel-tui settings file"),
        (b'{"schema": 99, "settings": {}}', "newer panel-tui"),
        (b'{"schema": 1, "settings": {"colour": "red"}}', "unknown setting(s) colour"),
        (b'{"schema": 1, "settings": {"email_server": {"smtp_port": "587"}}}', "email_server.smtp_port"),
        (b'{"schema": 1, "settings": {"email_server": {"smtp_port": 0}}}', "email_server.smtp_port"),
        (b'{"schema": 1, "settings": {"email_server": {"auth_method": "kerberos"}}}', "email_server.auth_method"),
        (b'{"schema": 1, "settings": {"time_difference_minutes": 9999}}', "time_difference_minutes"),
        (b'{"schema": 1, "settings": {"time_difference_minutes": "60"}}', "time_difference_minutes"),
        (b'{"schema": 1, "settings": {"ip_address": 3221225994}}', "ip_address"),
        (b'{"schema": 1, "settings": {"lock_setting": "yes"}}', "lock_setting"),
        (b'{"schema": 1, "settings": {"email_server": []}}', "email_server"),
        (b'{"schema": "1", "settings": {}}', "schema"),
    ],
)
def test_corrupt_file_names_file_and_problem_and_is_not_overwritten(paths, content, problem):
    paths.settings_file.write_bytes(content)
    with pytest.raises(SettingsError) as info:
        SettingsStore(paths).load()
    message = str(info.value)
    assert str(paths.settings_file) in message
    assert problem in message
    assert paths.settings_file.read_bytes() == content


def test_corrupt_file_error_does_not_leak_password(paths):
    paths.settings_file.write_text(
        json.dumps({"schema": 1, "settings": {"email_server": {"password": "Secr3t!\u0001"}}}), encoding="utf-8"
    )
    with pytest.raises(SettingsError) as info:
        SettingsStore(paths).load()
    assert "Secr3t" not in str(info.value)


def test_restore_defaults_keeps_serial_and_optionally_language(paths):
    store = SettingsStore(paths)
    store.save(dataclasses.replace(sample_settings(), serial_number="X9ZZ999999", lock_setting=True))
    restored = store.restore_defaults()
    assert restored == DeviceSettings(serial_number="X9ZZ999999")
    assert store.load() == restored
    store.save(dataclasses.replace(restored, language="ro"))
    assert store.restore_defaults(keep_language=True).language == "ro"


def test_plain_strings_given_to_replace_become_enum_members(clock):
    settings = dataclasses.replace(DeviceSettings(), date_format="dd.mm.yyyy")
    assert settings.date_format is DateFormat.DMY
    assert settings.format_datetime(clock.now()) == "14.03.2026 09:26"
    email = dataclasses.replace(EmailServerSettings(), auth_method="oauth2", secure_connection="starttls")
    assert email.auth_method is AuthMethod.OAUTH2 and email.secure_connection is SecureConnection.STARTTLS


def test_invalid_strings_are_caught_by_validate(paths):
    bad = dataclasses.replace(DeviceSettings(), date_format="yyyy/dd/mm")
    with pytest.raises(FieldError) as info:
        SettingsStore(paths).save(bad)
    assert info.value.field == "date_format"
