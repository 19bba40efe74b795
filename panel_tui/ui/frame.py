"""The panel frame shared by every panel screen: status bar, screen area, hardware keys, hints."""
from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static

from panel_tui.ui.app_base import panel_app
from panel_tui.ui.formatting import format_clock

# (key binding, locale key, button id, App action): the hardware keys beside the touch screen.
HARDWARE_KEYS = (
    ("h", "key.home", "hw-home", "app.home"),
    ("escape", "key.back", "hw-back", "app.back"),
    ("s", "key.stop", "hw-stop", "app.stop"),
    ("j", "key.job_status", "hw-jobs", "app.job_status"),
    ("question_mark", "key.help", "hw-help", "app.help"),
)
KEY_CAPS = {"h": "H", "escape": "Esc", "s": "S", "j": "J", "question_mark": "?", "l": "L"}


class StatusBar(Static):
    """Printer name, network icon, admin lock icon, job indicator and the clock, on one line."""

    def on_mount(self) -> None:
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

    def update_status(self) -> None:
        app = panel_app(self)
        t = app.t
        settings = app.printer.settings
        parts: list = [(settings.printer_name, "bold"), "  ", f"⇅ {t('app.network_connected')}", "  "]
        self._lock_span = (-1, -1)
        self.tooltip = None
        if settings.lock_setting:
            logged_in = app.printer.admin.logged_in
            start = sum(len(p if isinstance(p, str) else p[0]) for p in parts)
            parts.extend([("🔓" if logged_in else "🔒", "bold"), "  "])
            self._lock_span = (start, start + 2)
            self.tooltip = t("app.lock_open" if logged_in else "app.lock_locked")
        running = app.running_jobs
        if running:
            parts.append((f"● {t('app.jobs_running', count=running)}", "bold $warning"))
        else:
            parts.append(f"○ {t('app.jobs_idle')}")
        left = Content.assemble(*parts)
        clock = format_clock(app.clock.now(), settings)
        right = Content(clock)
        seat = self._seat_label()
        if seat:  # a class's seat (panel-tui classroom): its name, nothing else
            right = Content.assemble((f" {seat} ", "reverse"), " ", clock)
        gap = max(1, self.size.width - left.cell_length - right.cell_length - 2)
        self.update(Content.assemble(left, " " * gap, right))

    def _seat_label(self) -> str | None:
        if not hasattr(self, "_seat"):
            from panel_tui.classroom.roster import seat_of

            self._seat = seat_of(self.app.printer.paths)
        return self._seat

    def on_resize(self) -> None:
        self.update_status()

    async def on_click(self, event: events.Click) -> None:
        start, end = self._lock_span
        if start <= event.x - 1 < end + 1:
            await self.run_action("app.admin_login")


class HardwareKeys(Vertical):
    """The physical keys beside the screen; clicks run the same App actions as the key presses."""

    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        for key, label_key, button_id, action in HARDWARE_KEYS:
            button = Button(Content(f"{t(label_key)}\n[{KEY_CAPS[key]}]"), id=button_id, classes="hw-key",
                            action=action)
            button.can_focus = False
            yield button


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
            text = "… > " + " > ".join(crumbs)
        return Content(text)


class HintBar(Static):
    """One line of key hints for the current screen, in the current language."""


class PanelScreen(Screen):
    """A screen of the emulated panel, drawn inside the panel frame.

    Subclasses give `breadcrumb()` (locale keys or plain strings, already translated)
    and `compose_body()`; `hints()` lists (key cap, locale key) pairs.
    """

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
            yield HardwareKeys(id="hardware-keys")
            if panel_app(self).lesson_visible:
                from panel_tui.ui.lesson_panel import LessonPanel

                yield LessonPanel(id="lesson")
        parts: list = []
        for cap, key in self.hints():
            parts.extend(((cap, "bold"), f" {t(key)}   "))
        yield HintBar(Content.assemble(*parts), id="hint-bar")

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
