"""`panel-tui doctor` with a settings or secrets file that cannot be used: a failed settings
check naming the file, its problem and the fix (exit 1), never a traceback; the file is left as
it was for the person to look at."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from panel_tui.cli import main
from panel_tui.device.paths import resolve_paths
from panel_tui.device.settings import DeviceSettings
from panel_tui.device.settings_store import SCHEMA_VERSION, settings_to_dict


def _valid_settings() -> str:
    return json.dumps({"schema": SCHEMA_VERSION, "settings": settings_to_dict(DeviceSettings())}, indent=2)


CORRUPT = {
    "truncated": lambda: _valid_settings()[: len(_valid_settings()) // 2],
    "empty": lambda: "",
    "garbage": lambda: b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff",
    "list": lambda: "[1, 2, 3]",
    "deep": lambda: "[" * 200_000 + "]" * 200_000,
    "nul": lambda: '{"schema": 1,\x00 "settings": {}}',
    "5MB-string": lambda: json.dumps({"schema": 1, "settings": {"printer_name": "x" * 5_000_000}}),
    "1e400-port": lambda: '{"schema": 1, "settings": {"email_server": {"smtp_port": 1e400}}}',
    "schema-99": lambda: json.dumps({"schema": 99, "settings": {}}),
}
SECRETS = {
    "truncated": lambda: '{"email_server.password": "abc',
    "empty": lambda: "",
    "garbage": lambda: b"\xff\xfe\x00garbage",
    "list": lambda: "[]",
    "deep": lambda: "{\"a\":" * 100_000 + "1" + "}" * 100_000,
    "nul": lambda: "\x00",
    "5MB-string": lambda: json.dumps({"email_server.password": "x" * 5_000_000}),
}
CASES = [("settings_file", name) for name in CORRUPT] + [("secrets_file", name) for name in SECRETS]


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@pytest.mark.parametrize(("which", "case"), CASES, ids=[f"{w.split('_')[0]}-{c}" for w, c in CASES])
def test_doctor_names_an_unusable_settings_file_and_the_fix(capsys, which, case):
    paths = resolve_paths("default")
    if which == "secrets_file":  # the secrets are read with the settings
        _write(paths.settings_file, _valid_settings())
        content = SECRETS[case]()
    else:
        content = CORRUPT[case]()
    path = getattr(paths, which)
    _write(path, content)
    before = path.read_bytes()

    code = main(["doctor"])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == 1
    assert "Traceback" not in output
    assert len(output) < 4000  # a 5 MB value is not echoed back
    lines = output.splitlines()
    failed = [line for line in lines if line.startswith("\u2717 Printer settings applied")]
    assert failed and str(path) in failed[0], output
    fix = lines[lines.index(failed[0]) + 1]
    assert "Fix (Printer administrator): This file cannot be used. Move it aside" in fix
    assert f"mv {path} {path}.broken" in fix
    assert lines[-1] == "1 check(s) failed."
    assert path.read_bytes() == before  # the doctor changes nothing


def test_doctor_says_it_in_romanian(capsys):
    path = resolve_paths("default").settings_file
    _write(path, "[]")
    assert main(["--lang", "ro", "doctor"]) == 1
    output = capsys.readouterr().out
    assert f"\u2717 Setările imprimantei aplicate (OAuth2): {path}" in output
    assert "Acest fișier nu poate fi folosit" in output
