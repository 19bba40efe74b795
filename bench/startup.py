"""Start-up benchmark: process start to first painted frame, panel-tui vs a bare Textual app.

Both run the same way: a fresh Python process on a pseudo-terminal of 80x24; the clock
stops when the frame's marker text reaches the terminal. Prints medians of N runs, the
ratio, and peak RSS (VmHWM) of each. Usage: python bench/startup.py [--runs 7]
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

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("BARE-READY")
Bare().run()
"""


def peak_rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def time_to_marker(argv: list[str], marker: bytes, env: dict, timeout: float = 30.0) -> tuple[float, int]:
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    elapsed = float("nan")
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if marker in seen:
                elapsed = time.perf_counter() - start
                break
        rss = peak_rss_kib(pid)
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    return elapsed, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="panel-bench-")
    env = {**os.environ, "PANEL_TUI_HOME": home, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    panel = [sys.executable, "-m", "panel_tui"]
    bare = [sys.executable, "-c", BARE_APP]
    # Warm-up (file cache, .pyc) for both, not counted.
    time_to_marker(panel, b"EPSON", env)
    time_to_marker(bare, b"BARE-READY", env)
    results = {"panel-tui": [], "bare textual": []}
    rss = {"panel-tui": [], "bare textual": []}
    for _ in range(args.runs):  # interleaved so machine noise hits both alike
        for name, argv, marker in (("panel-tui", panel, b"EPSON"), ("bare textual", bare, b"BARE-READY")):
            seconds, peak = time_to_marker(argv, marker, env)
            results[name].append(seconds)
            rss[name].append(peak)
    print(f"first painted frame, {args.runs} runs each, 80x24 pty (median / min / max)")
    for name, values in results.items():
        print(f"  {name:13s} {statistics.median(values) * 1000:7.1f} ms  "
              f"{min(values) * 1000:7.1f} / {max(values) * 1000:7.1f} ms   "
              f"peak RSS {statistics.median(rss[name]) / 1024:6.1f} MiB")
    ratio = statistics.median(results["panel-tui"]) / statistics.median(results["bare textual"])
    print(f"  ratio panel-tui / bare textual (medians): {ratio:.2f}x  (goal <= 1.30x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
