"""The panel frame shared by every panel screen: status bar, screen area, hardware keys, hints."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from panel_tui.classroom.roster import seat_of
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.formatting import format_clock
from panel_tui.ui.glyphs import glyph, key_cap
from panel_tui.ui.hardware_keys import HardwareKeys, needs_strip

LESSON_WIDTH = 34  # the guided lesson's column (#lesson in app.tcss)
# The rules of every screen but Home (app.tcss holds the frame's): each screen class that opens over
# Home names it in CSS_PATH, and Textual reads it when the first of them opens, not before the first frame.
SCREENS_CSS = Path(__file__).resolve().parent.parent / "screens.tcss"


class StatusBar(Widget):
    """Printer name, network icon, admin lock icon, job indicator and the clock, on one line.

    Looked at every second and on every change it subscribes to, repainted only when its text
    changed (the clock shows minutes), and never laid out again: its size does not depend on it.
    """

    def on_mount(self) -> None:
        self._state: tuple | None = None
        self._lock_span = (-1, -1)
        app = panel_app(self)
        # What it shows: settings, language, the administrator's lock, the jobs and the clock.
        for signal in (app.settings_changed_signal, app.language_changed_signal, app.admin_changed_signal):
            signal.subscribe(self, self._changed)
        self.watch(app, "running_jobs", self.update_status, init=False)
        self.update_status()
        self.set_interval(1.0, self.update_status)

    def _changed(self, _change: object) -> None:
        self.update_status()

    def _status(self) -> tuple:
        app = panel_app(self)
        t = app.t
        settings = app.printer.settings
        parts: list = [(settings.printer_name, "bold"), "  ", f"{glyph('network')} {t('app.network_connected')}", "  "]
        lock_span = (-1, -1)
        tooltip = None
        if settings.lock_setting:
            logged_in = app.printer.admin.logged_in
            start = sum(len(p if isinstance(p, str) else p[0]) for p in parts)
            lock = glyph("unlocked" if logged_in else "locked")
            parts.extend([(lock, "bold"), "  "])
            lock_span = (start, start + cell_len(lock))
            tooltip = t("app.lock_open" if logged_in else "app.lock_locked")
        running = app.running_jobs
        if running:
            parts.append((f"{glyph('running')} {t('app.jobs_running', count=running)}", "bold $warning"))
        else:
            parts.append(f"{glyph('idle')} {t('app.jobs_idle')}")
        clock = format_clock(app.clock.now(), settings)
        return tuple(parts), self._seat_label(), clock, lock_span, tooltip

    def update_status(self) -> None:
        state = self._status()
        if state == self._state:
            return
        self._state = state
        *_, self._lock_span, tooltip = state
        if tooltip != self.tooltip:
            self.tooltip = tooltip
        self.refresh()  # a repaint, no layout

    def render(self) -> Content:
        parts, seat, clock, _, _ = self._state or self._status()
        left = Content.assemble(*parts)
        right = Content(clock)
        if seat:  # a class's seat (panel-tui classroom): its name, nothing else
            right = Content.assemble((f" {seat} ", "reverse"), " ", clock)
        gap = max(1, self.size.width - left.cell_length - right.cell_length - 2)  # as it has always been drawn
        return Content.assemble(left, " " * gap, right)

    def _seat_label(self) -> str | None:
        if not hasattr(self, "_seat"):
            self._seat = seat_of(panel_app(self).printer.paths)
        return self._seat

    async def on_click(self, event: events.Click) -> None:
        start, end = self._lock_span
        if start <= event.x - 1 < end + 1:
            await self.run_action("app.admin_login")


class Breadcrumb(Static):
    """The menu path as a title; when it does not fit, the start gives way to "…"."""

    def __init__(self, crumbs: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.crumbs = crumbs

    def render(self) -> Content:
        width = max(self.size.width, 10)
        crumbs = list(self.crumbs)
        text = " > ".join(crumbs)
        while len(text) > width and len(crumbs) > 1:
            crumbs.pop(0)
            text = glyph("ellipsis") + " > " + " > ".join(crumbs)
        return Content(text)


class HintBar(Static):
    """One line of key hints for the current screen, in the current language."""


class PanelScreen(Screen):
    """A screen of the emulated panel, drawn inside the panel frame.

    Subclasses give `breadcrumb()` (locale keys or plain strings, already translated)
    and `compose_body()`; `hints()` lists (key cap, locale key) pairs.
    """

    CSS_PATH: ClassVar[str | PurePath | list[str | PurePath] | None] = SCREENS_CSS  # Home: None

    def breadcrumb(self) -> list[str]:
        return []

    def compose_body(self) -> ComposeResult:
        yield from ()

    def hints(self) -> Iterable[tuple[str, str]]:
        return (("↑↓", "key.move"), ("Enter", "key.select"), ("Esc", "key.back"))

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        yield StatusBar(id="status-bar")
        with Horizontal(id="frame"):
            with Vertical(id="screen-area"):
                crumbs = self.breadcrumb()
                if crumbs:
                    yield Breadcrumb(crumbs, id="breadcrumb")
                yield from self.compose_body()
            yield HardwareKeys(id="hardware-keys", compact=self._keys_compact(self.app.size))
            if panel_app(self).lesson_visible:
                from panel_tui.ui.lesson_panel import LessonPanel

                yield LessonPanel(id="lesson")
        parts: list = []
        for cap, key in self.hints():
            parts.extend(((key_cap(cap), "bold"), f" {t(key)}   "))
        yield HintBar(Content.assemble(*parts), id="hint-bar")

    def _keys_compact(self, size: Size) -> bool:
        """The hardware keys as a one-line strip when their column does not fit beside the screen."""
        beside = LESSON_WIDTH if panel_app(self).lesson_visible else 0
        return needs_strip(size.width, beside, size.height - 2)  # the frame: less the status and hint bars

    def on_resize(self, event: events.Resize) -> None:
        for keys in self.query(HardwareKeys):
            keys.compact = self._keys_compact(event.size)

    # CSS selector of the widget that gets the focus when the screen appears or is redrawn.
    FOCUS: str | None = None

    def focus_default(self) -> None:
        if self.FOCUS and self.is_attached:
            for widget in self.query(self.FOCUS):
                widget.focus()
                break

    def on_mount(self) -> None:
        app = panel_app(self)
        # A screen below the current one (or kept for later) redraws when it is shown again.
        app.language_changed_signal.subscribe(self, self.relabel)
        self.watch(app, "lesson_visible", self.relabel, init=False)
        self.focus_default()

    def on_screen_resume(self) -> None:
        if self.focused is None:
            self.focus_default()

    def relabel(self, _change: object = None) -> None:
        """Redraw everything in the current language (keeps the screen's own state)."""
        self.refresh(recompose=True)
        self.call_after_refresh(self.focus_default)


class DialogBody(Widget):
    """Marker base for dialog bodies (kept for styling)."""
