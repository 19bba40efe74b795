"""``panel-tui sim`` as a separate process, and the package's import rules."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import requests

RUN_SIM = (
    "import sys; from pathlib import Path; from panel_tui.sim.cli import main; "
    "sys.exit(main(sys.argv[2:], Path(sys.argv[1])))"
)
REPO = Path(__file__).resolve().parents[2]


def _start(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_SIM, str(data_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _first_line(proc: subprocess.Popen, timeout: float = 30) -> str:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the simulator printed nothing"
    return proc.stdout.readline()


def _stop(proc: subprocess.Popen, signum: int) -> tuple[str, str]:
    """Signal, wait, then read what is left (through the same buffered pipes)."""
    proc.send_signal(signum)
    proc.wait(timeout=15)
    return proc.stdout.read(), proc.stderr.read()


def test_json_mode_prints_one_line_then_serves_until_interrupted(tmp_path):
    proc = _start(tmp_path, "--json")
    try:
        info = json.loads(_first_line(proc))
        assert info["authority"] == f"{info['base_url']}/{info['tenant_id']}"
        assert Path(info["ca_path"]).is_file() and info["maildir"].startswith(str(tmp_path))
        assert {a["upn"] for a in info["seeded_accounts"]} >= {"admin@contoso.onmicrosoft.com",
                                                               "printer@contoso.onmicrosoft.com"}
        http = requests.Session()
        http.trust_env = False
        doc = http.get(f"{info['authority']}/v2.0/.well-known/openid-configuration", verify=info["ca_path"]).json()
        assert doc["device_authorization_endpoint"].endswith("/oauth2/v2.0/devicecode")
    finally:
        out, err = _stop(proc, signal.SIGINT)
    assert proc.returncode == 0, err
    assert out == ""  # nothing after the one JSON line


def test_text_mode_lists_endpoints_ca_maildir_and_accounts(tmp_path):
    proc = _start(tmp_path, "--smtp-port", "0")
    try:
        lines = [_first_line(proc)]
        while lines[-1] and "Press Ctrl+C" not in lines[-1]:
            lines.append(proc.stdout.readline())
    finally:
        out, err = _stop(proc, signal.SIGTERM)
    text = "".join(lines) + out
    assert proc.returncode == 0, err
    for expected in ("Sign-in page", "Admin center", "SMTP (STARTTLS)", "CA certificate", "Maildir",
                     str(tmp_path / "pki" / "ca.pem"), "admin@contoso.onmicrosoft.com", "Sim-Admin-2024"):
        assert expected in text
    assert err == ""  # loopback: no warning


def test_a_non_loopback_host_is_warned_about(tmp_path):
    # 192.0.2.1 (TEST-NET-1) is never assigned here, so the bind fails after the warning.
    proc = _start(tmp_path, "--host", "192.0.2.1")
    out, err = proc.communicate(timeout=30)
    assert "warning: binding to 192.0.2.1, not loopback" in err
    assert proc.returncode == 1 and "cannot start" in err


def test_sim_imports_nothing_from_ui_device_mail_or_textual():
    code = (
        "import importlib, pkgutil, sys, panel_tui.sim as s\n"
        "for m in pkgutil.iter_modules(s.__path__): importlib.import_module('panel_tui.sim.' + m.name)\n"
        "bad = [n for n in sys.modules if n == 'textual' or n.startswith(('textual.', 'panel_tui.ui',"
        " 'panel_tui.device', 'panel_tui.mail'))]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""


def test_runtime_and_control_import_no_server_libraries():
    code = (
        "import sys, panel_tui.sim.runtime, panel_tui.sim.control\n"
        "heavy = ['aiohttp', 'aiosmtpd', 'msal', 'cryptography', 'jwt', 'requests', 'aiosmtplib']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == ""
