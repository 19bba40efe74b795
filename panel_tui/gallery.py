"""The review gallery: every screen of every catalog, in every language, as SVG + index.html.

`panel-tui gallery --out DIR` writes one SVG per (screen, language, size) of the snapshot
matrix (panel_tui.ui.catalog.shots: every screen at 80x24, the main ones at 120x36 too)
and an index.html that shows each screen's languages side by side, for reviewers without
Python. The SVGs come from the same rendering as the snapshot tests: Textual's headless
run and App.export_screenshot, a fixed clock, animations off, a fresh PANEL_TUI_HOME per
screen (the user's profile is never touched). Two runs write byte-identical files.

Renders run in worker processes with a clean Textual environment (a user's TEXTUAL_THEME
or NO_COLOR would otherwise change the pictures).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import functools
import gc
import html
import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import textual._wait as textual_wait
from textual.geometry import Offset
from textual.screen import Screen
from textual.widgets import ListView

from panel_tui import gallery_compare
from panel_tui.assembly import build_app
from panel_tui.backend import BackendOptions, open_backend
from panel_tui.device.clock import SNAPSHOT_TIME, FixedClock
from panel_tui.device.paths import HOME_ENV
from panel_tui.i18n import LANGUAGES, Translator
from panel_tui.sim import service
from panel_tui.sim.runtime import SimulatorThread
from panel_tui.ui.catalog import RECIPES, SMALL_SIZE, all_recipes, catalog_recipes
from panel_tui.ui.catalog import shots as catalog_shots
from panel_tui.ui.menu_screen import MenuScreen
from panel_tui.ui.screen_recipe import ScreenRecipe

INDEX_NAME = "index.html"

# Environment variables that change how Textual draws; a render worker starts without them.
_RENDER_ENV_DROP = ("NO_COLOR", "TEXTUAL", "TEXTUAL_THEME", "TEXTUAL_FILTERS", "TEXTUAL_COLOR_SYSTEM",
                    "TEXTUAL_PRESS", "TEXTUAL_DRIVER", "TEXTUAL_SCREENSHOT_LOCATION", "TEXTUAL_SCREENSHOT_FILENAME")


class GalleryError(RuntimeError):
    """A screen could not be rendered; the message names it."""


@dataclass(frozen=True)
class Shot:
    """One picture of the gallery."""

    name: str  # the recipe's name
    lang: str
    size: tuple[int, int]

    @property
    def filename(self) -> str:
        width, height = self.size
        return f"{self.name}-{self.lang}-{width}x{height}.svg"


def plan(langs: Sequence[str] = LANGUAGES, sizes: Sequence[tuple[int, int]] | None = None) -> list[Shot]:
    """The pictures to take, in catalog order: the snapshot matrix, or every screen at every size given."""
    if sizes is None:
        return [Shot(r.name, lang, size) for r, lang, size in catalog_shots(langs=tuple(langs))]
    return [Shot(r.name, lang, (size[0], size[1])) for r in all_recipes() for size in sizes for lang in langs]


def render_gallery(out_dir: Path | str, langs: Sequence[str] = LANGUAGES,
                   sizes: Sequence[tuple[int, int]] | None = None, *, names: Sequence[str] | None = None,
                   jobs: int | None = None, index_lang: str = "en", locales_dir: Path | None = None,
                   progress: Callable[[int, int, Shot], None] | None = None,
                   index_name: str = INDEX_NAME) -> list[Path]:
    """Render the gallery into `out_dir`; returns the SVG paths (plan order) followed by the index page.

    `sizes=None` is the snapshot tests' matrix; `names` limits it to some screens; `jobs`
    worker processes render in parallel (default: default_jobs()); `locales_dir`
    renders with other locale files (a translator's edit); `progress(done, total, shot)` is
    called as each picture is ready.
    """
    out = Path(out_dir)
    shots = plan(langs, sizes)
    if names is not None:
        unknown = sorted(set(names) - {s.name for s in shots})
        if unknown:
            raise GalleryError(f"no screen recipe named {', '.join(unknown)}")
        shots = [s for s in shots if s.name in set(names)]
    out.mkdir(parents=True, exist_ok=True)
    svgs = render_shots(shots, jobs, locales_dir, progress)
    paths = []
    for shot, svg in zip(shots, svgs, strict=True):
        path = out / shot.filename
        _write_if_changed(path, svg)
        paths.append(path)
    index = out / index_name
    _write_if_changed(index, index_html(shots, index_lang))
    return paths + [index]


# -- rendering ---------------------------------------------------------------------------------
#
# Worker processes render the pictures of one language and size in ONE running app, one screen
# after another: between two screens the app goes back to Home and gets a fresh printer profile
# (a new temporary PANEL_TUI_HOME), so each picture is what a fresh panel shows after the recipe;
# the app, its parsed CSS, Home and the menu screens are built once per app, not per picture.
# The workers share the pictures out as they go: the pictures of each language and size form a
# list that every worker takes from, one picture at a time; a worker whose list is empty joins
# the list with most work left (a new app). Each list starts with its slowest pictures, so the
# workers end within one short picture of each other.

# Textual's Pilot waits after each step until the process is idle: it sleeps 20 ms at a time
# (textual._wait.SLEEP_GRANULARITY) until a window in which the process used under 1/20 of it
# on the CPU. A screen's messages take a millisecond or two, so those sleeps were most of a
# picture's time (0.56 s of wall per picture for 0.27 s of CPU, bench/gallery.py). A render
# checks in windows of IDLE_WINDOW: the same test, ten times as often. What a picture needs
# beyond the event loop (a worker thread, the simulator) its recipe waits for by state.
IDLE_WINDOW = 0.002

# Textual makes and drops many objects per picture: with Python's default thresholds (700, 10,
# 10) the garbage collector took a third of a render's CPU (5.5 s of 17 s for the 63 English
# pictures at 80x24). A render collects after GC_THRESHOLDS[0] allocations instead (1.3 s; the
# process grew by 3 %).
GC_THRESHOLDS = (10_000, 10, 10)

# What a picture costs, relative to a panel screen (bench/gallery.py --costs): one of real cloud
# state drives the simulator, Web Config's screens are built of forms; the large size draws more.
SIM_COST = 4.0
OTHER_CATALOG_COST = 3.0
LARGE_FACTOR = 1.5
# A worker joins a list another worker has started only when more than this is left in it: a new
# app costs about two panel pictures before its first picture.
JOIN_COST = 4.0


def picture_cost(shot: Shot, recipes: dict[str, ScreenRecipe] | None = None) -> float:
    """The relative time `shot` takes to render (a panel screen at 80x24 is 1)."""
    recipes = recipes or {r.name: r for r in all_recipes()}
    recipe = recipes[shot.name]
    if recipe.needs_sim:
        cost = SIM_COST
    elif recipe in RECIPES:
        cost = 1.0
    else:
        cost = OTHER_CATALOG_COST
    return cost * (LARGE_FACTOR if shot.size != SMALL_SIZE else 1.0)


def work_lists(shots: Sequence[Shot]) -> list[tuple[int, ...]]:
    """The positions in `shots`, one list per language and size, each slowest first (catalog
    order among equals); the lists with most work first."""
    recipes = {r.name: r for r in all_recipes()}
    costs = [picture_cost(shot, recipes) for shot in shots]
    lists: dict[tuple[str, tuple[int, int]], list[int]] = {}
    for position, shot in enumerate(shots):
        lists.setdefault((shot.lang, shot.size), []).append(position)
    ordered = [tuple(sorted(positions, key=lambda p: -costs[p])) for positions in lists.values()]
    return sorted(ordered, key=lambda positions: -sum(costs[p] for p in positions))


def default_jobs() -> int:
    """Worker processes: one more than the CPUs (a worker waits on the simulator and on Textual's
    idle checks, the extra one fills those waits: 19 s instead of 22 s for the whole gallery on 2
    cores), at most 8."""
    return min((os.cpu_count() or 1) + 1, 8)


def render_shots(shots: Sequence[Shot], jobs: int | None = None, locales_dir: Path | None = None,
                 progress: Callable[[int, int, Shot], None] | None = None) -> list[str]:
    """The SVG of each shot (same order), rendered by `jobs` worker processes (default_jobs());
    `progress(done, total, shot)` as each picture is ready. GalleryError names a failed screen."""
    if not shots:
        return []
    shots = list(shots)
    recipes = {r.name: r for r in all_recipes()}
    costs = [picture_cost(shot, recipes) for shot in shots]
    lists = work_lists(shots)
    # spawn: a fresh interpreter that imports Textual in the clean environment it starts with.
    context = multiprocessing.get_context("spawn")
    cursor = context.Array("i", len(lists))  # the next position of each list
    stop = context.Event()
    results = context.Queue()
    count = max(1, min(jobs or default_jobs(), len(shots)))
    workers = [context.Process(target=_worker, name=f"panel-gallery-{n}", daemon=True,
                               args=(shots, costs, lists, n if n < len(lists) else None, cursor, stop, results,
                                     locales_dir))
               for n in range(count)]
    with _render_environment():
        for worker in workers:
            worker.start()
    try:
        return _collect(shots, workers, results, progress)
    finally:
        stop.set()  # after an error: the others end after their current picture
        _wait_for_workers(workers, results)


def _collect(shots: Sequence[Shot], workers, results, progress) -> list[str]:
    svgs: dict[int, str] = {}
    while len(svgs) < len(shots):
        try:
            kind, position, payload = results.get(timeout=0.2)
        except queue.Empty:
            _check_workers(workers)
            continue
        if kind == "error":
            raise GalleryError(payload)
        svgs[position] = payload
        if progress is not None:
            progress(len(svgs), len(shots), shots[position])
    return [svgs[position] for position in range(len(shots))]


def _check_workers(workers) -> None:
    """GalleryError when a worker ended abruptly, or all ended with pictures missing."""
    for worker in workers:
        if worker.exitcode not in (None, 0):
            how = f"signal {-worker.exitcode}" if worker.exitcode < 0 else f"exit code {worker.exitcode}"
            raise GalleryError(f"a render process ended abruptly ({how})")
    if all(worker.exitcode is not None for worker in workers):
        raise GalleryError("the render processes ended before every picture was taken")


def _wait_for_workers(workers, results, timeout: float = 60.0) -> None:
    """Each worker ended (after its current picture, when stopped); what they still send is dropped
    (a process that sent something waits until it is read). Stragglers are terminated, by process."""
    deadline = time.monotonic() + timeout
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            results.get(timeout=0.1)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
        worker.join(5)
    results.close()


@contextlib.contextmanager
def _render_environment():
    """os.environ without what changes how Textual draws, while the workers start (a spawned
    process copies it, and Textual reads it when first imported); restored at once."""
    saved = {name: os.environ.get(name) for name in (*_RENDER_ENV_DROP, "TEXTUAL_ANIMATIONS")}
    for name in _RENDER_ENV_DROP:
        os.environ.pop(name, None)
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def render_settings(window: float = IDLE_WINDOW, gc_thresholds: tuple[int, int, int] = GC_THRESHOLDS):
    """How pictures are rendered, until the block ends: Textual's idle test (under 1/20 of a window
    on the CPU) in windows of `window` seconds instead of 20 ms (see IDLE_WINDOW), the garbage
    collector's `gc_thresholds` (see GC_THRESHOLDS). Restored after."""
    saved = textual_wait.SLEEP_GRANULARITY, textual_wait.SLEEP_IDLE, textual_wait.wait_for_idle.__defaults__
    saved_gc = gc.get_threshold()
    textual_wait.SLEEP_GRANULARITY, textual_wait.SLEEP_IDLE = window, window / 20
    textual_wait.wait_for_idle.__defaults__ = (window, 1)
    gc.set_threshold(*gc_thresholds)
    try:
        yield
    finally:
        textual_wait.SLEEP_GRANULARITY, textual_wait.SLEEP_IDLE, textual_wait.wait_for_idle.__defaults__ = saved
        gc.set_threshold(*saved_gc)


def _worker(shots: Sequence[Shot], costs: Sequence[float], lists: Sequence[Sequence[int]], first: int | None,
            cursor, stop, results, locales_dir: Path | None) -> None:
    """A render process: the pictures of list `first` (or of the busiest), then of the busiest list
    left, each list in one app, until every list is taken or `stop` is set."""
    _simulator(wait=False)  # comes up while the first app is built
    try:
        current = _busiest(lists, costs, cursor) if first is None else first
        while current is not None:
            take = functools.partial(_take, lists[current], current, cursor, stop)
            asyncio.run(_render_in_app(shots, take, lambda position, svg: results.put(("svg", position, svg)),
                                       locales_dir))
            current = None if stop.is_set() else _busiest(lists, costs, cursor)
    except KeyboardInterrupt:  # Ctrl-C reaches every process of the terminal: the parent says so
        pass
    except GalleryError as error:
        results.put(("error", None, str(error)))
    except Exception as error:  # noqa: BLE001 - the parent names it
        results.put(("error", None, f"{type(error).__name__}: {error}"))
    finally:
        _stop_simulator()
        results.close()
        results.join_thread()  # all it sent is in the pipe
    # Nothing is left to do: no teardown of all the apps built (seconds on a loaded machine).
    os._exit(0)


def _take(positions: Sequence[int], which: int, cursor, stop) -> int | None:
    """The next picture of list `which` for this worker (None: the list is done, or stop)."""
    with cursor.get_lock():
        taken = cursor[which]
        if stop.is_set() or taken >= len(positions):
            return None
        cursor[which] = taken + 1
    return positions[taken]


def _busiest(lists: Sequence[Sequence[int]], costs: Sequence[float], cursor) -> int | None:
    """The list with most work left to take (None: none worth joining). A list that a worker has
    started and that has less than JOIN_COST left is left to it: it ends it sooner than a new
    app is built."""
    with cursor.get_lock():
        left = [(sum(costs[p] for p in positions[cursor[which]:]), cursor[which] == 0)
                for which, positions in enumerate(lists)]
    worth = [cost if (unstarted or cost >= JOIN_COST) and cost > 0 else 0.0 for cost, unstarted in left]
    most = max(worth)
    return worth.index(most) if most > 0 else None


# The render worker's simulator and its data folder, started on first use.
_SIM: tuple[SimulatorThread, tempfile.TemporaryDirectory] | None = None


def _simulator(wait: bool = True) -> SimulatorThread:
    """The worker's simulator (data in a temporary folder, loopback only), started on first use
    (in the background); `wait`: until it serves."""
    global _SIM
    if _SIM is None:
        folder = tempfile.TemporaryDirectory(prefix="panel-gallery-sim-")
        sim = SimulatorThread(Path(folder.name))
        sim.start_background()
        _SIM = sim, folder
        atexit.register(_stop_simulator)
    if wait:
        _SIM[0].wait(60)
    return _SIM[0]


def _stop_simulator() -> None:
    global _SIM
    if _SIM is not None:
        sim, folder = _SIM
        _SIM = None
        sim.stop()
        folder.cleanup()


def _backend_options() -> BackendOptions:
    """The printers of a worker join its simulator as one at a URL (`--sim-url`): only when a
    screen asks (Email Server Status reads the sign-in), and no simulator service is spawned in
    each temporary home; a screen that does not ask shows what a panel whose simulator is still
    starting shows (as in the snapshot tests)."""
    endpoints = _simulator().wait(60)
    return BackendOptions(sim_url=endpoints.base_url, sim_ca=str(endpoints.ca_path))


async def render_svg(name: str, lang: str, size: tuple[int, int], locales_dir: Path | None = None) -> str:
    """One screen as SVG (see render_svgs)."""
    return (await render_svgs([Shot(name, lang, size)], locales_dir=locales_dir))[0]


async def render_svgs(batch: Sequence[Shot], locales_dir: Path | None = None,
                      done: Callable[[Shot], None] | None = None) -> list[str]:
    """Screens of one language and size as SVG, in one running app (as a render worker does, in
    this process): each on a fresh profile under a temporary PANEL_TUI_HOME, with the fixed
    clock; `done(shot)` as each one is ready."""
    if any((s.lang, s.size) != (batch[0].lang, batch[0].size) for s in batch):
        raise GalleryError("one batch renders one language at one size")
    svgs: dict[int, str] = {}
    pending = iter(range(len(batch)))

    def keep(position: int, svg: str) -> None:
        svgs[position] = svg
        if done is not None:
            done(batch[position])

    await _render_in_app(batch, lambda: next(pending, None), keep, locales_dir)
    return [svgs[position] for position in range(len(batch))]


async def _render_in_app(shots: Sequence[Shot], take: Callable[[], int | None], emit: Callable[[int, str], None],
                         locales_dir: Path | None) -> None:
    """Render `shots[take()]` until take() says None, in one app (the language and size of the
    first; take() gives only shots of those): `emit(position, svg)` for each. GalleryError names
    a failed screen."""
    position = take()
    if position is None:
        return
    lang, size = shots[position].lang, shots[position].size
    recipes = {r.name: r for r in all_recipes()}
    failed: list[GalleryError] = []
    with render_settings(), tempfile.TemporaryDirectory(prefix="panel-gallery-") as root, _Homes(Path(root)) as homes:
        homes.new()
        app = _gallery_app(shots[position], locales_dir)

        async def auto_pilot(pilot) -> None:
            nonlocal position
            try:
                while position is not None:
                    shot = shots[position]
                    emit(position, await _picture(app, pilot, recipes[shot.name], shot))
                    position = take()
                    if position is not None:
                        homes.new()
                        await _fresh_printer(app, pilot, lang)
            except Exception as error:  # noqa: BLE001 - raised below, with the screen's name
                failed.append(_named(error, shots[position] if position is not None else shot))
            app.exit()

        try:
            await app.run_async(headless=True, size=size, auto_pilot=auto_pilot)
        finally:
            if app.backend is not None:
                app.backend.stop()
    if failed:
        raise failed[0]
    if position is not None:
        raise GalleryError(f"{shots[position].filename}: the app ended before its screenshot ({app.return_code=})")


def _named(error: Exception, shot: Shot) -> GalleryError:
    """`error` as a GalleryError that names `shot` (one that does already is kept)."""
    if isinstance(error, GalleryError):
        return error
    return GalleryError(f"{shot.filename}: {type(error).__name__}: {error}")


def _gallery_app(shot: Shot, locales_dir: Path | None):
    """The panel app that renders pictures in `shot`'s language, on the fixed clock, joined to the
    worker's simulator; GalleryError names `shot` when it cannot be built."""
    try:
        app = build_app(profile="default", lang=shot.lang, clock=FixedClock(SNAPSHOT_TIME), start_backend=False,
                        locales_dir=locales_dir, options=_backend_options())
    except Exception as error:  # noqa: BLE001 - named
        raise _named(error, shot) from None
    app.animation_level = "none"
    # A toast stays until the picture is taken: Textual's 5 s lapsed on a loaded machine
    # (the status sheet's "printed" notice went missing); between screens they are cleared.
    app.NOTIFICATION_TIMEOUT = 3600  # type: ignore[misc]  # this app only, not the class
    return app


async def _picture(app, pilot, recipe: ScreenRecipe, shot: Shot) -> str:
    """`recipe` run on the app, then the SVG of its screen; GalleryError names the screen."""
    try:
        if recipe.needs_sim:
            app.cloud.use_endpoints(_simulator().endpoints)
            app.cloud.control().reset()
        await recipe.run(pilot)
        # The snapshot plugin's steps after a recipe (textual._doc.take_svg_screenshot).
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await _drawn(pilot)
        return app.export_screenshot(title=app.title, simplify=True)
    except Exception as error:  # noqa: BLE001 - re-raised with the screen's name
        raise _named(error, shot) from None


async def _drawn(pilot, rounds: int = 100) -> None:
    """Pause until the screen has no frame left to draw and no callback waiting for one (what
    Textual's Screen._on_idle checks, and each widget's refresh flags). Textual draws a frame on
    a timer (1/60 s) or in a pause; with IDLE_WINDOW a chain of deferred updates (a recompose,
    then a focus after its refresh, then the scroll to it) can outlast the snapshot plugin's
    pauses. Bounded: a screen that keeps asking for frames is taken as it is."""
    for _ in range(rounds):
        app, screen = pilot.app, pilot.app.screen
        if not (app._message_queue.qsize() or screen._message_queue.qsize()
                or screen._layout_required or screen._scroll_required or screen._repaint_required
                or screen._recompose_required or screen._dirty_widgets or screen._callbacks
                or any(widget._layout_required or widget._repaint_required or widget._scroll_required
                       or widget._refresh_styles_required for widget in screen.walk_children())):
            return
        await pilot.pause()


class _Homes:
    """The temporary PANEL_TUI_HOME of each picture, under `root`; on exit the simulator a home
    started (a screen that asked for the cloud) is stopped by pid and PANEL_TUI_HOME restored."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.homes: list[Path] = []
        self.previous = os.environ.get(HOME_ENV)

    def new(self) -> Path:
        home = self.root / str(len(self.homes))
        home.mkdir()
        self.homes.append(home)
        os.environ[HOME_ENV] = str(home)
        return home

    def __enter__(self) -> _Homes:
        return self

    def __exit__(self, *exc_info) -> None:
        for home in self.homes:
            if (home / "simulator" / "simulator.lock").exists():
                service.stop(home / "simulator")
        if self.previous is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = self.previous


async def _fresh_printer(app, pilot, lang: str) -> None:
    """The running app back at Home, as a new panel on a fresh profile (the current PANEL_TUI_HOME)
    shows it: no other screen kept, no notification, no mouse over anything, a new printer."""
    app.action_home()
    await pilot.pause()
    # The menu screens the app keeps once built stay built (most of the time a picture saves):
    # they show the new printer's values when they are shown again. One that anything moved
    # (highlight, scroll, focus) is built again, as a fresh panel would.
    for name, screen in list(app._installed_screens.items()):
        if isinstance(screen, Screen) and screen not in app.screen_stack and not _as_built(screen):
            app.uninstall_screen(name)
    app.clear_notifications()
    app.mouse_position = Offset(0, 0)
    app._set_mouse_over(None, None)
    app.lesson_visible = False
    app.lesson_progress = None
    app.running_jobs = 0
    if app.backend is not None:
        app.backend.stop()
    printer, backend = open_backend("default", _backend_options(), app.clock)
    if printer.settings.language != lang:
        printer.update(dataclasses.replace(printer.settings, language=lang))
    for unsubscribe in app._unsubscribe:
        unsubscribe()
    app.printer, app.backend = printer, backend
    app._unsubscribe = [printer.subscribe(app._settings_saved), printer.subscribe_admin(app._admin_changed)]
    app._publish_settings(printer.settings)
    await pilot.pause()


def _as_built(screen) -> bool:
    """A kept menu screen as it was built: first row highlighted, not scrolled, its list focused."""
    if not isinstance(screen, MenuScreen):
        return False
    lists = list(screen.query(ListView))
    return bool(lists) and all((view.index or 0) == 0 and view.scroll_offset == (0, 0) for view in lists) and (
        screen.focused is None or screen.focused in lists)


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


# -- index.html --------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; background: #f4f4f4; color: #111; }
nav ul { columns: 3 16rem; padding-left: 1.2rem; }
section { background: #fff; border: 1px solid #ccc; border-radius: 6px; margin: 1.2rem 0; padding: 0.6rem 1rem; }
h2 { margin: 0.3rem 0; font-family: monospace; }
.catalog { color: #555; margin: 0 0 0.4rem; font-family: monospace; }
.row { display: flex; gap: 1rem; flex-wrap: wrap; align-items: flex-start; }
figure { margin: 0; flex: 1 1 30rem; max-width: 48rem; }
figure img { width: 100%; height: auto; border: 1px solid #999; background: #000; }
figcaption { font-weight: bold; margin-bottom: 0.2rem; }
h3 { font-size: 0.95rem; margin: 0.6rem 0 0.3rem; color: #333; }
"""


def index_html(shots: Sequence[Shot], index_lang: str = "en") -> str:
    """The review page: one section per screen, a row per size, the languages side by side.

    Self-contained (inline CSS, the SVGs beside it by relative link); every text is escaped.
    """
    t = Translator.load(language=index_lang).t
    esc = html.escape
    catalog_of = {r.name: module for module, recipes in catalog_recipes().items() for r in recipes}
    names = list(dict.fromkeys(s.name for s in shots))
    langs = list(dict.fromkeys(s.lang for s in shots))
    by_name: dict[str, dict[tuple[int, int], dict[str, Shot]]] = {}
    for shot in shots:
        by_name.setdefault(shot.name, {}).setdefault(shot.size, {})[shot.lang] = shot

    parts = [
        "<!DOCTYPE html>\n",
        f'<html lang="{esc(index_lang)}">\n<head>\n<meta charset="utf-8">\n',
        f"<title>{esc(t('gallery.title'))}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<h1>{esc(t('gallery.title'))}</h1>\n",
        "<p>" + esc(t("gallery.intro", screens=len(names), pictures=len(shots),
                      languages=", ".join(langs), time=SNAPSHOT_TIME.strftime("%Y-%m-%d %H:%M UTC"))) + "</p>\n",
        f"<nav>\n<h2>{esc(t('gallery.contents'))}</h2>\n<ul>\n",
    ]
    parts += [f'<li><a href="#{esc(name)}">{esc(name)}</a></li>\n' for name in names]
    parts.append("</ul>\n</nav>\n")
    for name in names:
        parts.append(f'<section id="{esc(name)}">\n<h2>{esc(name)}</h2>\n')
        parts.append(f'<p class="catalog">{esc(catalog_of.get(name, ""))}</p>\n')
        for size, by_lang in by_name[name].items():
            parts.append(f"<h3>{esc(t('gallery.size', width=size[0], height=size[1]))}</h3>\n<div class=\"row\">\n")
            for lang in langs:
                taken = by_lang.get(lang)
                if taken is None:
                    continue
                label = f"{t('value.language.' + lang)} ({lang})"
                src = esc(taken.filename)
                parts.append(
                    f'<figure><figcaption>{esc(label)}</figcaption>'
                    f'<a href="{src}"><img src="{src}" alt="{esc(f"{name}, {label}")}" loading="lazy"></a></figure>\n'
                )
            parts.append("</div>\n")
        parts.append("</section>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)


# -- `panel-tui gallery` -----------------------------------------------------------------------


class Progress:
    """Progress while rendering, on stderr: a bar redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, stream=None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._drawn = False

    def __call__(self, done: int, total: int, shot: Shot) -> None:
        if not self.tty:
            self.stream.write(f"[{done}/{total}] {shot.filename}\n")
            self.stream.flush()
            return
        columns = shutil.get_terminal_size((80, 24)).columns
        width = 24
        filled = width * done // max(total, 1)
        line = f"{'#' * filled}{'.' * (width - filled)} {done}/{total} {shot.filename}"
        self.stream.write("\r" + line[:columns - 1].ljust(columns - 1))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def command(args) -> int:
    """Run `panel-tui gallery` (its options: cli._gallery_options): 0 when every screen rendered
    (whatever changed, unless --fail-on-change), 1 otherwise (the message names the screen), 2 for
    bad options."""
    jobs = getattr(args, "jobs", None)
    old = getattr(args, "compare", None)
    if jobs is not None and jobs < 1:
        print("panel-tui gallery: --jobs must be 1 or more", file=sys.stderr)
        return 2
    if getattr(args, "fail_on_change", False) and old is None:
        print("panel-tui gallery: --fail-on-change needs --compare OLD", file=sys.stderr)
        return 2
    if old is not None and not Path(old).is_dir():
        print(f"panel-tui gallery: --compare {old}: no such gallery folder", file=sys.stderr)
        return 2
    if old is not None and Path(old).resolve() == Path(args.out).resolve():
        print("panel-tui gallery: --compare must name another folder than --out", file=sys.stderr)
        return 2
    lang = getattr(args, "lang", None) or "en"
    names = getattr(args, "only", None)
    progress = Progress()
    try:
        paths = render_gallery(args.out, names=names, jobs=jobs, index_lang=lang,
                               locales_dir=getattr(args, "locales", None), progress=progress,
                               index_name=gallery_compare.ALL_SCREENS if old is not None else INDEX_NAME)
    except (GalleryError, OSError) as error:
        progress.close()
        print(f"panel-tui gallery: {error}", file=sys.stderr)
        return 1
    progress.close()
    if old is None:
        print(f"{len(paths) - 1} SVG files and {paths[-1].resolve()}")
        return 0
    try:
        comparison = gallery_compare.compare_dirs(old, args.out, [p.name for p in paths[:-1]], names)
        gallery_compare.write_pictures(comparison, old, args.out)
    except (gallery_compare.CompareError, OSError) as error:
        print(f"panel-tui gallery: {error}", file=sys.stderr)
        return 1
    t = Translator.load(getattr(args, "locales", None), language=lang).t
    index = Path(args.out) / INDEX_NAME
    _write_if_changed(index, gallery_compare.compare_html(comparison, str(old), t))
    print(t("gallery.compare.summary", changed=len(comparison.changed), added=len(comparison.added),
            removed=len(comparison.removed), unchanged=len(comparison.unchanged), old=str(old)))
    for change in comparison.changed:
        print(f"  ~ {change.filename}")
    for filename in comparison.added:
        print(f"  + {filename}")
    for filename in comparison.removed:
        print(f"  - {filename}")
    print(f"{len(paths) - 1} SVG files and {index.resolve()}")
    return 1 if getattr(args, "fail_on_change", False) and comparison.any_change else 0
