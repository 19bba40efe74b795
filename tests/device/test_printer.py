from __future__ import annotations

import dataclasses
import os

import pytest

from panel_tui.device.admin import set_admin_password
from panel_tui.device.printer import Printer
from panel_tui.device.settings import AuthMethod, DeviceSettings
from panel_tui.device.settings_store import SettingsError
from panel_tui.device.status_sheet import SignInInfo
from panel_tui.device.validation import FieldError
from tests.helpers.joblog import orphan_running_jobs


def test_open_fresh_profile(paths, clock):
    printer = Printer.open(paths, clock)
    assert printer.settings == DeviceSettings()
    assert printer.joblog.jobs() == [] and printer.joblog.db_path == paths.joblog_file
    assert printer.signin_info() == SignInInfo("not_signed_in", None)
    assert printer.local_now() == clock.now()


def test_update_saves_and_notifies(paths, clock):
    printer = Printer.open(paths, clock)
    seen = []
    unsubscribe = printer.subscribe(seen.append)
    new = printer.update(lambda s: s.with_field("email_server.auth_method", "oauth2"))
    assert printer.settings is new and seen == [new]
    assert Printer.open(paths, clock).settings.email_server.auth_method is AuthMethod.OAUTH2
    unsubscribe()
    printer.update(DeviceSettings(language="ro"))
    assert seen == [new]


def test_failed_update_changes_nothing(paths, clock, monkeypatch):
    printer = Printer.open(paths, clock)
    before = printer.settings
    seen = []
    printer.subscribe(seen.append)
    with pytest.raises(FieldError):
        printer.update(dataclasses.replace(before, time_difference_minutes=9999))
    with pytest.raises(TypeError):
        printer.update(lambda s: None)
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(28, "disk full")))
    with pytest.raises(OSError):
        printer.update(DeviceSettings(language="ro"))
    assert printer.settings is before and seen == []


def test_open_refuses_corrupt_settings(paths, clock):
    paths.settings_file.write_text("{", encoding="utf-8")
    with pytest.raises(SettingsError, match="settings.json"):
        Printer.open(paths, clock)
    assert paths.settings_file.read_text(encoding="utf-8") == "{"


def test_restore_defaults_keeps_serial_and_job_log(paths, clock):
    printer = Printer.open(paths, clock)
    printer.update(
        lambda s: dataclasses.replace(
            set_admin_password(s, "Adm1nPassw0rd"), serial_number="X9ZZ000001", lock_setting=True, language="ro"
        ).with_field("email_server.auth_method", "oauth2")
    )
    assert printer.admin.login("Adm1nPassw0rd")
    job_id = printer.joblog.start("test_mail")
    printer.joblog.finish(job_id, "ok")
    restored = printer.restore_defaults()
    assert restored == DeviceSettings(serial_number="X9ZZ000001")
    assert not printer.admin.logged_in
    assert printer.admin.login("X9ZZ000001")
    assert [job.id for job in printer.joblog.jobs()] == [job_id]


def test_admin_session_sees_current_settings(paths, clock):
    printer = Printer.open(paths, clock)
    assert not printer.admin.requires_login
    printer.update(lambda s: dataclasses.replace(s, lock_setting=True))
    assert printer.admin.requires_login


def test_reopen_marks_crashed_jobs_interrupted(paths, clock):
    first = Printer.open(paths, clock)
    job_id = first.joblog.start("scan_to_email")
    orphan_running_jobs(paths.joblog_file)
    second = Printer.open(paths, clock)
    assert second.joblog.recovered == 1 and second.joblog.get(job_id).result == "interrupted"


def test_signin_provider_hook(paths, clock):
    printer = Printer.open(paths, clock)
    printer.signin_provider = lambda: SignInInfo("expired", "admin@contoso.com")
    assert printer.signin_info().state == "expired"


def test_a_change_saved_by_another_process_is_picked_up(paths, clock):
    """The panel and a CLI command on one profile: neither overwrites the other's change."""
    panel = Printer.open(paths, clock)
    cli = Printer.open(paths, clock)
    cli.update(cli.settings.with_field("email_server.smtp_port", "587"))
    assert panel.settings.email_server.smtp_port == 587
    panel.update(lambda s: s.with_field("language", "ro"))
    assert cli.settings.language == "ro" and cli.settings.email_server.smtp_port == 587


def test_saves_by_another_process_and_admin_changes_are_published(paths, clock):
    printer = Printer.open(paths, clock)
    seen, logins = [], []
    printer.subscribe(seen.append)
    printer.subscribe_admin(logins.append)
    assert not printer.reload_if_changed()
    other = Printer.open(paths, clock)  # another process on the same profile
    saved = other.update(lambda s: dataclasses.replace(s, lock_setting=True, language="ro"))
    assert printer.reload_if_changed() and seen == [saved]
    assert not printer.reload_if_changed() and seen == [saved]
    assert printer.admin.login(saved.serial_number) and logins == [True]
    printer.restore_defaults(keep_language=True)  # logs the administrator out, in one save
    assert logins == [True, False]
    assert [s.language for s in seen] == ["ro", "ro"] and not seen[-1].lock_setting
