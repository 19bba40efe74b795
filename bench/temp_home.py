"""Temporary homes for the benchmarks that start `panel-tui` itself (start-up, menu latency).

A panel started in a home starts that home's simulator as a background service, which
outlives the panel until it has been idle for a while. A benchmark's homes are its own:
on the way out their simulators are stopped (by the pid in their runtime file) and the
folders removed, so nothing the benchmark started keeps running after it.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from panel_tui.sim import service

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's panel_tui


@contextmanager
def temporary_homes(names) -> Iterator[dict[str, str]]:
    """One fresh `PANEL_TUI_HOME` per name; stopped and removed on exit."""
    homes = {name: tempfile.mkdtemp(prefix="panel-bench-") for name in names}
    try:
        yield homes
    finally:
        for home in homes.values():
            try:
                service.stop(Path(home) / "simulator")
            except Exception as error:  # noqa: BLE001 - said, then the next home
                print(f"could not stop the simulator of {home}: {error}", file=sys.stderr)
            shutil.rmtree(home, ignore_errors=True)
