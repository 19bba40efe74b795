from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from panel_tui.device.admin import AdminSession, hash_password, set_admin_password, verify_password
from panel_tui.device.settings import DeviceSettings
from panel_tui.device.validation import FieldError


def test_hash_format_and_verify():
    hashed = hash_password("Tr0ub4dor&3", iterations=1000)
    algorithm, iterations, salt, digest = hashed.split("$")
    assert (algorithm, iterations, len(salt), len(digest)) == ("pbkdf2_sha256", "1000", 32, 64)
    assert verify_password("Tr0ub4dor&3", hashed)
    assert not verify_password("Tr0ub4dor&4", hashed)
    assert not verify_password("", hashed)


def test_hash_is_salted_and_has_no_plaintext():
    first, second = hash_password("correcthorse", 1000), hash_password("correcthorse", 1000)
    assert first != second
    assert "correcthorse" not in first and b"correcthorse".hex() not in first


@pytest.mark.parametrize("broken", [None, "", "plain", "md5$1$aa$bb", "pbkdf2_sha256$x$aa$bb", "pbkdf2_sha256$0$aa$bb",
                                    "pbkdf2_sha256$10$zz$bb", "pbkdf2_sha256$10$aa$"])
def test_malformed_hash_never_verifies(broken):
    assert verify_password("anything", broken) is False


def test_set_admin_password_validates_and_keeps_lock():
    settings = DeviceSettings(lock_setting=False)
    updated = set_admin_password(settings, "N3wPassw0rd")
    assert updated.lock_setting is False and updated.admin_password_hash is not None
    assert "N3wPassw0rd" not in updated.admin_password_hash and "N3wPassw0rd" not in repr(updated)
    assert verify_password("N3wPassw0rd", updated.admin_password_hash)
    assert settings.admin_password_hash is None
    with pytest.raises(FieldError) as info:
        set_admin_password(settings, "short")
    assert info.value.key == "rule.length_range"


class Holder:
    def __init__(self, settings):
        self.settings = settings

    def __call__(self):
        return self.settings


def test_default_password_is_serial(clock):
    holder = Holder(DeviceSettings(serial_number="X7NA012345", lock_setting=True))
    session = AdminSession(holder, clock)
    assert session.requires_login
    assert not session.login("wrong")
    assert not session.logged_in
    assert session.login("X7NA012345")
    assert session.logged_in and not session.requires_login
    session.logout()
    assert not session.logged_in and session.requires_login


def test_set_password_replaces_serial(clock):
    holder = Holder(dataclasses.replace(set_admin_password(DeviceSettings(), "N3wPassw0rd"), lock_setting=True))
    session = AdminSession(holder, clock)
    assert not session.login(holder.settings.serial_number)
    assert session.login("N3wPassw0rd")


def test_no_lock_no_login_required(clock):
    session = AdminSession(Holder(DeviceSettings(lock_setting=False)), clock)
    assert not session.requires_login and not session.logged_in


def test_timeout_counts_from_last_activity(clock):
    holder = Holder(DeviceSettings(lock_setting=True, admin_timeout_minutes=10))
    session = AdminSession(holder, clock)
    assert session.login(holder.settings.serial_number)
    clock.advance(timedelta(minutes=9, seconds=59))
    assert session.logged_in
    session.touch()
    clock.advance(timedelta(minutes=9))
    assert session.logged_in
    clock.advance(timedelta(minutes=1))
    assert not session.logged_in and session.requires_login
    clock.advance(timedelta(seconds=-30))  # an expired session does not come back
    assert not session.logged_in


def test_touch_after_expiry_does_not_revive(clock):
    holder = Holder(DeviceSettings(lock_setting=True, admin_timeout_minutes=1))
    session = AdminSession(holder, clock)
    session.login(holder.settings.serial_number)
    clock.advance(timedelta(minutes=2))
    session.touch()
    assert not session.logged_in


def test_timeout_zero_never_expires(clock):
    holder = Holder(DeviceSettings(lock_setting=True, admin_timeout_minutes=0))
    session = AdminSession(holder, clock)
    session.login(holder.settings.serial_number)
    clock.advance(timedelta(days=30))
    assert session.logged_in


def test_wrong_password_keeps_existing_session(clock):
    holder = Holder(DeviceSettings(lock_setting=True))
    session = AdminSession(holder, clock)
    session.login(holder.settings.serial_number)
    assert not session.login("nope")
    assert session.logged_in
