"""The wheel ships menus/, locales/ and scenarios/ inside the package: a non-editable
install works from any directory."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_the_data_and_runs_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("panel_tui-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("panel_tui/data/menus/panel.toml", "panel_tui/data/menus/webconfig.toml",
                   "panel_tui/data/locales/en.toml", "panel_tui/data/locales/ro.toml", "panel_tui/app.tcss",
                   "panel_tui/scenarios/__init__.py"):
        assert needed in names, needed
    assert any(n.startswith("panel_tui/data/scenarios/") and n.endswith(".toml") for n in names)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PANEL_TUI_HOME": str(tmp_path / "home")}
    check = subprocess.run([sys.executable, "-m", "panel_tui", "check"], cwd=elsewhere, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    where = subprocess.run([sys.executable, "-c", "import panel_tui; print(panel_tui.__file__)"], cwd=elsewhere,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target))  # the installed copy answered, not the checkout


def test_make_run_installs_only_what_running_needs(tmp_path):
    """`make run` on a fresh machine installs the package without the test extras."""
    venv = tmp_path / "venv"
    plan = subprocess.run(["make", "-n", "-C", str(ROOT), "run", f"VENV={venv}"],
                          capture_output=True, text=True, check=True).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs, plan
    assert all("[test]" not in line for line in installs), installs
    test_plan = subprocess.run(["make", "-n", "-C", str(ROOT), "test", f"VENV={venv}"],
                               capture_output=True, text=True, check=True).stdout
    assert any("[test]" in line for line in test_plan.splitlines()), test_plan
