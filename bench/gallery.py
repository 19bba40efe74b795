"""How long `panel-tui gallery` takes, and one screen of it, this checkout vs another (--before DIR).

Two measures, each run by both versions in turn (before, after, before, after ...) so that a
machine shared with other work slows both alike; medians are reported with the ratio.

- one screen: SCREENS panel and Web Config screens (English, 80x24) rendered one after another
  by ONE process (no worker pool): wall, CPU (the process's, all threads) and, on Linux, the
  time its main thread waited for a CPU that other programs held (/proc/self/schedstat), per
  screen. Wall minus that wait is what the screen takes on a free machine. The version that has
  `gallery.render_svgs` renders them in one running app; an older one calls `render_svg` per
  screen (a new app each). Where the time goes: --profile prints cProfile's top functions of
  this checkout's pass.
- the whole gallery: `python -m panel_tui gallery --out TMP --jobs J` (every screen, language
  and size) for J in --jobs (default: 2 and the gallery's default): wall, CPU of the whole
  process tree (user + sys of the gallery and its render processes), and the time the render
  processes' main threads waited for a CPU held by others (sampled from /proc). "free" is wall
  minus the mean of those waits: an estimate of the wall on free cores; CPU / cores is the least
  any wall can be.
- --costs: the mean time of a picture by kind (panel, other catalogs, the simulator's; 80x24 and
  120x36) in one process of this checkout, relative to a panel screen at 80x24: the weights
  gallery.picture_cost orders the work by.

PYTHONDONTWRITEBYTECODE is whatever the environment says (printed). Nothing is left running:
each gallery's simulators are the gallery's own and stop with it; the folders are removed.
Usage: python bench/gallery.py --before DIR [--runs 3] [--whole-runs N] [--jobs 2 --jobs 4] [--no-whole]
[--profile] [--costs]
(DIR: a checkout of another version, e.g. `git worktree add /tmp/before main`.)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from panel_tui.sim import service

ROOT = Path(__file__).resolve().parents[1]
SCREENS = ("home", "settings", "network_status", "email_server_status", "server_settings", "job_status",
           "job_detail_361", "status_sheet", "scan_to_email", "help", "webconfig_basic_pending",
           "webconfig_signin_code")

ONE_SCREEN = r'''
import asyncio, json, os, sys, time
os.environ["TEXTUAL_ANIMATIONS"] = "none"
from panel_tui import gallery
names = sys.argv[1].split(",")
shots = [gallery.Shot(n, "en", (80, 24)) for n in names]
def run():
    if hasattr(gallery, "render_svgs"):
        asyncio.run(gallery.render_svgs(shots))
    else:
        for shot in shots:
            asyncio.run(gallery.render_svg(shot.name, shot.lang, shot.size))
def waited():  # seconds this (main) thread waited for a CPU
    try:
        with open("/proc/self/schedstat") as stat:
            return int(stat.read().split()[1]) / 1e9
    except OSError:
        return 0.0
run()  # warm: imports, data-file cache, the worker's simulator
wall, cpu, runq = time.perf_counter(), time.process_time(), waited()
if len(sys.argv) > 2:
    import cProfile, pstats
    profile = cProfile.Profile()
    profile.runcall(run)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(int(sys.argv[2]))
else:
    run()
n = len(shots)
print(json.dumps({"wall": (time.perf_counter() - wall) / n, "cpu": (time.process_time() - cpu) / n,
                  "runq": (waited() - runq) / n}))
'''

COSTS = r'''
import asyncio, json, os, statistics, sys, time
os.environ["TEXTUAL_ANIMATIONS"] = "none"
from panel_tui import gallery
from panel_tui.ui.catalog import RECIPES, SMALL_SIZE
recipes = {r.name: r for r in gallery.all_recipes()}
kind = lambda s: "sim" if recipes[s.name].needs_sim else "panel" if recipes[s.name] in RECIPES else "other"
times = {}
for size in (SMALL_SIZE, (120, 36)):
    shots = [s for s in gallery.plan() if s.lang == "en" and s.size == size]
    asyncio.run(gallery.render_svgs(shots[:1]))  # warm
    last = [time.process_time()]
    def done(shot):
        now = time.process_time()
        times.setdefault(f"{kind(shot)} {shot.size[0]}x{shot.size[1]}", []).append(now - last[0])
        last[0] = now
    asyncio.run(gallery.render_svgs(shots, done=done))
print(json.dumps({k: statistics.mean(v) for k, v in times.items()}))
'''


def _env(checkout: Path, home: str) -> dict[str, str]:
    env = dict(os.environ, PANEL_TUI_HOME=home, PYTHONPATH=str(checkout))
    for name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_COLOR_SYSTEM"):
        env.pop(name, None)
    return env


def _python(checkout: Path, code: str, *args: str, profile: bool = False) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="panel-bench-gallery-")
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=checkout, env=_env(checkout, home),
                              capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{checkout}: {done.stderr[-2000:]}")
        if profile:
            print(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _stop_simulators(home)


def one_screen(checkout: Path, profile: int = 0) -> dict[str, float]:
    return _python(checkout, ONE_SCREEN, ",".join(SCREENS), *([str(profile)] if profile else []),
                   profile=bool(profile))


def _waits(pid: int) -> dict[int, float]:
    """Seconds each child process of `pid` (a render process) has waited for a CPU, main thread."""
    out = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out[int(proc.name)] = int((proc / "schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return out


def whole_gallery(checkout: Path, jobs: int) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="panel-bench-gallery-")
    out = tempfile.mkdtemp(prefix="panel-bench-gallery-out-")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        started = time.perf_counter()
        gallery = subprocess.Popen([sys.executable, "-m", "panel_tui", "gallery", "--out", out, "--jobs", str(jobs)],
                                   cwd=checkout, env=_env(checkout, home), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        waits: dict[int, float] = {}
        while gallery.poll() is None:
            waits.update(_waits(gallery.pid))
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        stderr = gallery.stderr.read() if gallery.stderr else ""
        if gallery.returncode != 0:
            raise SystemExit(f"{checkout}: gallery failed: {stderr[-2000:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        waited = statistics.mean(waits.values()) if waits else 0.0
        count = len(list(Path(out).glob("*.svg")))
        print(f"  {checkout.name or checkout}: --jobs {jobs}: {count} SVGs, wall {elapsed:.1f} s, cpu {cpu:.1f} s, "
              f"render processes waited for a CPU {waited:.1f} s each, free {elapsed - waited:.1f} s "
              f"(load {os.getloadavg()[0]:.1f})", flush=True)
        return {"wall": elapsed, "cpu": cpu, "free": elapsed - waited}
    finally:
        shutil.rmtree(out, ignore_errors=True)
        _stop_simulators(home)


def _stop_simulators(home: str) -> None:
    for sim_dir in Path(home).rglob("simulator"):
        if (sim_dir / "simulator.lock").exists():
            service.stop(sim_dir)
    shutil.rmtree(home, ignore_errors=True)


def _one_screen_medians(versions: dict[str, Path], runs: int) -> None:
    screens: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
    for _ in range(runs):
        for name, checkout in versions.items():
            screens[name].append(one_screen(checkout))
    print(f"one screen ({len(SCREENS)} screens, en 80x24, one process), median of {runs} "
          f"(free = wall - waited for a CPU held by others):")
    medians = {}
    for name in versions:
        for result in screens[name]:
            result["free"] = result["wall"] - result["runq"]
        medians[name] = {k: statistics.median(r[k] for r in screens[name]) for k in ("wall", "cpu", "free")}
        print(f"  {name:6} wall {medians[name]['wall'] * 1000:6.0f} ms   cpu {medians[name]['cpu'] * 1000:6.0f} ms"
              f"   free {medians[name]['free'] * 1000:6.0f} ms")
    for key in ("wall", "cpu", "free"):
        print(f"  after/before {key}: {medians['after'][key] / medians['before'][key]:.2f}")


def _whole_medians(versions: dict[str, Path], jobs: list[int], runs: int) -> None:
    cores = os.cpu_count() or 1
    for count in jobs:
        print(f"whole gallery, --jobs {count}:")
        results: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
        for _ in range(runs):
            for name, checkout in versions.items():
                results[name].append(whole_gallery(checkout, count))
        for name in versions:
            wall, cpu, free = (statistics.median(r[k] for r in results[name]) for k in ("wall", "cpu", "free"))
            print(f"  {name:6} median of {runs}: wall {wall:.1f} s, cpu {cpu:.1f} s (cpu/{cores} cores "
                  f"{cpu / cores:.1f} s), free {free:.1f} s")
        before, after = (statistics.median(r["wall"] for r in results[n]) for n in ("before", "after"))
        print(f"  after/before wall {after / before:.2f} (load now {os.getloadavg()[0]:.1f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, metavar="DIR", help="a checkout of another version")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--whole-runs", type=int, help="runs of the whole gallery (default: --runs)")
    parser.add_argument("--jobs", type=int, action="append", help="gallery worker processes (repeatable)")
    parser.add_argument("--no-whole", action="store_true", help="only the one-screen measure")
    parser.add_argument("--profile", action="store_true", help="print where this checkout's one-screen time goes")
    parser.add_argument("--costs", action="store_true", help="the relative time of a picture by kind, this checkout")
    args = parser.parse_args()
    versions = {"before": args.before.resolve(), "after": ROOT}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}, runs {args.runs}")
    if args.costs:
        costs = _python(ROOT, COSTS)
        unit = costs["panel 80x24"]
        print("picture cost by kind, relative to a panel screen at 80x24 (CPU, one process, en):")
        for kind, seconds in sorted(costs.items()):
            print(f"  {kind:14} {seconds * 1000:6.0f} ms  {seconds / unit:4.1f}")
    _one_screen_medians(versions, args.runs)
    if args.profile:
        one_screen(ROOT, profile=40)
    if not args.no_whole:
        jobs = args.jobs or sorted({2, min((os.cpu_count() or 1) + 1, 8)})
        _whole_medians(versions, jobs, args.whole_runs or args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
