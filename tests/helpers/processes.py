"""Processes and browsers the tests start: `panel-tui` as a developer runs it over SSH, a
standalone simulator (`panel-tui sim --json`), the home's background simulator, Chromium.

Every process started here is stopped by the fixture or the caller that started it, by pid.
"""
from __future__ import annotations

import itertools
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.sim import service
from panel_tui.sim.client import SimControl
from tests.helpers.tenant import PRINTER

TIMEOUT = 60
_profiles = itertools.count(1)

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # nothing but loopback, whatever the page asks for
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# A terminal's escape sequences (what textual-serve sends to xterm.js), to read the words between them.
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")


def chromium_path() -> str:
    """Debian's Chromium for the browser tests; skipped with how to install it, never silently."""
    found = os.environ.get("PANEL_TUI_CHROMIUM") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.skip("Chromium not found: install Debian's browser with `apt-get install chromium` "
                    "(.ci/run does), or point PANEL_TUI_CHROMIUM at a Chromium binary")
    return found


def stop_home_simulator(home) -> None:
    """Stop the background simulator a test's panel or command started in `home` (if any)."""
    sim_dir = home / "simulator"
    if (sim_dir / "simulator.lock").exists():
        service.stop(sim_dir)


class LineReader:
    """Collects a stream's lines in a thread, so a test can wait for one with a timeout."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        try:
            for line in iter(stream.readline, ""):
                self._queue.put(line.rstrip("\r\n"))
        except OSError:  # a pty whose other end has closed
            pass
        self._queue.put(None)

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> re.Match:
        regex = re.compile(pattern)
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"stream ended before {pattern!r}; got {self.lines}")
            self.lines.append(line)
            match = regex.search(line)
            if match:
                return match

    def rest(self, timeout: float = TIMEOUT) -> str:
        """Everything until the stream ends."""
        while True:
            line = self._queue.get(timeout=timeout)
            if line is None:
                return "\n".join(self.lines)
            self.lines.append(line)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `panel-tui` subprocess in `home` (no administrator password inherited)."""
    env = {k: v for k, v in os.environ.items() if k != "PANEL_TUI_ADMIN_PASSWORD"}
    env.update(PANEL_TUI_HOME=str(home), PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class Cli:
    """`panel-tui` for one printer profile, joined to a simulator by --sim-url (or embedding one)."""

    home: Path
    profile: str
    sim_url: str | None

    def argv(self, *args: str) -> list[str]:
        argv = [sys.executable, "-m", "panel_tui", "--profile", self.profile]
        if self.sim_url:
            argv += ["--sim-url", self.sim_url]
        return argv + list(args)

    def run(self, *args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.argv(*args), env=cli_env(self.home, **env), input=input, capture_output=True,
                              text=True, timeout=TIMEOUT)

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), env=cli_env(self.home), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def ok(self, *args: str, **kwargs) -> str:
        result = self.run(*args, **kwargs)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result.stdout

    def printer(self, monkeypatch):
        """The profile's printer, opened in this process (to arrange what has no command)."""
        monkeypatch.setenv("PANEL_TUI_HOME", str(self.home))
        return Printer.open(resolve_paths(self.profile))


def new_cli(home: Path, sim_url: str | None, prefix: str = "cli") -> Cli:
    """A Cli on a profile of its own in `home`."""
    return Cli(home, f"{prefix}{next(_profiles)}", sim_url)


def cli_sign_in(cli: Cli, control: SimControl, account=PRINTER, *extra: str) -> subprocess.Popen:
    """Run `panel-tui signin`, approve its code at the simulator's pages; returns the finished process."""
    proc = cli.popen("signin", *extra)
    out = LineReader(proc.stdout)
    code = out.expect(r"^code: (\S+)$").group(1)
    assert out.expect(r"^url: (https://\S+)$").group(1) == cli.sim_url + "/devicelogin"
    page = control.approve_device_code(code, account.upn, account.password)
    assert proc.wait(timeout=TIMEOUT) is not None
    proc.stdout_text = out.rest()  # type: ignore[attr-defined]
    proc.stderr_text = proc.stderr.read() if proc.stderr else ""  # type: ignore[attr-defined]
    proc.browser = page  # type: ignore[attr-defined]
    return proc
