"""The App as screens and widgets see it: the printer's state, and the events they subscribe to.

State flows down and events up (Textual's rule): the device layer tells the App of every
change (settings saved by this panel, by a CLI command or another panel on the same
profile; administrator login, logout and lapse), the App turns each into a Textual
`Signal` (as Textual's own `theme_changed_signal`), and each screen or widget subscribes
to what it shows. Nothing pushes into a screen. `panel_tui.app.PanelApp` builds on this
class; ui/ modules reach it through `panel_app(node)`, typed, without importing the App.
"""
from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.app import App
from textual.message import Message
from textual.reactive import reactive
from textual.signal import Signal

from panel_tui.device.clock import Clock
from panel_tui.device.printer import Printer
from panel_tui.device.settings import DeviceSettings
from panel_tui.i18n import Translator
from panel_tui.menus import MenuNode, MenuTree
from panel_tui.ui import glyphs

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.lesson import LessonProgress
    from panel_tui.mail.jobs import MailJobs

# How often the App looks for settings another process saved (one stat of settings.json).
SETTINGS_POLL_SECONDS = 0.5


class MailJobsChanged(Message):
    """A mail job started (+1) or ended (-1); it bubbles up to the App's `running_jobs`."""

    def __init__(self, delta: int) -> None:
        super().__init__()
        self.delta = delta


class PrinterSettingsChanged(Message):
    """The printer's settings changed, heard on another thread."""

    def __init__(self, settings: DeviceSettings) -> None:
        super().__init__()
        self.settings = settings


class AdminSessionChanged(Message):
    """The administrator logged in or out, heard on another thread."""

    def __init__(self, logged_in: bool) -> None:
        super().__init__()
        self.logged_in = logged_in


class LessonObserved(Message):
    """The guided lesson read the printer's progress; the App keeps the last one for the next panel."""

    def __init__(self, progress: LessonProgress) -> None:
        super().__init__()
        self.progress = progress


class PanelAppBase(App[None]):
    """The emulated printer's App, less its screens and navigation (see panel_tui.app)."""

    running_jobs: reactive[int] = reactive(0)
    """Mail jobs in progress (the status bar's job indicator watches it)."""
    lesson_visible: reactive[bool] = reactive(False)
    """The guided lesson is shown beside the panel."""

    def __init__(self, printer: Printer, translator: Translator, menu_tree: MenuTree, clock: Clock,
                 backend: Backend | None = None, start_backend: bool = True) -> None:
        super().__init__()
        glyphs.choose()  # Unicode or ASCII glyphs, for this terminal
        self.set_class(glyphs.is_ascii(), glyphs.ASCII_CLASS)  # the focus bars' borders too (stylesheets)
        self.printer = printer
        self.backend = backend
        self.start_backend = start_backend
        self.translator = translator
        self.menu_tree = menu_tree
        self.clock = clock
        self.lesson_progress: LessonProgress | None = None  # the last one observed (a new panel shows it at once)
        self.settings_changed_signal: Signal[DeviceSettings] = Signal(self, "settings-changed")
        self.language_changed_signal: Signal[str] = Signal(self, "language-changed")
        self.admin_changed_signal: Signal[bool] = Signal(self, "admin-changed")
        translator.set_language(printer.settings.language)
        self._last_published: DeviceSettings | None = None
        self._unsubscribe = [printer.subscribe(self._settings_saved), printer.subscribe_admin(self._admin_changed)]

    # -- words ---------------------------------------------------------------
    def t(self, key: str, **params: object) -> str:
        return self.translator.t(key, **params)

    def set_language(self, language: str) -> None:
        """Save the panel language; every screen relabels itself when the change is published."""
        self.printer.update(lambda settings: dataclasses.replace(settings, language=language))

    # -- state every screen reads --------------------------------------------
    @property
    def cloud(self) -> Backend:
        """The backend, for screens that exist only with one (Web Config sign-in, inbox, trainer)."""
        if self.backend is None:
            raise RuntimeError("this screen needs the mail backend")
        return self.backend

    def is_locked(self, node: MenuNode) -> bool:
        """True when opening `node` needs the administrator password first."""
        return node.admin_only and self.printer.admin.requires_login

    async def mail_jobs(self) -> MailJobs:
        """The printer's MailJobs (waits off the UI thread for the simulator to be up)."""
        backend = self.cloud
        return await asyncio.to_thread(lambda: backend.jobs)

    def open_node(self, node_id: str) -> None:
        """Open menu node `node_id` (asks for the administrator first when it is locked)."""
        raise NotImplementedError

    def go_to_node(self, node_id: str) -> None:
        """Open `node_id` as if walked to from Home."""
        raise NotImplementedError

    # -- from the device layer to signals ------------------------------------
    def on_mount(self) -> None:
        # A CLI command or another panel may save the profile's settings: notice it.
        self.set_interval(SETTINGS_POLL_SECONDS, self.printer.reload_if_changed, name="settings-poll")

    def on_app_focus(self) -> None:
        self.printer.reload_if_changed()

    def on_lesson_observed(self, message: LessonObserved) -> None:
        self.lesson_progress = message.progress

    def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()

    def _on_app_thread(self) -> bool:
        return threading.get_ident() == self._thread_id

    def _settings_saved(self, settings: DeviceSettings) -> None:
        if self._on_app_thread():
            self._publish_settings(settings)
        else:
            self.post_message(PrinterSettingsChanged(settings))

    def _admin_changed(self, logged_in: bool) -> None:
        if self._on_app_thread():
            self.admin_changed_signal.publish(logged_in)
        else:
            self.post_message(AdminSessionChanged(logged_in))

    def _publish_settings(self, settings: DeviceSettings) -> None:
        self._last_published = settings
        if settings.language != self.translator.language:
            self.translator.set_language(settings.language)
            self.language_changed_signal.publish(settings.language)
        self.settings_changed_signal.publish(settings)

    def on_printer_settings_changed(self, message: PrinterSettingsChanged) -> None:
        # The settings as they are now: a burst of saves on another thread is published once.
        settings = self.printer.settings
        if settings is not self._last_published:
            self._publish_settings(settings)

    def on_admin_session_changed(self, message: AdminSessionChanged) -> None:
        self.admin_changed_signal.publish(message.logged_in)

    def on_mail_jobs_changed(self, message: MailJobsChanged) -> None:
        self.running_jobs = max(0, self.running_jobs + message.delta)


class _InApp(Protocol):
    @property
    def app(self) -> App[Any]: ...


def panel_app(node: _InApp) -> PanelAppBase:
    """`node.app`, typed (a screen, widget or palette provider): what it may read and subscribe to."""
    return cast(PanelAppBase, node.app)
