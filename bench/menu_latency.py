"""Key-press-to-screen-update latency over 200 menu steps, measured on a real pty.

panel-tui runs on an 80x24 pseudo-terminal. For each step the benchmark writes the key
(down/up, Enter into a submenu, Backspace = Back) and records the time until the last
byte of the resulting screen update arrives (the update is over when the terminal stays
quiet for QUIET seconds; that quiet wait is not counted). Prints median and p95 in ms.
Usage: python bench/menu_latency.py [--steps 200]
"""
from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

KEYS = {"down": b"\x1b[B", "up": b"\x1b[A", "enter": b"\r", "back": b"\x7f"}
# A walk from the Settings tile down to Network Status and back to Home; every step
# changes the screen (a no-op key would only be "answered" by the next clock tick).
WALK = ["enter", "enter", "down", "down", "enter", "enter", "down", "down", "up", "up", "back",
        "down", "down", "up", "up", "back", "up", "up", "back", "back"]
QUIET = 0.15


def read_until_quiet(fd: int, first_deadline: float) -> float | None:
    """Read output; return the time of the last byte of the burst (None if nothing came)."""
    last = None
    wait = first_deadline
    while True:
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return last
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return last
        if not chunk:
            return last
        last = time.perf_counter()
        wait = QUIET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    env = {**os.environ, "PANEL_TUI_HOME": tempfile.mkdtemp(prefix="panel-bench-"), "TERM": "xterm-256color"}
    argv = [sys.executable, "-m", "panel_tui"]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    latencies: list[float] = []
    try:
        read_until_quiet(fd, 30.0)  # first frame
        # Home: Settings is the first tile of the second row.
        os.write(fd, KEYS["down"])
        read_until_quiet(fd, 5.0)
        index = 0
        while len(latencies) < args.steps:
            key = WALK[index % len(WALK)]
            index += 1
            start = time.perf_counter()
            os.write(fd, KEYS[key])
            end = read_until_quiet(fd, 5.0)
            if end is not None:
                latencies.append((end - start) * 1000)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"menu steps: {len(latencies)} on an 80x24 pty  median {statistics.median(latencies):.1f} ms  "
          f"p95 {p95:.1f} ms  max {ordered[-1]:.1f} ms  (goal: median < 15 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
