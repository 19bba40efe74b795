"""Start-up benchmark: process start to first painted frame, panel-tui vs a bare Textual app.

Both run the same way: a fresh Python process on a pseudo-terminal of 80x24; the clock
stops when the frame's marker text reaches the terminal. The two are interleaved (one
panel-tui run, one bare run, ...) so that the load of a shared machine hits both alike.
Prints the medians of N runs, the ratio of the medians, the median of the per-pair
ratios, peak RSS (VmHWM) of each, and how the run was made (CPUs, load, bytecode setting).
With --before DIR, a checkout of another version (e.g. `git worktree add DIR main~5`) runs
too, interleaved, from that directory (its `panel_tui` comes first on the path there).
Usage: python bench/startup.py [--runs 15] [--before DIR]
"""
from __future__ import annotations

import argparse
import fcntl
import os
import platform
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time

from temp_home import temporary_homes  # bench/ is the script's own folder

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("BARE-READY")
Bare().run()
"""
GOAL_TIME, GOAL_RSS = 1.25, 1.20


def peak_rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def time_to_marker(argv: list[str], marker: bytes, env: dict, timeout: float = 30.0,
                   cwd: str | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        if cwd:
            os.chdir(cwd)
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


def describe_machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"Python {platform.python_version()}, "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", metavar="DIR", help="a checkout of another version to run too")
    args = parser.parse_args()
    with temporary_homes(["panel"]) as homes:  # its simulator stopped, its folder removed, at the end
        return run(args, homes["panel"])


def run(args: argparse.Namespace, home: str) -> int:
    env = {**os.environ, "PANEL_TUI_HOME": home, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    panel = [sys.executable, "-m", "panel_tui"]
    bare = [sys.executable, "-c", BARE_APP]
    print(f"machine: {describe_machine()}")
    contenders = [("panel-tui", panel, b"EPSON", None), ("bare textual", bare, b"BARE-READY", None)]
    if args.before:
        contenders.insert(1, ("before", panel, b"EPSON", args.before))
    # Warm-up (file cache, the profile's first creation, caches), not counted.
    for _name, argv, marker, cwd in contenders:
        time_to_marker(argv, marker, env, cwd=cwd)
    results: dict[str, list[float]] = {name: [] for name, *_ in contenders}
    rss: dict[str, list[int]] = {name: [] for name, *_ in contenders}
    pair_ratios: dict[str, list[float]] = {name: [] for name, *_ in contenders}
    for _ in range(args.runs):  # interleaved so machine noise hits all alike
        for name, argv, marker, cwd in contenders:
            seconds, peak = time_to_marker(argv, marker, env, cwd=cwd)
            results[name].append(seconds)
            rss[name].append(peak)
        for name in results:
            pair_ratios[name].append(results[name][-1] / results["bare textual"][-1])
    print(f"first painted frame, {args.runs} interleaved runs each, 80x24 pty (median / min / max)")
    for name, values in results.items():
        print(f"  {name:13s} {statistics.median(values) * 1000:7.1f} ms  "
              f"{min(values) * 1000:7.1f} / {max(values) * 1000:7.1f} ms   "
              f"peak RSS {statistics.median(rss[name]) / 1024:6.1f} MiB")
    for name in results:
        if name == "bare textual":
            continue
        ratio = statistics.median(results[name]) / statistics.median(results["bare textual"])
        rss_ratio = statistics.median(rss[name]) / max(1, statistics.median(rss["bare textual"]))
        print(f"  {name} / bare textual: time {ratio:.2f}x (median of pairs "
              f"{statistics.median(pair_ratios[name]):.2f}x; goal <= {GOAL_TIME:.2f}x), "
              f"peak RSS {rss_ratio:.2f}x (goal <= {GOAL_RSS:.2f}x)")
    print(f"machine after: {describe_machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
