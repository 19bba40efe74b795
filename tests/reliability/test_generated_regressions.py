"""What the generated-input suite found, kept as plain tests: each failed before its fix."""
from __future__ import annotations

import json

from tests.reliability.generated import assert_clear, run_cli


def test_a_sim_ca_name_with_nul_is_a_usage_error():
    argv = ["--sim-ca", "ca\x00.pem", "--sim-url", "https://127.0.0.1:9", "status"]
    code, out, err = run_cli(argv)
    assert_clear(argv, code, out, err)
    assert code == 2 and 'argument --sim-ca: "ca\\x00.pem": A file name cannot contain' in err


def test_a_classroom_events_file_that_is_not_utf8_loses_only_its_bad_line(panel_home, tmp_path, monkeypatch):
    from panel_tui.classroom.roster import class_dir, load_events

    monkeypatch.chdir(tmp_path)
    good = {"at": 1, "kind": "reset", "seats": ["seat01"], "detail": "", "ok": True}
    (class_dir() / "events.jsonl").write_bytes(b"\x80\xff garbage\n" + json.dumps(good).encode() + b"\n"
                                               + b"[" * 100_000 + b"\n")
    assert load_events() == [good]


def test_a_job_log_of_a_few_garbage_bytes_is_kept_not_overwritten(panel_home):
    from panel_tui.device.paths import resolve_paths

    path = resolve_paths("default").joblog_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00")
    code, out, err = run_cli(["jobs"])
    assert_clear(["jobs"], code, out, err)
    assert code == 1 and "the file is damaged" in err and "panel-tui jobs --repair" in err
    assert path.read_bytes() == b"\x00"
