"""`panel-tui scenarios`: the scenarios' names and descriptions in the profile's language."""
from __future__ import annotations

import sys
from pathlib import Path

from panel_tui.device.paths import resolve_paths
from panel_tui.device.settings_store import SettingsError, SettingsStore
from panel_tui.i18n import Translator
from panel_tui.scenarios.loading import load_scenarios
from panel_tui.scenarios.model import ScenarioError


def list_scenarios(lang: str = "en", directory: Path | None = None,
                   translator: Translator | None = None) -> list[tuple[str, str]]:
    """(name, one-line description in `lang`) for every scenario."""
    if translator is None:
        translator = Translator.load()
    previous = translator.language
    translator.set_language(lang)
    try:
        return [(s.name, translator.t(s.description_key)) for s in load_scenarios(directory).values()]
    finally:
        translator.set_language(previous)


def scenario_lines(lang: str = "en", directory: Path | None = None) -> list[str]:
    """`panel-tui scenarios`: one `name  description` line per scenario, names aligned."""
    rows = list_scenarios(lang, directory)
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)}  {description}" for name, description in rows]


def print_scenarios(lang: str | None = None, profile: str = "default") -> int:
    """`panel-tui [--lang L] scenarios`: in `lang`, else the profile's language. Exit code."""
    if lang is None:
        try:
            lang = SettingsStore(resolve_paths(profile)).load().language
        except (SettingsError, ValueError):
            lang = "en"
    try:
        lines = scenario_lines(lang)
    except ScenarioError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 1
    print("\n".join(lines), flush=True)  # a reader that left (`| head -1`): panel_tui.cli's funnel
    return 0
