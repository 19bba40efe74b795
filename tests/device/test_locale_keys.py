"""Every locale key the device package can emit is defined, in English and Romanian alike."""
from __future__ import annotations

import string
from pathlib import Path

import pytest

from panel_tui.device import validation
from panel_tui.device.errors import CAUSES, ERROR_CODES, FIXERS, lookup
from panel_tui.device.joblog import JOB_TYPES, RESULTS
from panel_tui.device.settings import (
    BOOL_LABEL_KEYS,
    FIELDS,
    AuthMethod,
    DeviceSettings,
    EmailService,
    SecureConnection,
)
from panel_tui.device.status_sheet import SIGNIN_STATES, SignInInfo, email_server_status_rows, network_status_rows
from tests.helpers.locales import catalog

REPO = Path(__file__).resolve().parents[2]


def emitted_keys() -> set[str]:
    keys: set[str] = set(validation._ENGLISH)
    keys |= {spec.label_key for spec in FIELDS}
    keys |= {member.label_key for enum in (AuthMethod, EmailService, SecureConnection) for member in enum}
    keys |= set(BOOL_LABEL_KEYS.values())
    for code in ERROR_CODES:
        keys |= {lookup(code).situation_key, lookup(code).solution_key}
    keys |= {lookup(0).situation_key, lookup(0).solution_key}
    keys |= {f"fixer.{fixer}" for fixer in FIXERS}
    for item in CAUSES.values():
        keys |= {item.message_key, item.fix_key}
    keys |= {f"job.type.{t}" for t in JOB_TYPES} | {f"job.result.{r}" for r in RESULTS}
    keys |= {SignInInfo(state).state_key for state in SIGNIN_STATES}
    keys |= {"sheet.title", "sheet.date_time", "sheet.section.network", "sheet.section.email_server"}
    settings = DeviceSettings().with_field("email_server.auth_method", "oauth2")
    for row in email_server_status_rows(settings, SignInInfo()) + network_status_rows(settings):
        keys.add(row.label_key)
        if row.value_is_key:
            keys.add(row.value)
    return keys


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_every_emitted_key_is_defined(lang):
    missing = emitted_keys() - catalog(lang).keys()
    assert missing == set()


def test_same_keys_and_placeholders_in_both_languages():
    en, ro = catalog("en"), catalog("ro")
    assert en.keys() == ro.keys()
    for key in en:
        assert placeholders(en[key]) == placeholders(ro[key]), key


def test_rule_placeholders_match_params():
    en = catalog("en")
    assert placeholders(en["rule.port_range"]) == {"min", "max"}
    assert placeholders(en["rule.too_long"]) == {"max"}
    assert placeholders(en["rule.email_forbidden_char"]) == {"char"}


def test_english_fallback_matches_the_locale_text():
    en = catalog("en")
    for key, text in validation._ENGLISH.items():
        assert en[key] == text, key


def test_romanian_error_table_is_the_guides():
    ro = catalog("ro")
    assert ro["error.360.situation"] == "Nu există conexiune la serviciul cloud sau la serviciul de e-mail."
    assert ro["error.360.solution"] == "Conectați-vă la serviciul cloud sau la serviciul de e-mail."
    assert ro["error.361.situation"] == "Conexiunea la serviciul cloud sau la serviciul de e-mail a expirat."
    assert ro["error.361.solution"] == "Conectați-vă la serviciul cloud sau la serviciul de e-mail."
    assert ro["error.370.situation"] == "Trebuie să vă conectați din nou la serviciul cloud."
    assert ro["error.370.solution"] == "Conectați-vă la serviciul cloud."
    assert ro["field.current_status"] == "Stare curentă" and ro["value.signin.signed_in"] == "Autentificat"
