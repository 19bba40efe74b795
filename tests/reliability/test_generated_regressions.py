"""What the generated-input suite found, kept as plain tests: each failed before its fix."""
from __future__ import annotations

import json
import sqlite3

import pytest

from panel_tui.classroom.roster import class_dir, load_events
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths
from panel_tui.sim.atomic_file import SimFileError
from panel_tui.sim.tokens import SigningKey
from tests.reliability.generated import assert_clear, run_cli


def test_a_sim_ca_name_with_nul_is_a_usage_error():
    argv = ["--sim-ca", "ca\x00.pem", "--sim-url", "https://127.0.0.1:9", "status"]
    code, out, err = run_cli(argv)
    assert_clear(argv, code, out, err)
    assert code == 2 and 'argument --sim-ca: "ca\\x00.pem": A file name cannot contain' in err


def test_a_classroom_events_file_that_is_not_utf8_loses_only_its_bad_line(panel_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    good = {"at": 1, "kind": "reset", "seats": ["seat01"], "detail": "", "ok": True}
    (class_dir() / "events.jsonl").write_bytes(b"\x80\xff garbage\n" + json.dumps(good).encode() + b"\n"
                                               + b"[" * 100_000 + b"\n")
    assert load_events() == [good]


def test_a_job_log_of_a_few_garbage_bytes_is_kept_not_overwritten(panel_home):
    path = resolve_paths("default").joblog_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00")
    code, out, err = run_cli(["jobs"])
    assert_clear(["jobs"], code, out, err)
    assert code == 1 and "the file is damaged" in err and "panel-tui jobs --repair" in err
    assert path.read_bytes() == b"\x00"


def test_a_profile_name_that_cannot_name_a_folder_is_a_usage_error_for_every_command():
    for command in (["doctor"], ["config", "show"], ["jobs"], ["status"], ["scenarios"], ["serve"]):
        argv = ["--profile", " ", "--sim-url", "https://127.0.0.1:9", *command]
        code, out, err = run_cli(argv)
        assert_clear(argv, code, out, err)
        assert code == 2 and "argument --profile: invalid profile name ' '" in err, (command, err)


def test_a_job_record_damaged_inside_a_readable_job_log_is_called_damage(panel_home):
    path = resolve_paths("default").joblog_file
    log = JobLog(path)
    log.finish(log.start("test_mail", "to megan@contoso.onmicrosoft.com"), "ok")
    with sqlite3.connect(path) as conn:  # what a flipped byte did in the generated suite
        conn.execute("UPDATE jobs SET started_at = 12345")
    conn.close()
    for argv in (["jobs"], ["jobs", "--json"], ["jobs", "show", "1"]):
        code, out, err = run_cli(argv)
        assert_clear(argv, code, out, err)
        assert code == 1 and "the file is damaged (a job record is malformed" in err, err
        assert "panel-tui jobs --repair" in err


def test_a_job_record_with_text_that_is_not_utf8_is_called_damage(panel_home):
    path = resolve_paths("default").joblog_file
    log = JobLog(path)
    log.finish(log.start("test_mail", "to megan@contoso.onmicrosoft.com"), "ok")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE jobs SET detail = CAST(x'80ff' AS TEXT)")
    conn.close()
    code, out, err = run_cli(["jobs", "--json"])
    assert_clear(["jobs", "--json"], code, out, err)
    assert code == 1 and "the file is damaged (" in err and "UTF-8" in err, err


# A key of an unknown algorithm (found by the generated suite: cryptography's UnsupportedAlgorithm).
UNKNOWN_KEY_TYPE = (b'-----BEGIN PRIVATE KEY-----MIGHAgEAMBMGB+27AEGGMQCGCM27AHEQg117BG0++///000///22222565566'
                    b'77AAAABBBBCCCDDEEDDDDGHHIIHHKKMNNMMMPPOORRQQQTTTVVWXYYXXa1111122222222fggg44444455k66666777'
                    b'//0001223333355666777788899999xx-----END PRIVATE KEY-----')


def test_a_signing_key_of_an_unknown_algorithm_stops_the_start_and_is_kept(tmp_path):
    path = tmp_path / "signing-key.pem"
    path.write_bytes(UNKNOWN_KEY_TYPE)
    with pytest.raises(SimFileError, match="the token signing key is not a PEM private key"):
        SigningKey.load_or_create(path)
    assert path.read_bytes() == UNKNOWN_KEY_TYPE
