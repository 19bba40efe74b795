"""Concurrent writers of one profile lose nothing: settings and secrets are read, changed and
written under the profile's lock."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading

import pytest

from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.device.settings_store import SettingsStore

ROUNDS = 40
TIMEOUT = 60


def _env(home) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PANEL_TUI_HOME=str(home), PYTHONUNBUFFERED="1")
    return env


def _config_set(home, field: str, value: str, procs: list) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "panel_tui", "config", "set", field, value],
        env=_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    procs.append(proc)
    return proc


@pytest.fixture
def procs():
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_two_concurrent_config_set_keep_both_fields_every_round(panel_home, procs):
    """Two `config set` processes on different fields, started together, 40 rounds: both saved."""
    store = SettingsStore(resolve_paths("default"))
    lost = []
    for round_ in range(ROUNDS):
        port, password = str(2000 + round_), f"Secret-{round_}"
        gate = threading.Barrier(2)

        def start(field, value, out, gate=gate):
            gate.wait(timeout=TIMEOUT)
            out.append(_config_set(panel_home, field, value, procs))

        pair: list[subprocess.Popen] = []
        threads = [threading.Thread(target=start, args=("smtp_port", port, pair)),
                   threading.Thread(target=start, args=("password", password, pair))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT)
        for proc in pair:
            _, err = proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
        saved = store.load().email_server
        if saved.smtp_port != int(port) or saved.password != password:
            lost.append(round_)
    assert lost == [], f"{len(lost)} of {ROUNDS} rounds lost a field: {lost}"


def test_panel_saving_a_copy_keeps_what_another_process_saved_meanwhile(panel_home):
    """The panel edits a copy of the settings it read; a CLI change saved since then stays."""
    panel = Printer.open(resolve_paths("default"))
    cli = Printer.open(resolve_paths("default"))
    seen_by_panel = panel.settings
    cli.update(lambda s: s.with_field("email_server.smtp_port", 2525).with_field("email_server.password", "Pw-1"))
    panel.update(dataclasses.replace(seen_by_panel, language="ro", email_server=dataclasses.replace(
        seen_by_panel.email_server, sender="printer@contoso.example")))
    saved = cli.store.load()
    assert saved.language == "ro"
    assert saved.email_server.sender == "printer@contoso.example"
    assert saved.email_server.smtp_port == 2525 and saved.email_server.password == "Pw-1"
    assert panel.settings == saved
