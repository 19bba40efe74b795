"""The class's processes as other modules ask about them: is a pid one of ours, does the home
have one simulator every process joins. The bottom of the classroom package (imports none of it)."""
from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path

from panel_tui.device.paths import simulator_dir


def pid_alive(pid: int | None) -> bool:
    """Whether `pid` runs a panel_tui process (a recycled pid of another program is not ours)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return b"panel_tui" in cmdline or b"panel-tui" in cmdline


def home_service():
    """panel_tui.sim.service when this build has one simulator per home, else None."""
    if importlib.util.find_spec("panel_tui.sim.service") is None:
        return None
    return importlib.import_module("panel_tui.sim.service")


def simulator_fingerprint() -> str | None:
    """The SHA-256 fingerprint of the CA of the home's simulator serving now (None: none serves)."""
    service = home_service()
    info = service.running(simulator_dir()) if service is not None else None
    return info.fingerprint if info is not None else None


def seats_join_home_simulator() -> bool:
    """True when a plain `panel-tui --profile seatNN` finds the home's simulator by itself."""
    return home_service() is not None
