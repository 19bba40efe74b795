"""The profile's trainer file (data dir): which scenario it started from, whether the
simulator's CA counts as a system root (False for the untrusted-certificate lesson), and the
Web Config edits a scenario left on an open page, not yet sent by OK (the guide's 360 case).

Read at every start, so it lives apart from `panel_tui.scenarios` (which a plain start does
not import); scenarios write it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.atomic import write_atomically

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.device.paths import ProfilePaths

TRAINER_FILE = "trainer.json"


def trainer_file(paths: ProfilePaths) -> Path:
    return Path(paths.data_dir) / TRAINER_FILE


def trainer_state(paths: ProfilePaths) -> dict[str, Any]:
    """{"scenario": name or None, "simulator_ca_trusted": bool} of a profile,
    "webconfig_pending": {"section.field": value} when a scenario left Web Config edits open, and
    "sim_tenant": domain when the profile is a class's seat with a simulated tenant of its own."""
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
        if isinstance(data.get("sim_tenant"), str) and data["sim_tenant"]:
            state["sim_tenant"] = data["sim_tenant"]  # a class's seat: its own simulated tenant
        pending = data.get("webconfig_pending")
        if isinstance(pending, dict) and pending:
            state["webconfig_pending"] = pending
    return state


def take_webconfig_edits(paths: ProfilePaths, section: str) -> dict[str, Any]:
    """The pending edits a scenario left on Web Config's `section` page ({field: value}), forgotten
    once taken: the page that shows them holds them from then on, as a browser does."""
    state = trainer_state(paths)
    pending: dict[str, Any] = dict(state.get("webconfig_pending", {}))
    prefix = f"{section}."
    taken = {name[len(prefix):]: value for name, value in pending.items() if name.startswith(prefix)}
    if taken:
        left = {name: value for name, value in pending.items() if not name.startswith(prefix)}
        state["webconfig_pending"] = left or None
        write_atomically(trainer_file(paths), json.dumps({"schema": 1, **state}, indent=2) + "\n", mode=0o600)
    return taken
