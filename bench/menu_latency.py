"""Key-press-to-screen-update latency of menu steps on a real pty, panel-tui vs a bare Textual app.

panel-tui runs on an 80x24 pseudo-terminal. The walk tours every submenu of
`menus/panel.toml` depth first from Home (arrows to the item, Enter, ..., Backspace = Back),
again and again. For each step the benchmark writes the key and records the time until
the last byte of the resulting screen update arrives (the update is over when the
terminal stays quiet for QUIET seconds; that quiet wait is not counted, but any stray
frame inside it is, as a user would see it).

Steps are reported by kind: `move` (arrow keys), `first` (Enter into a menu screen not
visited yet in this process), `enter` (Enter into a screen visited before), `back`.
panel-tui builds its menu screens in idle time after the first frame, so its `first` is a first
visit to a screen built ahead while the user read Home (SETTLE below); "last frame before the
walk" says when each app's start-up work (first frame, then work in idle time) stopped
painting, counted from the process start, so a walk that begins before it is over shows.
The same walk runs, step by step interleaved, on a bare Textual app (pure Textual, no
panel_tui code: a grid of tiles and ListView menu screens built from the same menu file,
screens kept once built, as panel-tui does), which shows the machine's and Textual's own
floor. Several processes (--runs) give several first visits of each screen.

With --before DIR, a checkout of another version walks too, interleaved (run from DIR).
With --during-sends N, panel-tui (and --before) walk while N mail jobs run in the panel's own
process, one after another, for the whole walk: the home's tenant is prepared and the printer
signed in (device code, approved at the simulator's pages) first, then each job is the panel's
Scan to Email (job log row with its request, token, SMTP to the simulator), run as the panel runs it
(`panel_tui.ui.mail_jobs.JOB_LOOP`, or on the App's loop in a version without it); the number of
sends done during the walk is printed.
Usage: python bench/menu_latency.py [--steps 200] [--runs 3] [--before DIR] [--during-sends N]
Goals: move, enter and back p95 < 15 ms; first visit < 50 ms.
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
import tomllib
from pathlib import Path

from temp_home import temporary_homes  # noqa: E402 - bench/ is the script's own folder

ROOT = Path(__file__).resolve().parents[1]
MENU_FILE = ROOT / "menus" / "panel.toml"
KEYS = {"up": b"\x1b[A", "down": b"\x1b[B", "right": b"\x1b[C", "left": b"\x1b[D", "enter": b"\r", "back": b"\x7f"}
COLUMNS = 4  # Home's tiles per row (arrows move by one and by a row)
QUIET = 0.15
SETTLE = 2.0  # seconds after the first frame before the walk starts
KINDS = ("move", "enter", "back", "first")
GOALS = {"move": ("p95", 15.0), "enter": ("p95", 15.0), "back": ("p95", 15.0), "first": ("median", 50.0)}

BARE_APP = r'''
import sys, tomllib
from textual.app import App
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import ListItem, ListView, Static

raw = tomllib.loads(open(sys.argv[1], encoding="utf-8").read())
nodes = {n["id"]: n for n in raw["node"]}
tiles = raw["home"]["tiles"]

class Tile(Static, can_focus=True):
    DEFAULT_CSS = ("Tile { height: 4; border: round $primary; content-align: center middle; }"
                   " Tile:focus { background: $accent; }")

class Home(Screen):
    BINDINGS = [("left", "move(-1)"), ("right", "move(1)"), ("up", "move(-4)"), ("down", "move(4)"), ("enter", "open")]
    DEFAULT_CSS = "Home Grid { grid-size: 4; grid-gutter: 0 1; height: auto; }"
    def compose(self):
        yield Static("BARE status bar")
        with Grid():
            for tile in tiles:
                yield Tile(nodes[tile]["label"], id=tile)
        yield Static("hints")
    def on_mount(self):
        self.query(Tile).first().focus()
    def action_move(self, delta):
        items = list(self.query(Tile))
        index = items.index(self.focused) + delta
        if 0 <= index < len(items):
            items[index].focus()
    def action_open(self):
        self.app.open_node(self.focused.id)

class Menu(Screen):
    def __init__(self, node_id):
        super().__init__()
        self.node_id = node_id
    def compose(self):
        yield Static("BARE status bar")
        yield Static(nodes[self.node_id]["label"])
        yield ListView(*(ListItem(Static(nodes[c]["label"]), id=c) for c in nodes[self.node_id]["children"]))
        yield Static("hints")
    def on_list_view_selected(self, event):
        self.app.open_node(event.item.id)

class Bare(App):
    BINDINGS = [("backspace", "back")]
    def on_mount(self):
        self.push_screen(Home())
    def open_node(self, node_id):
        if nodes[node_id]["kind"] != "submenu":
            return
        name = "menu:" + node_id
        if not self.is_screen_installed(name):
            self.install_screen(Menu(node_id), name)
        self.push_screen(name)
    def action_back(self):
        if len(self.screen_stack) > 2:
            self.pop_screen()

Bare().run()
'''


# panel-tui with N mail jobs running in its own process for the whole walk (--during-sends N).
SENDING_PANEL = r'''
import asyncio, gc, sys
gc.disable()  # as `panel-tui` starts (the App turns collection back on after the first frame)
from pathlib import Path
from panel_tui.assembly import build_app
try:
    from panel_tui.sim.client import SEEDED_ACCOUNTS
except ImportError:  # a version before the simulator's client module
    from panel_tui.sim.tenant import SEEDED_ACCOUNTS

in_flight, done_file = int(sys.argv[1]), Path(sys.argv[2])
ADMIN, PRINTER, MEGAN, _ = SEEDED_ACCOUNTS
app = build_app(profile="default")
done = [0]

def prepare():  # the guide's preparation, and the printer signed in, as a trainer would
    control = app.backend.control()
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    control.grant_admin_consent(app.backend.endpoints().client_id)
    settings = app.printer.settings.with_field("email_server.auth_method", "oauth2")
    settings = settings.with_field("email_server.email_service", "exchange_online")
    settings = settings.with_field("email_server.sender", PRINTER.upn)
    app.printer.update(settings)
    session = app.backend.session_for(settings.email_server)
    flow = session.start_device_flow()
    control.approve_device_code(flow.user_code, PRINTER.upn, PRINTER.password)
    assert session.wait_for_device_flow(flow).ok

try:
    from panel_tui.ui.mail_jobs import JOB_LOOP
    run_job = JOB_LOOP.run
except ImportError:  # a version whose jobs run on the App's loop
    async def run_job(job):
        return await job

async def counted(job):  # the count is written where the job runs: the harness adds no file write to the App's loop
    outcome = await job
    done[0] += outcome.ok
    done_file.write_text(str(done[0]))
    return outcome

async def sender(index):
    jobs = await app.mail_jobs()
    while True:
        await run_job(counted(jobs.scan_to_email(MEGAN.upn, f"bench {index}")))

async def start_sending():
    await asyncio.to_thread(prepare)
    for index in range(in_flight):
        app.run_worker(sender(index), group="bench-sends")

app.call_later(lambda: app.run_worker(start_sending()))
app.run()
'''


def build_walk(menu_file: Path, steps: int) -> list[tuple[str, str]]:
    """(key, kind) of `steps` steps: depth-first tours of every submenu, from Home's first tile
    back to it, repeated.

    Cursor positions are modelled (menu screens keep theirs between visits, as both apps
    do), so every key changes the screen; an Enter into a screen not built yet is `first`.
    """
    raw = tomllib.loads(menu_file.read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in raw["node"]}
    tiles = raw["home"]["tiles"]
    cursor: dict[str, int] = {}
    built: set[str] = set()
    walk: list[tuple[str, str]] = []

    def move_list(screen: str, target: int) -> None:
        here = cursor.get(screen, 0)
        walk.extend([("down" if target > here else "up", "move")] * abs(target - here))
        cursor[screen] = target

    def move_home(target: int) -> None:
        here = cursor.get("home", 0)
        while here != target:
            if abs(target - here) >= COLUMNS:
                step, key = (COLUMNS, "down") if target > here else (-COLUMNS, "up")
            else:
                step, key = (1, "right") if target > here else (-1, "left")
            here += step
            walk.append((key, "move"))
        cursor["home"] = target

    def visit(node_id: str) -> None:
        walk.append(("enter", "enter" if node_id in built else "first"))
        built.add(node_id)
        for index, child in enumerate(nodes[node_id].get("children", [])):
            if nodes[child]["kind"] == "submenu":
                move_list(node_id, index)
                visit(child)
        walk.append(("back", "back"))

    while len(walk) < steps:
        for index, tile in enumerate(tiles):
            if nodes[tile]["kind"] == "submenu":
                move_home(index)
                visit(tile)
        move_home(0)
    return walk[:steps]


class Session:
    """One app on its own 80x24 pty, and what its steps measured."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd: str | None = None) -> None:
        self.name = name
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            if cwd:
                os.chdir(cwd)
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
        self.started = time.perf_counter()
        self.last_output = self.started  # when the last byte before the walk came

    def read_until_quiet(self, first_deadline: float) -> float | None:
        """Read output; return the time of the last byte of the burst (None if nothing came)."""
        last = None
        wait = first_deadline
        while True:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return last
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return last
            if not chunk:
                return last
            last = time.perf_counter()
            wait = QUIET

    def step(self, key: str, kind: str) -> None:
        start = time.perf_counter()
        os.write(self.fd, KEYS[key])
        end = self.read_until_quiet(5.0)
        if end is not None:
            self.samples[kind].append((end - start) * 1000)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)


def start_up(sessions: list[Session], settle_seconds: float) -> None:
    """Read every session's output together: its first frame, then `settle_seconds` of what it paints
    after the last first frame (work in idle time), noting when each last byte came."""
    by_fd = {session.fd: session for session in sessions}
    give_up = time.perf_counter() + 30.0
    walk_at = None
    while by_fd:
        now = time.perf_counter()
        if walk_at is None and all(s.last_output > s.started and now - s.last_output > QUIET for s in sessions):
            walk_at = now + settle_seconds  # every first frame is out
        if now >= (walk_at or give_up):
            return
        ready, _, _ = select.select(list(by_fd), [], [], min(QUIET / 3, (walk_at or give_up) - now))
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if chunk:
                by_fd[fd].last_output = time.perf_counter()
            else:
                del by_fd[fd]  # the app is gone


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def describe_machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
            f"Python {platform.python_version()}, "
            f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")


def sends_done(home: str) -> int:
    """How many sends the panel in `home` has completed (--during-sends), 0 before the first."""
    try:
        return int((Path(home) / "sends-done").read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def wait_for_sends(homes: dict[str, str], names: list[str]) -> None:
    """Until each sending panel has completed a send (its tenant is prepared, it signed in)."""
    give_up = time.perf_counter() + 60.0
    while any(sends_done(homes[name]) == 0 for name in names):
        if time.perf_counter() > give_up:
            raise SystemExit("the panel sent nothing within 60 s: see the home's logs")
        time.sleep(0.1)


def walk_all(args, apps, homes, walk, totals, idle_work, sent) -> None:
    """Every run: start each app in its home, let it settle, then walk step by step interleaved."""
    senders = [name for name, argv in apps if any("{home}" in a for a in argv)]
    for run in range(args.runs + 1):
        sessions = []
        try:
            for name, argv in apps:
                env = {**os.environ, "PANEL_TUI_HOME": homes[name], "TERM": "xterm-256color"}
                argv = [a.replace("{home}", homes[name]) for a in argv]
                sessions.append(Session(name, argv, env, cwd=args.before if name == "before" else None))
            # First frames, then the work after them (the simulator's thread, menus built ahead).
            start_up(sessions, SETTLE)
            for session in sessions:
                session.last_output = session.read_until_quiet(0.2) or session.last_output
            if run > 0:  # run 0 is the warm-up
                walk_once(sessions, walk, homes, senders, sent)
        finally:
            for session in sessions:
                session.close()
            for name in senders:
                (Path(homes[name]) / "sends-done").unlink(missing_ok=True)
        if run > 0:
            keep_samples(sessions, totals, idle_work)


def walk_once(sessions: list[Session], walk, homes: dict[str, str], senders: list[str], sent: dict[str, int]) -> None:
    """The measured walk, step by step interleaved (once the sending panels have begun sending)."""
    wait_for_sends(homes, senders)
    before = {name: sends_done(homes[name]) for name in senders}
    for session in sessions:
        session.read_until_quiet(0.2)  # what the sends' start painted is not a step's
    for key, kind in walk:
        for session in sessions:
            session.step(key, kind)
    for name in senders:
        sent[name] = sent.get(name, 0) + sends_done(homes[name]) - before[name]


def keep_samples(sessions: list[Session], totals, idle_work) -> None:
    for session in sessions:
        bucket = totals.setdefault(session.name, {kind: [] for kind in KINDS})
        for kind, values in session.samples.items():
            bucket[kind].extend(values)
        idle_work.setdefault(session.name, []).append((session.last_output - session.started) * 1000)


def report(args, totals, idle_work, sent) -> None:
    """The table by kind, the idle work, the ratios to the bare app, the sends and the goals line."""
    names = list(totals)
    print(f"{'kind':6s}" + "".join(f"{name + ': n, median, p95, max (ms)':>42s}" for name in names))
    for kind in (*KINDS, "all"):
        cells = []
        for name in names:
            bucket = totals[name]
            values = [v for vs in bucket.values() for v in vs] if kind == "all" else bucket[kind]
            cells.append(f"{len(values):4d} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f}"
                         f" {max(values):8.1f}" if values else "-")
        print(f"{kind:6s}" + "".join(f"{cell:>42s}" for cell in cells))
    print(f"last frame before the walk (ms after the process start; the walk starts {SETTLE * 1000:.0f} ms "
          "after the first frame): " + ", ".join(
              f"{name} median {statistics.median(idle_work[name]):.0f}, max {max(idle_work[name]):.0f}"
              for name in names))
    for name in (n for n in names if n != "bare textual" and "bare textual" in totals):
        panel, bare = totals[name], totals["bare textual"]
        ratios = []
        for kind in KINDS:
            if panel[kind] and bare[kind]:
                ratios.append(f"{kind} {statistics.median(panel[kind]) / statistics.median(bare[kind]):.2f}x")
        print(f"ratio of medians {name} / bare textual: " + ", ".join(ratios))
    for name, count in sent.items():
        print(f"{name}: {count} sends completed during the measured walks ({args.during_sends} at a time)")
    for name in (n for n in names if n != "bare textual"):
        panel = totals[name]
        verdicts = []
        for kind, (stat, limit) in GOALS.items():
            if panel[kind]:
                value = percentile(panel[kind], 0.95) if stat == "p95" else statistics.median(panel[kind])
                verdicts.append(f"{kind} {stat} {value:.1f} ms {'<' if value < limit else '>='} {limit:.0f}")
        print(f"{name} goals: " + "; ".join(verdicts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200, help="measured steps per process and app")
    parser.add_argument("--runs", type=int, default=3, help="processes per app, one after the other")
    parser.add_argument("--no-bare", action="store_true", help="panel-tui only")
    parser.add_argument("--before", metavar="DIR", help="a checkout of another version to walk too")
    parser.add_argument("--during-sends", type=int, default=0, metavar="N",
                        help="walk while N mail jobs run in the panel's process (one after another each)")
    args = parser.parse_args()
    walk = build_walk(MENU_FILE, args.steps)
    print(f"machine: {describe_machine()}")
    print(f"walk: tours of every submenu, {args.steps} steps x {args.runs} "
          f"processes per app, interleaved step by step; quiet window {QUIET * 1000:.0f} ms")
    totals: dict[str, dict[str, list[float]]] = {}
    idle_work: dict[str, list[float]] = {}  # ms from the process start to the last frame before the walk
    sent: dict[str, int] = {}  # sends completed during the measured walks (--during-sends)
    panel_argv = [sys.executable, "-m", "panel_tui"]
    if args.during_sends:
        panel_argv = [sys.executable, "-c", SENDING_PANEL, str(args.during_sends), "{home}/sends-done"]
        print(f"during the walk: {args.during_sends} mail jobs at a time in the panel's process")
    apps = [("panel-tui", panel_argv)]
    if args.before:
        apps.append(("before", panel_argv))
    if not args.no_bare:
        apps.append(("bare textual", [sys.executable, "-c", BARE_APP, str(MENU_FILE)]))
    # One profile per app for all runs; a warm-up start (not counted) creates it, and the
    # simulator's CA, so that no measured run pays for first-time set-up.
    with temporary_homes([name for name, _ in apps]) as homes:  # simulators stopped, folders removed
        walk_all(args, apps, homes, walk, totals, idle_work, sent)
    report(args, totals, idle_work, sent)
    print(f"machine after: {describe_machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
