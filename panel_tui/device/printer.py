"""The emulated printer as one object: paths, applied settings, job log, admin session, clock."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from panel_tui.device.admin import AdminSession
from panel_tui.device.clock import Clock, SystemClock
from panel_tui.device.paths import ProfilePaths
from panel_tui.device.settings import DeviceSettings, merge_settings
from panel_tui.device.settings_store import SettingsError, SettingsStore
from panel_tui.device.status_sheet import NOT_SIGNED_IN, SignInInfo

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.device.joblog import JobLog

SettingsListener = Callable[[DeviceSettings], None]
AdminListener = Callable[[bool], None]


class Printer:
    """Facade the UI talks to. `update` saves atomically, then tells every subscriber.

    Subscribers hear every change of the applied settings, whoever made it: this process
    (`update`, `restore_defaults`) or another one on the same profile (noticed by
    `reload_if_changed`, or by any read of `settings`), and every administrator login,
    logout and lapse (`subscribe_admin`). They may be called from any thread.
    """

    def __init__(
        self,
        paths: ProfilePaths,
        store: SettingsStore,
        settings: DeviceSettings,
        joblog: JobLog | None,
        clock: Clock,
    ) -> None:
        self.paths = paths
        self.store = store
        self._joblog = joblog  # None: opened on first use (`joblog`)
        self.clock = clock
        self._settings = settings
        self._lock = threading.RLock()
        self._known_mtime = self._settings_mtime()
        self._listeners: list[SettingsListener] = []
        self._admin_listeners: list[AdminListener] = []
        self.admin = AdminSession(lambda: self._settings, clock, on_change=self._admin_changed)
        # Set by the mail layer: returns the OAuth 2.0 sign-in state of the email server.
        self.signin_provider: Callable[[], SignInInfo] | None = None

    @classmethod
    def open(cls, paths: ProfilePaths, clock: Clock | None = None) -> Printer:
        """Load the profile's settings (SettingsError if the file is broken).

        The job log opens when first used (the panel's first frame does not wait for SQLite).
        """
        clock = clock or SystemClock()
        store = SettingsStore(paths)
        settings = store.load()
        return cls(paths, store, settings, None, clock)

    @property
    def joblog(self) -> JobLog:
        """The profile's job log, opened on first use.

        On opening, jobs a previous crash left running are marked interrupted (`joblog.recovered`).
        """
        if self._joblog is None:
            with self._lock:
                if self._joblog is None:
                    from panel_tui.device.joblog import JobLog  # sqlite3 only when jobs are looked at

                    self._joblog = JobLog(self.paths.joblog_file, self.clock)
        return self._joblog

    @property
    def settings(self) -> DeviceSettings:
        """The applied settings (immutable; change them with `update`).

        Another process on the same profile (a CLI command beside the panel) may have saved
        newer ones: they are picked up here, so neither overwrites the other's change.
        """
        self.reload_if_changed()
        return self._settings

    def reload_if_changed(self) -> bool:
        """Pick up settings another process saved (one stat when nothing changed); True if they differ.

        Subscribers are told of the new settings, as after `update`.
        """
        mtime = self._settings_mtime()
        if mtime == self._known_mtime:
            return False
        with self._lock:
            if mtime == self._known_mtime:  # another thread got there first
                return False
            before = self._settings
            with contextlib.suppress(SettingsError):  # a broken file is reported at start-up; keep what we have
                self._settings = self.store.load()
            self._known_mtime = mtime
            new = self._settings
            changed = new != before
            listeners = list(self._listeners) if changed else []
        for listener in listeners:
            listener(new)
        return changed

    def _settings_mtime(self) -> tuple[int, int] | None:
        # Saves are atomic renames: a new inode each time, even within one mtime tick.
        try:
            stat = self.store.path.stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    def update(self, change: DeviceSettings | Callable[[DeviceSettings], DeviceSettings]) -> DeviceSettings:
        """Apply new settings (or `change(current)`), save them atomically, notify subscribers.

        Nothing changes if validation or saving fails. Returns the new settings.
        """
        # Read-modify-write under the profile's lock: another process (the CLI beside the
        # panel) may have saved a change since we read, and it must not be lost.
        with self._lock, self.store.locked():
            base = self._settings
            try:
                latest = self.store.load()
            except SettingsError:
                latest = base  # a broken file is reported at start-up; this save replaces it
            if callable(change):
                new = change(latest)
            else:
                if not isinstance(change, DeviceSettings):
                    raise TypeError(f"update needs DeviceSettings, got {type(change).__name__}")
                new = merge_settings(base, change, latest)  # the caller edited a copy of `base`
            if not isinstance(new, DeviceSettings):
                raise TypeError(f"update needs DeviceSettings, got {type(new).__name__}")
            self.store.save(new)
            self._settings = new
            self._known_mtime = self._settings_mtime()
            listeners = list(self._listeners)
        for listener in listeners:
            listener(new)
        return new

    def subscribe(self, callback: SettingsListener) -> Callable[[], None]:
        """Call `callback(settings)` after every change; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def subscribe_admin(self, callback: AdminListener) -> Callable[[], None]:
        """Call `callback(logged_in)` after every administrator login, logout or lapse; returns unsubscribe."""
        with self._lock:
            self._admin_listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._admin_listeners:
                    self._admin_listeners.remove(callback)

        return unsubscribe

    def _admin_changed(self, logged_in: bool) -> None:
        with self._lock:
            listeners = list(self._admin_listeners)
        for listener in listeners:
            listener(logged_in)

    def restore_defaults(self, keep_language: bool = False) -> DeviceSettings:
        """Factory defaults except the serial number: admin password cleared, lock off, email reset.

        The job log is kept. The administrator is logged out. With `keep_language` the panel
        language stays as it is (one save: subscribers never see the factory language).
        """
        result = self.update(lambda current: DeviceSettings(
            serial_number=current.serial_number,
            language=current.language if keep_language else DeviceSettings.language))
        self.admin.logout()
        return result

    def signin_info(self) -> SignInInfo:
        """The email server's sign-in state: from the mail layer once it sets `signin_provider`."""
        provider = self.signin_provider
        return provider() if provider is not None else NOT_SIGNED_IN

    def local_now(self) -> datetime:
        """Now on the printer's clock (the time difference applied)."""
        return self._settings.local_time(self.clock.now())
