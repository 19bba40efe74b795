"""The profile's trainer file (data dir): which scenario it started from and whether the
simulator's CA counts as a system root (False for the untrusted-certificate lesson).

Read at every start, so it lives apart from `panel_tui.scenarios` (which a plain start does
not import); scenarios write it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TRAINER_FILE = "trainer.json"


def trainer_file(paths) -> Path:
    return Path(paths.data_dir) / TRAINER_FILE


def trainer_state(paths) -> dict[str, Any]:
    """{"scenario": name or None, "simulator_ca_trusted": bool} of a profile."""
    state: dict[str, Any] = {"scenario": None, "simulator_ca_trusted": True}
    try:
        data = json.loads(trainer_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return state
    if isinstance(data, dict):
        if isinstance(data.get("scenario"), str):
            state["scenario"] = data["scenario"]
        if isinstance(data.get("simulator_ca_trusted"), bool):
            state["simulator_ca_trusted"] = data["simulator_ca_trusted"]
    return state
