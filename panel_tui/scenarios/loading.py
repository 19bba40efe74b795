"""Reading `scenarios/<name>.toml`: every file checked, `extends` resolved, problems collected."""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from panel_tui.datafiles import data_dir
from panel_tui.scenarios.model import Scenario, ScenarioError, Step
from panel_tui.scenarios.validation import TOP_KEYS, check_step


def _read_file(path: Path, problems: list[str], label_keys: set[str] | None) -> dict[str, Any] | None:
    fname = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{fname}: not valid TOML: {exc}")
        return None
    before = len(problems)
    for unknown in sorted(raw.keys() - TOP_KEYS):
        problems.append(f"{fname}: unknown key {unknown!r}; expected {', '.join(sorted(TOP_KEYS))}")
    if raw.get("name") != path.stem:
        problems.append(f"{fname}: name must be {path.stem!r} (the file name), not {raw.get('name')!r}")
    key = raw.get("description_key")
    if not isinstance(key, str) or not key:
        problems.append(f"{fname}: description_key: expected a locale key")
    elif label_keys is not None and key not in label_keys:
        problems.append(f"{fname}: description_key: {key!r} is not in the locale files")
    if "extends" in raw and not isinstance(raw["extends"], str):
        problems.append(f"{fname}: extends: expected a scenario name")
    steps = raw.get("steps", [])
    if not isinstance(steps, list):
        problems.append(f"{fname}: steps: expected [[steps]] tables")
        steps = []
    raw["steps"] = [check_step(s, f"{fname}: step {n}", problems) for n, s in enumerate(steps, 1)]
    return raw if len(problems) == before else None


def load_scenarios(directory: Path | None = None, label_keys: set[str] | None = None) -> dict[str, Scenario]:
    """Every scenario of `directory` (default: the shipped folder), by name, sorted.

    Raises ScenarioError listing every problem of every file (unknown kinds, fields, values,
    settings, accounts, `extends` of a missing scenario or in a cycle).
    """
    directory = Path(directory or data_dir("scenarios"))
    problems: list[str] = []
    raws = {}
    for path in sorted(directory.glob("*.toml")):
        raw = _read_file(path, problems, label_keys)
        if raw is not None:
            raws[path.stem] = (path, raw)
    if not raws and not problems:
        problems.append(f"{directory}: no scenario files")
    scenarios: dict[str, Scenario] = {}

    def build(name: str, chain: tuple[str, ...]) -> Scenario | None:
        if name in scenarios:
            return scenarios[name]
        path, raw = raws[name]
        steps: tuple[Step, ...] = ()
        base = raw.get("extends")
        if base is not None:
            if base in chain:
                problems.append(f"{path}: extends: cycle {' -> '.join((*chain, base))}")
                return None
            if base not in raws:
                problems.append(f"{path}: extends: no scenario {base!r}")
                return None
            parent = build(base, (*chain, base))
            if parent is None:
                return None
            steps = parent.steps
        scenario = Scenario(name, raw["description_key"], steps + tuple(raw["steps"]), path)
        scenarios[name] = scenario
        return scenario

    for name in raws:
        build(name, (name,))
    if problems:
        raise ScenarioError(problems)
    return dict(sorted(scenarios.items()))


def check_scenarios(directory: Path | None = None, label_keys: set[str] | None = None) -> list[str]:
    """The problems of the scenario files (empty when they are fine), for `panel-tui check`."""
    try:
        load_scenarios(directory, label_keys)
    except ScenarioError as error:
        return error.problems
    return []


def load_scenario(name: str, directory: Path | None = None) -> Scenario:
    """The scenario called `name` (ScenarioError says which names exist)."""
    scenarios = load_scenarios(directory)
    if name not in scenarios:
        raise ScenarioError([f"no scenario {name!r}; choose one of: {', '.join(scenarios)}"])
    return scenarios[name]
