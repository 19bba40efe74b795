"""`panel-tui sim stop` issued while a panel's simulator is still starting stops that one too
(it waits for the start under way instead of answering "nothing serves" and leaving it up)."""
from __future__ import annotations

import threading

import pytest

from panel_tui.sim import service

pytestmark = pytest.mark.skipif(not service.SUPPORTED, reason="the home's simulator service needs fcntl")


def test_stop_during_a_start_stops_the_simulator_that_was_starting(tmp_path):
    sim_dir = tmp_path / "simulator"
    stopped: list = []
    with service._held(sim_dir / service.START_LOCK_FILE, service.fcntl.LOCK_EX):  # a panel starting it
        stopper = threading.Thread(target=lambda: stopped.append(service.stop(sim_dir)), daemon=True)
        stopper.start()
        info = service._spawn(sim_dir, service.START_TIMEOUT)  # what that panel does under the lock
        assert service.is_serving(sim_dir)
    try:
        stopper.join(timeout=60)
        assert not stopper.is_alive()
        assert stopped and stopped[0] is not None and stopped[0].pid == info.pid
        assert not service.is_serving(sim_dir)
    finally:
        service.stop(sim_dir)
