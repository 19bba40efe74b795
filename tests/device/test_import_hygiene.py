"""device/ is pure Python: importing all of it pulls in no UI and no mail backend."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import panel_tui.device

FORBIDDEN = ("textual", "msal", "aiosmtplib", "aiosmtpd", "panel_tui.ui", "panel_tui.mail", "panel_tui.sim")
DEVICE_DIR = Path(panel_tui.device.__file__).parent


def device_modules() -> list[str]:
    return [f"panel_tui.device.{info.name}" for info in pkgutil.iter_modules([str(DEVICE_DIR)])]


def test_module_list_is_what_we_expect():
    names = {name.rsplit(".", 1)[1] for name in device_modules()}
    assert {"paths", "clock", "validation", "settings", "admin", "errors", "joblog", "status_sheet", "printer"} <= names


def test_importing_device_loads_no_forbidden_module():
    code = (
        "import importlib, sys\n"
        f"for name in {device_modules()!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') for f in {FORBIDDEN!r}))\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
