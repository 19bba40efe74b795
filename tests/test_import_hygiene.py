"""Layering rules: the contracts of pyproject.toml's [tool.importlinter] hold (and catch what they
forbid), and importing a layer loads nothing it must not (checked in a fresh interpreter)."""
from __future__ import annotations

import ast
import os
import pkgutil
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

import panel_tui
import panel_tui.sim

ROOT = Path(__file__).resolve().parents[1]

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


LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# One import per contract of pyproject.toml's [tool.importlinter], each one that it forbids.
BREAKS = [
    ("device/clock.py", "import textual", "The device and mail layers never import the UI"),
    ("device/clock.py", "from panel_tui.mail import errors", "Layers"),
    ("device/clock.py", "import aiosmtplib", "The device layer is pure Python"),
    ("mail/errors.py", "from panel_tui.ui import formatting", "Layers"),
    ("mail/errors.py", "import panel_tui.sim.tenant", "The device and mail layers never import the UI"),
    ("sim/strings.py", "from panel_tui.device import clock", "The simulator stands apart"),
    ("ui/formatting.py", "import panel_tui.sim.client", "The UI never imports the simulator"),
    ("scenarios/model.py", "from panel_tui.sim import tenant", "The product uses the simulator only through"),
    ("lesson.py", "from panel_tui.sim.state import SimState", "The product uses the simulator only through"),
    ("backend.py", "from panel_tui.sim import state", "What starts a simulator uses its client"),
    ("classroom/roster.py", "from panel_tui.ui import frame", "Layers"),
    ("scenarios/model.py", "import panel_tui.classroom.roster", "Layers"),
    ("backend.py", "import panel_tui.scenarios", "Layers"),
]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_the_layer_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "statement", "contract"), BREAKS)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, statement, contract):
    """The contracts catch what they forbid, even an import inside a function."""
    shutil.copytree(ROOT / "panel_tui", tmp_path / "panel_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "panel_tui" / module).open("a", encoding="utf-8") as source:
        source.write(f"\n\ndef _added_for_the_test():\n    {statement}\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout


def _contract(name_starts: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_starts))


def test_the_simulator_contracts_name_every_module():
    """A new module of panel_tui.sim is forbidden outside it unless it is the client (or, to what
    starts a simulator, its runtime, service and command line); every other module of the
    product is under one of the two contracts."""
    sim = {f"panel_tui.sim.{info.name}" for info in pkgutil.iter_modules(panel_tui.sim.__path__)}
    users = _contract("The product uses the simulator only through")
    starters = _contract("What starts a simulator")
    assert set(users["forbidden_modules"]) == sim - {"panel_tui.sim.client"}
    assert set(starters["forbidden_modules"]) == sim - {f"panel_tui.sim.{name}" for name in
                                                         ("client", "runtime", "service", "cli")}
    product = {f"panel_tui.{info.name}" for info in pkgutil.iter_modules(panel_tui.__path__)} - {
        "panel_tui.sim", "panel_tui.__main__"}
    assert set(users["source_modules"]) | set(starters["source_modules"]) == product
    assert not set(users["source_modules"]) & set(starters["source_modules"])


def test_test_modules_import_helpers_only_from_tests_helpers():
    """Shared test code lives in tests/helpers/; a test module never imports another test module,
    so moving or deleting one test file breaks no other."""
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                name = ("." * node.level) + (node.module or "")
                leaf = name.rsplit(".", 1)[-1]
                if (node.level or name.startswith("tests.")) and leaf.startswith("test_"):
                    offenders.append(f"{path.relative_to(ROOT)}: from {name} import ...")
    assert not offenders, "\n".join(offenders)


def test_no_module_cycles_counting_imports_inside_functions():
    """Modules form layers: no group of modules imports each other, even through an import inside
    a function (a package's __init__ importing its own submodules is how packages work)."""
    graph = grimp.build_graph("panel_tui", cache_dir=None)
    edges = {m: {t for t in graph.find_modules_directly_imported_by(m) if t.startswith("panel_tui")
                 and not t.startswith(m + ".")} for m in graph.modules}
    cycles = [group for group in _strongly_connected(edges) if len(group) > 1]
    assert not cycles, "\n".join(" <-> ".join(sorted(group)) for group in cycles)


def _strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None and child in edges:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if child is not None:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                groups.append(group)
    return groups
