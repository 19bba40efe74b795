"""The menu and locale files: validation, broken copies, and `panel-tui check`."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from panel_tui.assembly import check_data, known_names
from panel_tui.datafiles import data_dir
from panel_tui.i18n import LANGUAGES, check_locales, placeholders
from panel_tui.menus import MenuError, load_menu_tree


def test_shipped_data_is_clean():
    assert check_data(None, None) == []


def test_every_locale_has_the_same_keys_and_placeholders():
    catalogs, problems = check_locales()
    assert problems == []
    assert catalogs["en"].keys() == catalogs["ro"].keys()
    for key, text in catalogs["en"].items():
        assert placeholders(text) == placeholders(catalogs["ro"][key]), key


def test_the_list_of_languages_is_the_list_of_locale_files():
    assert sorted(LANGUAGES) == sorted(path.stem for path in data_dir("locales").glob("*.toml"))


@pytest.mark.parametrize("phrase", [
    "Setări generale", "Setări rețea", "Stare rețea", "Stare server e-mail",
    "Imprimare foaie stare", "Stare operație", "Stare rețea cu fir LAN/Wi-Fi",
])
def test_romanian_uses_the_guides_wording(phrase):
    catalogs, _ = check_locales()
    assert phrase in catalogs["ro"].values()


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    menus = tmp_path / "menus"
    shutil.copytree(data_dir("menus"), menus)
    path = menus / "panel.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('id = "email_server_status"\nlabel', 'id = "email_server_status"\nlabell',
     "email_server_status: unknown key 'labell'"),
    ('label = "menu.lock_setting"', 'label = "menu.lock_settings"',
     "system_administration > lock_setting: label key 'menu.lock_settings' is not in the locales"),
    ('id = "wifi_setup"', 'id = "wired_lan_status"', "wired_lan_status: duplicate id"),
    ('kind = "screen"\nscreen = "wired_lan_status"', 'kind = "screne"\nscreen = "wired_lan_status"',
     "wired_lan_status: bad kind 'screne'"),
    ('children = ["email_server"]', 'children = ["email_servers"]',
     "advanced: child 'email_servers' refers to no node"),
    ('screen = "email_server_status"', 'screen = "mail_status"', "screen 'mail_status' is unknown"),
    ('admin_only = true', 'admin_only = "yes"', "'admin_only' must be true or false"),
    ('screen = "email_server_status"', 'screen = 7', "'screen' must be a string"),
    ('kind = "screen"\nscreen = "wired_lan_status"', 'kind = "screen"',
     "wired_lan_status: kind 'screen' needs 'screen'"),
])
def test_broken_menu_names_file_node_and_problem(tmp_path, old, new, expected):
    path = _broken_copy(tmp_path, old, new)
    catalogs, _ = check_locales()
    with pytest.raises(MenuError) as info:
        load_menu_tree(path, label_keys=set(catalogs["en"]), **known_names())
    assert any(line.startswith(str(path)) and expected in line for line in info.value.problems), info.value.problems


def test_broken_toml_is_reported_not_raised(tmp_path):
    path = _broken_copy(tmp_path, "[home]", "[home")
    with pytest.raises(MenuError) as info:
        load_menu_tree(path)
    assert "not valid TOML" in info.value.problems[0] and str(path) in info.value.problems[0]


def test_locale_missing_key_and_placeholder_mismatch(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(data_dir("locales"), locales)
    ro = locales / "ro.toml"
    text = ro.read_text(encoding="utf-8")
    text = text.replace('supply_status = "Stare consumabile"\n', "")
    text = text.replace('printed = "Foaia de stare a fost imprimată. O copie a fost salvată ca {path}"',
                        'printed = "Foaia de stare a fost imprimată: {cale}"')
    ro.write_text(text, encoding="utf-8")
    _, problems = check_locales(locales)
    assert any(p.startswith(str(ro)) and "menu.supply_status: missing" in p for p in problems)
    assert any("screen.sheet.printed: placeholders ['cale']" in p for p in problems)


def test_check_command_exit_codes(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "panel_tui", "check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    path = _broken_copy(tmp_path, 'label = "menu.lock_setting"', 'label = "menu.nope"')
    bad = subprocess.run([sys.executable, "-m", "panel_tui", "check", "--menus", str(path.parent)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    node = "settings > general_settings > system_administration > lock_setting"
    assert f"{path}: {node}: label key 'menu.nope'" in bad.stdout


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('page = "ca_certificate"', 'page = "ca_certificates"',
     "network_security > ca_certificate: page 'ca_certificates' is unknown"),
    ('label = "webconfig.page.wifi"', 'label = "webconfig.page.wi_fi"',
     "network > wifi: label key 'webconfig.page.wi_fi' is not in the locales"),
    ('id = "wired_lan"', 'id = "wifi"', "network > wifi: duplicate id"),
    ('start = "email_basic"', 'start = "email_basics"', "start: 'email_basics' is not a page id"),
])
def test_broken_webconfig_file_names_tab_page_and_problem(tmp_path, old, new, expected):
    menus = tmp_path / "menus"
    shutil.copytree(data_dir("menus"), menus)
    path = menus / "webconfig.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = check_data(menus, None)
    assert any(line.startswith(str(path)) and expected in line for line in problems), problems
