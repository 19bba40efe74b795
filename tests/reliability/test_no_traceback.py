"""Every command ends in words and a documented exit code, never a traceback: its --help, a
bad-input call of each, output to a reader that left (`| head -1`), and what no command handled
(panel_tui.cli.main is the one funnel)."""
from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from panel_tui import cli, scripting
from panel_tui.cli import main

DOCUMENTED_EXITS = {0, 1, 2, 3}


def _subcommands() -> list[str]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(getattr(a, "choices", None), dict)]
    return list(sub.choices)


# One bad input per subcommand, each a user's mistake the command must explain: (argv, exit code, words).
BAD_INPUT = {
    "run": (["--scenario", "no-such"], 2, "no scenario 'no-such'"),
    "check": (["check", "--menus", "/nonexistent"], 1, "/nonexistent/panel.toml: file is missing"),
    "sim": (["sim", "--port", "99999"], 2, "invalid port 99999"),
    "classroom": (["classroom", "start", "--seats", "0"], 1, "--seats must be 1 to 60"),
    "scenarios": (["--profile", "\x00", "scenarios", "--bogus"], 2, "unrecognized arguments: --bogus"),
    "doctor": (["doctor", "--sim-url", "notaurl"], 1, "cannot reach the simulator at notaurl"),
    "gallery": (["gallery", "--only", "NOSUCH", "--out", "{tmp}"], 1, "no screen recipe named NOSUCH"),
    "guide": (["guide", "--out", "{tmp}", "--jobs", "0"], 2, "--jobs must be 1 or more"),
    "serve": (["serve", "--port", "99999"], 2, "invalid port 99999"),
    "signin": (["--sim-url", "ftp://x", "signin"], 1, "cannot reach the simulator at ftp://x"),
    "signout": (["--sim-url", "ftp://x", "signout"], 1, "cannot reach the simulator at ftp://x"),
    "status": (["--sim-url", "ftp://x", "status"], 1, "cannot reach the simulator at ftp://x"),
    "send": (["send", "--to", "bad"], 1, "Enter an email address"),
    "jobs": (["jobs", "retry", "0"], 1, "There is no job 0"),
    "sheet": (["--sim-url", "ftp://x", "sheet"], 1, "cannot reach the simulator at ftp://x"),
    "config": (["config", "set", "nosuch", "1"], 2, 'Unknown field "nosuch"'),
}


def _run(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as done:  # argparse: --help (0) and usage errors (2)
        code = done.code if isinstance(done.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_every_subcommand_has_a_bad_input_case():
    """A new command must come with its bad-input call here (and so pass through the funnel's test)."""
    assert set(_subcommands()) - set(BAD_INPUT) == set()


@pytest.mark.parametrize("command", _subcommands())
def test_every_subcommand_help_is_words(capsys, command):
    code, output = _run(capsys, [command, "--help"])
    assert code == 0, output
    assert "usage: panel-tui" in output and "Traceback" not in output


@pytest.mark.parametrize("command", sorted(BAD_INPUT))
def test_every_subcommand_explains_bad_input(capsys, tmp_path, command):
    argv, expected_code, words = BAD_INPUT[command]
    code, output = _run(capsys, [word.replace("{tmp}", str(tmp_path)) for word in argv])
    assert "Traceback" not in output
    assert code == expected_code, output
    assert words in output


def test_an_exception_no_command_handled_is_reported_as_a_bug_in_one_line(capsys, monkeypatch):
    def broken(args, out=None, err=None):
        raise ZeroDivisionError("a bug")

    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    monkeypatch.setattr(scripting, "run", broken)
    code, output = _run(capsys, ["jobs"])
    assert code == cli.EXIT_INTERNAL
    assert "unexpected error (a bug in panel-tui): ZeroDivisionError: a bug" in output
    assert "PANEL_TUI_DEBUG=1" in output and "Traceback" not in output


def test_a_disk_problem_no_command_handled_names_the_file(capsys, monkeypatch):
    def disk_full(args, out=None, err=None):
        raise OSError(errno.ENOSPC, "No space left on device", "/somewhere/file.json")

    monkeypatch.setattr(scripting, "run", disk_full)
    code, output = _run(capsys, ["--lang", "ro", "jobs"])
    assert code == 1
    assert "/somewhere/file.json" in output and "discul este plin" in output


def test_ctrl_c_outside_a_command_says_interrupted(capsys, monkeypatch):
    def interrupted(args, out=None, err=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(scripting, "run", interrupted)
    code, output = _run(capsys, ["jobs"])
    assert code == cli.EXIT_INTERRUPTED
    assert output.strip() == "Interrupted."


# `panel-tui ARGS | head -1`: the reader is gone before the command writes.
CLOSED_PIPE = [
    ["--help"],
    ["scenarios"],
    ["jobs"],
    ["config", "show"],
    ["check"],
    ["doctor", "--sim-url", "https://127.0.0.1:9"],
    ["sim", "--help"],
]


@pytest.mark.parametrize("argv", CLOSED_PIPE, ids=[" ".join(a) for a in CLOSED_PIPE])
def test_output_to_a_reader_that_left_ends_quietly(panel_home, argv):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before the first line
    try:
        done = subprocess.run([sys.executable, "-m", "panel_tui", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=60,
                              env={**os.environ, "PANEL_TUI_HOME": str(panel_home)})
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "BrokenPipe" not in done.stderr
    assert done.returncode in DOCUMENTED_EXITS
