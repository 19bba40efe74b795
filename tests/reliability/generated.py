"""Shared pieces of the generated-input tests (Hypothesis): profiles, nasty values, an in-process
command runner and the property every run must hold.

Profiles (PANEL_TUI_HYPOTHESIS_PROFILE): ``default`` a small fixed budget for every run, with
the example database in ``.hypothesis/`` (a failing example is replayed first next time);
``ci`` the same budget, derandomized (the same examples on every machine); ``nightly`` a long
run. Known failures are pinned with ``@example`` in the tests themselves.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from panel_tui.app import PanelApp
from panel_tui.cli import main

PROFILE_ENV = "PANEL_TUI_HYPOTHESIS_PROFILE"
_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large])
settings.register_profile("default", max_examples=15, **_COMMON)
settings.register_profile("ci", max_examples=15, derandomize=True, database=None, **_COMMON)
settings.register_profile("nightly", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get(PROFILE_ENV, "default"))

# The exit codes the README documents; 70 is the funnel's "a bug" and must never be seen.
DOCUMENTED_EXITS = frozenset({0, 1, 2, 3})

# Values a person or a script gets wrong: empty, huge, control characters, NUL, bidi, paths,
# numbers out of range, option-looking words.
NASTY = [
    "", " ", "x" * 5000, "\x00", "a\x00b", "\r\n", "line\nbreak", "\x1b[31mred", "\u202eevil", "\u200b",
    "../../x", "/", "/dev/null", "/nonexistent/dir/file", "~", ".", "..", "-", "--", "-x", "--help",
    "0", "-1", "65536", "99999999999999999999", "1e400", "NaN", "inf", "0x10", "١٢٣",
    "a@b", "@", "a@b.c", ".@x.y", "x@[127.0.0.1]", "\udcff", "ă" * 200, "🖨️", "%s%n", "{0}", "' OR 1=1 --",
]


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NASTY), st.text(max_size=40),
                     st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=20))


def nasty_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=300), st.sampled_from(
        [b"", b"\x00", b"{", b"[", b"null", b"[]", b"{}", b"1e400", b"\xff\xfe", b'{"schema": 99}',
         b"[" * 50_000 + b"]" * 50_000, b'"' + b"x" * 100_000 + b'"']))


def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """`panel-tui ARGV` in this process: (exit code, stdout, stderr); argparse's exits included."""
    def no_panel(*args, **kwargs):  # a generated argv that starts the TUI would wait here for keys forever
        raise AssertionError(f"argv={argv!r} started the panel")

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    PanelApp.run = no_panel  # type: ignore[method-assign]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as done:  # argparse: --help (0) and usage errors (2)
                code = done.code if isinstance(done.code, int) else 1
    finally:
        sys.stdin = old_stdin
        del PanelApp.run  # App.run again
    return code, out.getvalue(), err.getvalue()


def assert_clear(argv: list[str], code: int, out: str, err: str) -> None:
    """The property: a documented exit code, no traceback, and a failure says something."""
    shown = f"argv={argv!r}\nexit={code}\nstdout={out[-2000:]!r}\nstderr={err[-2000:]!r}"
    assert code in DOCUMENTED_EXITS, shown
    assert "Traceback" not in out + err, shown
    assert "unexpected error (a bug" not in err, shown
    if code != 0:
        assert err.strip() or out.strip(), shown


def stored(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its digest (what must not change when a command fails)."""
    result = {}
    if folder.exists():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith((".lock", "-wal", "-shm")):
                result[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result
