"""A standalone `panel-tui sim --json` for the benchmarks that time processes joining it."""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from pathlib import Path


def start_simulator(env: dict, timeout: float) -> tuple[subprocess.Popen, dict]:
    """`panel-tui sim --json` on loopback, its output to a log file; returns it and its JSON line."""
    log = open(Path(env["PANEL_TUI_HOME"]) / "sim.log", "w+b")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen([sys.executable, "-m", "panel_tui", "sim", "--json", "--host", "127.0.0.1"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=env)
    line = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                process.kill()
                log.seek(0)
                raise SystemExit(f"the simulator did not start within {timeout} s: "
                                 f"{log.read().decode(errors='replace')}")
            if selector.select(timeout=left):
                chunk = os.read(process.stdout.fileno(), 65536)
                if chunk:
                    line += chunk
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # never let its pipe fill
    return process, json.loads(line)
