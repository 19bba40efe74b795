"""Values the user typed are checked before anything starts: attachment names (`send --attach`)
and the address to listen on (`serve --host`) are usage errors (exit 2) with the rule they broke,
the value repeated back with its control and bidi characters escaped; no job is made."""
from __future__ import annotations

import contextlib

import pytest

from panel_tui import classroom_command, serve
from panel_tui.cli import main
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths

TO = "megan@contoso.onmicrosoft.com"

ATTACHMENTS = {
    "300-char-name": ("a" * 300, "at most 255 bytes"),
    "256-byte-name": ("ă" * 128, "at most 255 bytes"),
    "CR-LF": ("report\r\nBcc: x@y.z.pdf", "cannot contain line breaks or control characters"),
    "LF": ("two\nlines.pdf", "cannot contain line breaks or control characters"),
    "NUL": ("a\x00b.pdf", "cannot contain line breaks or control characters"),
    "ESC": ("\x1b[31mred.pdf", "cannot contain line breaks or control characters"),
    "C1": ("a\x85b.pdf", "cannot contain line breaks or control characters"),
    "undecodable": ("caf\udce9.pdf", "not valid text (UTF-8)"),
    "empty": ("", "Enter a value"),
}


def _jobs() -> list:
    path = resolve_paths("default").joblog_file
    return JobLog(path).jobs() if path.exists() else []


@pytest.mark.parametrize("case", ATTACHMENTS)
def test_an_attachment_name_that_cannot_be_sent_is_a_usage_error(capsys, tmp_path, monkeypatch, case):
    name, rule = ATTACHMENTS[case]
    monkeypatch.chdir(tmp_path)
    # Where the system allows it, the file even exists: the name is still refused.
    with contextlib.suppress(OSError, ValueError, UnicodeEncodeError):
        (tmp_path / name).write_bytes(b"%PDF-1.4\n")
    code = main(["send", "--to", TO, "--attach", name])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.startswith("Not sent: the file to attach \"") and rule in captured.err, captured.err
    assert "Traceback" not in captured.err
    assert "\r" not in captured.err and "\x1b" not in captured.err and "\x00" not in captured.err
    assert len(captured.err) < 300  # a long name is cut when repeated
    assert _jobs() == []


def test_the_attachment_rule_is_said_in_romanian(capsys):
    assert main(["--lang", "ro", "send", "--to", TO, "--attach", "a\r\nb"]) == 2
    assert capsys.readouterr().err.startswith(
        "Nu s-a trimis: fișierul de atașat „a\\r\\nb”: Un nume de fișier nu poate conține")


HOSTS = {
    "dots": ("..", "cannot start or end with a period"),
    "path": ("../../x", "Use only A-Z, a-z, 0-9, period (.) and hyphen (-)."),
    "300-chars": ("h" * 300, "Enter at most 255 characters."),
    "RLO": ("evil\u202etxt.example", "Use only A-Z, a-z, 0-9"),
    "empty": ("", "Enter a value."),
    "NUL": ("local\x00host", "Use only A-Z, a-z, 0-9"),
    "bad-ipv4": ("300.1.1.1", "not a valid IPv4 address"),
}


@pytest.mark.parametrize("case", HOSTS)
def test_a_host_nobody_can_listen_on_is_a_usage_error(capsys, monkeypatch, case):
    host, rule = HOSTS[case]
    monkeypatch.setattr(serve, "serve", lambda *a, **k: pytest.fail("served on a refused --host"))
    with pytest.raises(SystemExit) as done:
        main(["serve", "--host", host])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "panel-tui: error: argument --host: \"" in err and rule in err, err
    assert "\u202e" not in err and "\x00" not in err and "Traceback" not in err


@pytest.mark.parametrize("case", HOSTS)
def test_a_class_on_a_host_nobody_can_listen_on_is_a_usage_error(capsys, monkeypatch, case):
    """`classroom start --host` is checked as `serve --host` is: before a simulator or seat is made."""
    host, rule = HOSTS[case]
    # Where the command looks it up (it imports start_class at the top).
    monkeypatch.setattr(classroom_command, "start_class",
                        lambda *a, **k: pytest.fail("a class started on a refused --host"))
    with pytest.raises(SystemExit) as done:
        main(["classroom", "start", "--seats", "1", "--host", host, "--no-serve"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert "argument --host: \"" in err and rule in err, err
    assert "\u202e" not in err and "\x00" not in err and "Traceback" not in err


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "printer-lab.example"])
def test_a_host_one_can_listen_on_is_served(capsys, monkeypatch, host):
    served = []
    monkeypatch.setattr(serve, "serve", lambda h, port, **k: served.append(h) or 0)
    assert main(["serve", "--host", host]) == 0
    assert served == [host]
