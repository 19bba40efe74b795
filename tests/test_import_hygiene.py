"""Layering rules (STYLE.md): device/mail/sim never import textual; the UI never drags in the backends."""
from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("msal", "aiosmtplib", "aiosmtpd")


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


@pytest.mark.parametrize("package", ["panel_tui.device.printer", "panel_tui.device.status_sheet",
                                     "panel_tui.mail", "panel_tui.sim"])
def test_backend_packages_never_import_textual(package):
    assert "textual" not in _imported_after(f"import {package}")


def test_importing_the_app_does_not_import_heavy_backends():
    modules = _imported_after("import panel_tui.app, panel_tui.cli, panel_tui.assembly")
    assert "textual" in modules  # the probe works
    for heavy in HEAVY:
        assert heavy not in modules, heavy


def _imports_of(path) -> set[str]:
    import ast

    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("package", "forbidden"), [
    ("sim", ("textual", "panel_tui.ui", "panel_tui.device", "panel_tui.mail", "panel_tui.app")),
    ("device", ("textual", "panel_tui.ui", "panel_tui.sim", "panel_tui.app", "panel_tui.mail")),
    ("mail", ("textual", "panel_tui.ui", "panel_tui.app")),
])
def test_layering_by_source(package, forbidden):
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "panel_tui" / package
    for path in root.rglob("*.py"):
        for name in _imports_of(path):
            assert not any(name == f or name.startswith(f + ".") for f in forbidden), f"{path} imports {name}"
