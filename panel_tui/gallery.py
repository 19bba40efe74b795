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

import html
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from panel_tui.i18n import LANGUAGES

INDEX_NAME = "index.html"

# Screens of real cloud state (job outcomes, trainer console, lesson, inbox) are rendered by a
# worker that runs its own simulator, reset before each picture.
_SIM = None  # the render worker's SimulatorThread, started on first use

# Environment variables that change how Textual draws; a render worker drops them.
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
    from panel_tui.ui.catalog import all_recipes, shots

    if sizes is None:
        return [Shot(r.name, lang, size) for r, lang, size in shots(langs=tuple(langs))]
    return [Shot(r.name, lang, (size[0], size[1])) for r in all_recipes() for size in sizes for lang in langs]


def render_gallery(out_dir: Path | str, langs: Sequence[str] = LANGUAGES,
                   sizes: Sequence[tuple[int, int]] | None = None, *, names: Sequence[str] | None = None,
                   jobs: int | None = None, index_lang: str = "en", locales_dir: Path | None = None,
                   progress: Callable[[int, int, Shot], None] | None = None,
                   index_name: str = INDEX_NAME) -> list[Path]:
    """Render the gallery into `out_dir`; returns the SVG paths (plan order) followed by the index page.

    `sizes=None` is the snapshot tests' matrix; `names` limits it to some screens; `jobs`
    worker processes render in parallel (default: the CPU count, 2 to 8); `locales_dir`
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
# Each worker process renders batches: the pictures of one language and size, several screens,
# in ONE running app. Between two screens the app goes back to Home and gets a fresh printer
# profile (a new temporary PANEL_TUI_HOME), so each picture is what a fresh panel shows after
# the recipe; the app, its parsed CSS, Home and the menu screens are built once per batch
# instead of once per picture. Batches of screens that need the simulator go first
# and are shared out, each worker starting its own simulator when it first gets one.

BATCH_SIZE = 12  # screens per running app: small enough to share the work out evenly


def batches(shots: Sequence[Shot], size: int = BATCH_SIZE) -> list[tuple[Shot, ...]]:
    """The shots grouped by (simulator, language, size) in catalog order, cut into batches of
    at most `size`; the simulator's batches first, then the longest (a worker that finishes
    early takes the short ones)."""
    from panel_tui.ui.catalog import all_recipes

    needs_sim = {r.name for r in all_recipes() if r.needs_sim}
    groups: dict[tuple[bool, str, tuple[int, int]], list[Shot]] = {}
    for shot in shots:
        groups.setdefault((shot.name in needs_sim, shot.lang, shot.size), []).append(shot)
    out: list[tuple[Shot, ...]] = []
    for group in groups.values():
        count = -(-len(group) // size)  # as many batches as needed, of even length
        out += [tuple(group[i::count]) for i in range(count)]
    return sorted(out, key=lambda batch: (batch[0].name not in needs_sim, -len(batch)))


def default_jobs() -> int:
    """Worker processes: one per CPU, at least 2 (a worker waits on Textual's idle checks and the
    simulator; two overlap on one core), at most 8."""
    return max(2, min(os.cpu_count() or 1, 8))


def render_shots(shots: Sequence[Shot], jobs: int | None = None, locales_dir: Path | None = None,
                 progress: Callable[[int, int, Shot], None] | None = None) -> list[str]:
    """The SVG of each shot (same order), rendered by `jobs` worker processes (default_jobs());
    `progress(done, total, shot)` as each picture is ready. GalleryError names a failed screen."""
    import functools
    import multiprocessing
    import queue as queue_module
    import time
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    if not shots:
        return []
    work = batches(shots)
    # spawn: a fresh interpreter whose Textual constants come from the clean environment.
    context = multiprocessing.get_context("spawn")
    done_queue = context.Queue()  # each picture as it is ready, for the progress display
    render = functools.partial(_render_batch, locales_dir=locales_dir)
    rendered: dict[Shot, str] = {}
    reported = 0

    def report(timeout: float | None = None) -> None:
        nonlocal reported
        while True:
            try:
                shot = done_queue.get(timeout=timeout) if timeout else done_queue.get_nowait()
            except queue_module.Empty:
                return
            timeout = None
            reported += 1
            if progress is not None:
                progress(reported, len(shots), shot)

    workers = max(1, min(jobs or default_jobs(), len(work)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_setup,
                             initargs=(done_queue,)) as pool:
        futures = {pool.submit(render, batch): batch for batch in work}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.1, return_when=FIRST_EXCEPTION)
                report()
                for future in finished:
                    rendered.update(zip(futures[future], future.result(), strict=True))
        except BaseException as error:
            for future in pending:
                future.cancel()
            if isinstance(error, BrokenProcessPool):
                raise GalleryError(f"a render process ended abruptly ({error})") from None
            raise
    deadline = time.monotonic() + 5.0  # the workers have ended: their last pictures are on the way
    while reported < len(shots) and time.monotonic() < deadline:
        report(0.1)
    done_queue.close()
    return [rendered[s] for s in shots]


_DONE = None  # the worker's queue of finished pictures (progress)


def _worker_setup(done=None) -> None:
    global _DONE
    for name in _RENDER_ENV_DROP:
        os.environ.pop(name, None)
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    _DONE = done


def _simulator():
    """The worker's simulator (data in a temporary folder, loopback only), started on first use."""
    import atexit
    import tempfile

    from panel_tui.sim.runtime import SimulatorThread

    global _SIM
    if _SIM is None:
        folder = tempfile.TemporaryDirectory(prefix="panel-gallery-sim-")
        sim = SimulatorThread(Path(folder.name))
        sim.start(timeout=60)
        atexit.register(folder.cleanup)
        atexit.register(sim.stop)
        _SIM = sim
    return _SIM


def _backend_options():
    """The printers of a worker join its simulator as one at a URL (`--sim-url`): only when a
    screen asks (Email Server Status reads the sign-in), and no simulator service is spawned in
    each temporary home; a screen that does not ask shows what a panel whose simulator is still
    starting shows (as in the snapshot tests)."""
    from panel_tui.backend import BackendOptions

    endpoints = _simulator().endpoints
    return BackendOptions(sim_url=endpoints.base_url, sim_ca=str(endpoints.ca_path))


def _render_batch(batch: Sequence[Shot], locales_dir: Path | None = None) -> list[str]:
    import asyncio

    try:
        return asyncio.run(render_svgs(batch, locales_dir=locales_dir, done=_DONE.put if _DONE else None))
    except GalleryError:
        raise
    except Exception as error:  # noqa: BLE001 - re-raised with the screen's name
        raise GalleryError(f"{batch[0].filename}: {type(error).__name__}: {error}") from None


async def render_svg(name: str, lang: str, size: tuple[int, int], locales_dir: Path | None = None) -> str:
    """One screen as SVG (see render_svgs)."""
    return (await render_svgs([Shot(name, lang, size)], locales_dir=locales_dir))[0]


async def render_svgs(batch: Sequence[Shot], locales_dir: Path | None = None,
                      done: Callable[[Shot], None] | None = None) -> list[str]:
    """Screens of one language and size as SVG, in one running app: each on a fresh profile under
    a temporary PANEL_TUI_HOME, with the fixed clock; `done(shot)` as each one is ready.

    The steps after the recipe are those of the snapshot plugin (textual._doc.take_svg_screenshot).
    """
    import tempfile

    from panel_tui.assembly import build_app
    from panel_tui.device.clock import SNAPSHOT_TIME, FixedClock
    from panel_tui.device.paths import HOME_ENV
    from panel_tui.ui.catalog import all_recipes

    if not batch:
        return []
    lang, size = batch[0].lang, batch[0].size
    if any((s.lang, s.size) != (lang, size) for s in batch):
        raise GalleryError("one batch renders one language at one size")
    recipes = {r.name: r for r in all_recipes()}
    previous = os.environ.get(HOME_ENV)
    svgs: list[str] = []
    homes: list[Path] = []
    app = None
    with tempfile.TemporaryDirectory(prefix="panel-gallery-") as root:

        def fresh_home() -> str:
            home = Path(root) / str(len(homes))
            home.mkdir()
            homes.append(home)
            os.environ[HOME_ENV] = str(home)
            return str(home)

        try:
            fresh_home()
            app = build_app(profile="default", lang=lang, clock=FixedClock(SNAPSHOT_TIME), start_backend=False,
                            locales_dir=locales_dir, options=_backend_options())
            app.animation_level = "none"

            async def auto_pilot(pilot) -> None:
                for index, shot in enumerate(batch):
                    if index:
                        fresh_home()
                        await _fresh_printer(app, pilot, lang)
                    recipe = recipes[shot.name]
                    try:
                        if recipe.needs_sim:
                            app.cloud.use_endpoints(_simulator().endpoints)
                            app.cloud.control().reset()
                        await recipe.run(pilot)
                        await pilot.pause()
                        await pilot.wait_for_scheduled_animations()
                        await pilot.pause()
                        await pilot.pause()
                        await pilot.wait_for_scheduled_animations()
                        svgs.append(app.export_screenshot(title=app.title, simplify=True))
                    except Exception as error:  # noqa: BLE001 - re-raised with the screen's name
                        raise GalleryError(f"{shot.filename}: {type(error).__name__}: {error}") from None
                    if done is not None:
                        done(shot)
                app.exit()

            await app.run_async(headless=True, size=size, auto_pilot=auto_pilot)
        finally:
            if app is not None and app.backend is not None:
                app.backend.stop()
            for home in homes:
                _stop_home_simulator(home)
            if previous is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous
    if len(svgs) != len(batch):
        failed = batch[len(svgs)]
        raise GalleryError(f"{failed.filename}: the app ended before its screenshot ({app and app.return_code=})")
    return svgs


async def _fresh_printer(app, pilot, lang: str) -> None:
    """The running app back at Home, as a new panel on a fresh profile (the current PANEL_TUI_HOME)
    shows it: no other screen kept, no notification, no mouse over anything, a new printer."""
    import dataclasses

    from textual.geometry import Offset
    from textual.screen import Screen

    from panel_tui.backend import open_backend

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
    from textual.widgets import ListView

    from panel_tui.ui.menu_screen import MenuScreen

    if not isinstance(screen, MenuScreen):
        return False
    lists = list(screen.query(ListView))
    return bool(lists) and all((view.index or 0) == 0 and view.scroll_offset == (0, 0) for view in lists) and (
        screen.focused is None or screen.focused in lists)


def _stop_home_simulator(home: Path) -> None:
    """A screen that asked for the cloud started its temporary home's simulator: stop it by pid."""
    sim_dir = home / "simulator"
    if (sim_dir / "simulator.lock").exists():
        from panel_tui.sim import service

        service.stop(sim_dir)


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
    from panel_tui.device.clock import SNAPSHOT_TIME
    from panel_tui.i18n import Translator
    from panel_tui.ui.catalog import catalog_recipes

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


def add_arguments(parser) -> None:
    """The options of `panel-tui gallery` (cli.py adds the subcommand and calls `command`)."""
    parser.add_argument("--out", type=Path, required=True, help="folder for the SVGs and index.html (created)")
    parser.add_argument("--only", action="append", metavar="SCREEN",
                        help="render only this screen (repeatable; names as in index.html)")
    parser.add_argument("--jobs", type=int, help="parallel render processes (default: CPU count, 2 to 8)")
    parser.add_argument("--compare", type=Path, metavar="OLD",
                        help="an earlier gallery: index.html lists what changed, before and after side by side "
                             "with the changed cells outlined (the whole gallery moves to screens.html)")
    parser.add_argument("--fail-on-change", action="store_true",
                        help="with --compare: exit 1 when a picture changed, appeared or disappeared (for CI)")
    parser.add_argument("--locales", type=Path, metavar="DIR",
                        help="render with the en.toml and ro.toml of this folder (default: the shipped ones)")


class Progress:
    """Progress while rendering, on stderr: a bar redrawn in place on a terminal, plain lines otherwise."""

    def __init__(self, stream=None, tty: bool | None = None) -> None:
        import sys

        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._drawn = False

    def __call__(self, done: int, total: int, shot: Shot) -> None:
        if not self.tty:
            self.stream.write(f"[{done}/{total}] {shot.filename}\n")
            self.stream.flush()
            return
        import shutil

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
    """Run `panel-tui gallery`: 0 when every screen rendered (whatever changed, unless
    --fail-on-change), 1 otherwise (the message names the screen), 2 for bad options."""
    import sys

    from panel_tui import gallery_compare

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
    from panel_tui.i18n import Translator

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
