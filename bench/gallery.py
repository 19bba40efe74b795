"""How long `panel-tui gallery` takes, and one screen of it, this checkout vs another (--before DIR).

Two measures, each run by both versions in turn (before, after, before, after ...) so that a
machine shared with other work slows both alike; medians are reported with the ratio.

- one screen: SCREENS panel and Web Config screens (English, 80x24) rendered one after another
  by ONE process (no worker pool), wall and CPU time per screen. The version that has
  `gallery.render_svgs` renders them in one running app; an older one calls `render_svg` per
  screen (a new app each). Where the time goes: run with --profile to print cProfile's top
  functions of this checkout's pass.
- the whole gallery: `python -m panel_tui gallery --out TMP --jobs J` (every screen, language
  and size), wall time, for J in --jobs (default: 2 and this machine's CPU count).

PYTHONDONTWRITEBYTECODE is whatever the environment says (printed). Nothing is left running:
each gallery's simulators are the gallery's own and stop with it; the folders are removed.
Usage: python bench/gallery.py --before DIR [--runs 3] [--whole-runs N] [--jobs 2 --jobs 4] [--no-whole]
[--profile]
(DIR: a checkout of another version, e.g. `git worktree add /tmp/before main`.)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
run()  # warm: imports, data-file cache, the worker's simulator
wall, cpu = time.perf_counter(), time.process_time()
if len(sys.argv) > 2:
    import cProfile, pstats
    profile = cProfile.Profile()
    profile.runcall(run)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(int(sys.argv[2]))
else:
    run()
print(json.dumps({"wall": (time.perf_counter() - wall) / len(shots), "cpu": (time.process_time() - cpu) / len(shots)}))
'''


def _env(checkout: Path, home: str) -> dict[str, str]:
    env = dict(os.environ, PANEL_TUI_HOME=home, PYTHONPATH=str(checkout))
    for name in ("NO_COLOR", "TEXTUAL_THEME", "TEXTUAL_COLOR_SYSTEM"):
        env.pop(name, None)
    return env


def one_screen(checkout: Path, profile: int = 0) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="panel-bench-gallery-")
    try:
        argv = [sys.executable, "-c", ONE_SCREEN, ",".join(SCREENS)] + ([str(profile)] if profile else [])
        done = subprocess.run(argv, cwd=checkout, env=_env(checkout, home), capture_output=True, text=True,
                              timeout=900, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{checkout}: {done.stderr[-2000:]}")
        if profile:
            print(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _stop_simulators(home)


def whole_gallery(checkout: Path, jobs: int) -> float:
    home = tempfile.mkdtemp(prefix="panel-bench-gallery-")
    out = tempfile.mkdtemp(prefix="panel-bench-gallery-out-")
    try:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "panel_tui", "gallery", "--out", out, "--jobs", str(jobs)],
                              cwd=checkout, env=_env(checkout, home), capture_output=True, text=True,
                              timeout=1800, check=False)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{checkout}: gallery failed: {done.stderr[-2000:]}")
        count = len(list(Path(out).glob("*.svg")))
        print(f"  {checkout.name or checkout}: --jobs {jobs}: {elapsed:.1f} s for {count} SVGs", flush=True)
        return elapsed
    finally:
        shutil.rmtree(out, ignore_errors=True)
        _stop_simulators(home)


def _stop_simulators(home: str) -> None:
    sys.path.insert(0, str(ROOT))
    from panel_tui.sim import service

    for sim_dir in Path(home).rglob("simulator"):
        if (sim_dir / "simulator.lock").exists():
            service.stop(sim_dir)
    shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, metavar="DIR", help="a checkout of another version")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--whole-runs", type=int, help="runs of the whole gallery (default: --runs)")
    parser.add_argument("--jobs", type=int, action="append", help="gallery worker processes (repeatable)")
    parser.add_argument("--no-whole", action="store_true", help="only the one-screen measure")
    parser.add_argument("--profile", action="store_true", help="print where this checkout's one-screen time goes")
    args = parser.parse_args()
    versions = {"before": args.before.resolve(), "after": ROOT}
    jobs = args.jobs or sorted({2, os.cpu_count() or 1})
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}, runs {args.runs}")
    screens: dict[str, list[dict[str, float]]] = {name: [] for name in versions}
    for _ in range(args.runs):
        for name, checkout in versions.items():
            screens[name].append(one_screen(checkout))
    print(f"one screen ({len(SCREENS)} screens, en 80x24, one process), median of {args.runs}:")
    medians = {}
    for name in versions:
        medians[name] = {k: statistics.median(r[k] for r in screens[name]) for k in ("wall", "cpu")}
        print(f"  {name:6} wall {medians[name]['wall'] * 1000:6.0f} ms   cpu {medians[name]['cpu'] * 1000:6.0f} ms")
    for key in ("wall", "cpu"):
        print(f"  after/before {key}: {medians['after'][key] / medians['before'][key]:.2f}")
    if args.profile:
        one_screen(ROOT, profile=40)
    if args.no_whole:
        return 0
    for count in jobs:
        print(f"whole gallery, --jobs {count}:")
        times: dict[str, list[float]] = {name: [] for name in versions}
        for _ in range(args.whole_runs or args.runs):
            for name, checkout in versions.items():
                times[name].append(whole_gallery(checkout, count))
        before, after = (statistics.median(times[n]) for n in ("before", "after"))
        print(f"  median of {args.whole_runs or args.runs}: before {before:.1f} s, after {after:.1f} s, "
              f"after/before {after / before:.2f} "
              f"(load now {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
