from __future__ import annotations

from panel_tui.device.errors import CAUSES, ERROR_CODES, FIXERS, cause, lookup


def test_table_has_epson_codes():
    assert sorted(ERROR_CODES) == [311, 312, 313, 314, 319, 360, 361, 370]


def test_entries_are_consistent():
    for code, entry in ERROR_CODES.items():
        assert entry.code == code
        assert entry.situation_key == f"error.{code}.situation"
        assert entry.solution_key == f"error.{code}.solution"
        assert entry.fixer in FIXERS and entry.fixer_key == f"fixer.{entry.fixer}"
        assert entry.known


def test_who_fixes_the_guide_codes():
    assert lookup(360).fixer == "printer_admin"
    assert lookup(361).fixer == "printer_admin"
    assert lookup(370).fixer == "user"
    assert lookup(314).fixer == "user"


def test_unknown_code_gets_generic_entry():
    entry = lookup(999)
    assert entry.code == 999 and not entry.known
    assert entry.situation_key == "error.unknown.situation"
    assert entry.solution_key == "error.unknown.solution"


def test_causes_map_onto_known_codes():
    for name, item in CAUSES.items():
        assert item.name == name and item.code in ERROR_CODES and item.fixer in FIXERS
        assert item.message_key == f"cause.{name}.message" and item.error is ERROR_CODES[item.code]
    assert cause("smtp_auth_disabled").fixer == "tenant_admin"
    assert cause("signin_expired").code == 361
    assert cause("not_signed_in").code == 360
    assert cause("dns_failure").code == 311
    assert cause("message_too_large").code == 314
