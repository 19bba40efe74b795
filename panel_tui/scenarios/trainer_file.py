"""The profile's stored trainer state (trainer.json): which scenario it started from and whether
the simulator's CA counts as a system root. Read at every start by
panel_tui.device.trainer_state; written here, by the scenarios.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.atomic import write_atomically
from panel_tui.device.trainer_state import TRAINER_FILE, trainer_file, trainer_state

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.device.paths import ProfilePaths
    from panel_tui.device.printer import Printer

__all__ = ["TRAINER_FILE", "forget_scenario", "save_trainer_state", "set_simulator_trust", "trainer_state"]


def save_trainer_state(paths: ProfilePaths, **changes: Any) -> None:
    state = {**trainer_state(paths), **changes}
    Path(paths.data_dir).mkdir(parents=True, exist_ok=True)
    write_atomically(trainer_file(paths), json.dumps({"schema": 1, **state}, indent=2) + "\n", mode=0o600)


def forget_scenario(paths: ProfilePaths) -> None:
    """After "reset everything": the profile no longer says it started from a scenario."""
    save_trainer_state(paths, scenario=None)


def set_simulator_trust(printer: Printer, backend: Backend, trusted: bool) -> None:
    save_trainer_state(printer.paths, simulator_ca_trusted=trusted)
    backend.set_trust_sim_ca(trusted)  # applies to the next job
