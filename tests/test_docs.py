"""The repository's own docs: README's layout names every top-level module, ARCHITECTURE.md's
table too, and nothing in the repository cites files that live outside it."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from panel_tui.sim.trust_page import PAGE

ROOT = Path(__file__).resolve().parents[1]
# Built from parts so that this file does not cite them itself.
OUTSIDE = re.compile("|".join((r"\bSTYLE" + r"\.md", r"\bSP" + r"EC\b", "shared" + "/seed", r"\.\./" + "shared")))


def top_level_modules() -> set[str]:
    package = ROOT / "panel_tui"
    modules = {p.name for p in package.glob("*.py") if p.name != "__init__.py"}
    modules |= {p.name + "/" for p in package.iterdir() if (p / "__init__.py").exists()}
    return modules


def _section(text: str, title: str) -> str:
    """From `title` to the next heading of its level."""
    level = title.split(" ", 1)[0]
    return text.split(title, 1)[1].split(f"\n{level} ", 1)[0]


@pytest.mark.parametrize(("doc", "title"), [("README.md", "## Layout"), ("ARCHITECTURE.md", "# Architecture")])
def test_the_docs_name_every_top_level_module(doc, title):
    section = _section((ROOT / doc).read_text(encoding="utf-8"), title)
    names = {m: m.removesuffix(".py").rstrip("/") for m in top_level_modules()}
    assert {m for m, name in names.items() if not re.search(rf"\b{re.escape(name)}\b", section)} == set()


def test_nothing_cites_files_outside_the_repository():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True,
                            timeout=60).stdout.split()
    citing = []
    for name in listed:
        path = ROOT / name
        if path.suffix in (".svg", ".png", ".pdf") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        citing += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if OUTSIDE.search(line)]
    assert citing == []


def test_readme_says_where_panel_tui_is_and_how_to_trust_the_simulators_ca():
    """`make run` does not put panel-tui on PATH: the README says .venv/bin/panel-tui or how to
    activate; and how a browser trusts the simulator's CA (its /ca page, which exists)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/panel-tui" in readme and ". .venv/bin/activate" in readme
    assert "ERR_CERT_AUTHORITY_INVALID" in readme and f"`{PAGE}`" in readme and "fingerprint" in readme
