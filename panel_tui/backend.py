"""Wiring of one emulated printer to its mail backend and to Microsoft 365.

By default that is the embedded simulator, started in a background thread so the panel's
first frame never waits for it; `--sim-url` joins a standalone simulator; `--live` talks
to the real Microsoft cloud. The panel and the scripting commands share this one object.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.clock import OffsetClock, SystemClock, checked_offset
from panel_tui.device.settings import EmailServerSettings

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.device.clock import Clock
    from panel_tui.device.printer import Printer
    from panel_tui.mail.auth import OAuthSession
    from panel_tui.mail.jobs import MailJobs


class BackendError(Exception):
    """The backend cannot be reached or configured; the message says what to do."""


@dataclass(frozen=True)
class BackendOptions:
    """How this printer reaches Microsoft 365."""

    live: bool = False
    sim_url: str | None = None  # a standalone simulator, e.g. https://127.0.0.1:8443
    client_id: str | None = None  # live mode: the app registration's application (client) id
    tenant: str | None = None  # live mode, Exchange Online: tenant id or domain
    trust_sim_ca: bool = True  # the simulator plays the public cloud: its CA counts as a system root

    @property
    def mode(self) -> str:
        return "live" if self.live else "sim"

    @property
    def embedded(self) -> bool:
        return not self.live and not self.sim_url


class Backend:
    """One printer's way to the cloud: endpoints, OAuth sessions, mail jobs, simulator control."""

    def __init__(self, printer: "Printer", options: BackendOptions, sim_dir: Path,
                 session_clock: OffsetClock | None = None) -> None:
        self.printer = printer
        self.options = options
        self.sim_dir = Path(sim_dir)
        # The OAuth sessions judge token lifetimes on the simulator's clock (it can jump).
        self.session_clock = session_clock or OffsetClock(SystemClock())
        self._thread = None
        self._endpoints: Any = None
        self._sessions: dict[tuple, "OAuthSession"] = {}
        self._jobs: "MailJobs | None" = None
        self._lock = threading.RLock()
        self._control = None
        printer.signin_provider = self.signin_info

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        """Start the embedded simulator in the background (returns at once)."""
        if self.options.embedded and self._thread is None:
            from panel_tui.sim.runtime import SimulatorThread

            self._thread = SimulatorThread(self.sim_dir)
            self._thread.start_background()

    def stop(self) -> None:
        with self._lock:
            control, self._control = self._control, None
            thread, self._thread = self._thread, None
        if control is not None:
            control.close()
        if thread is not None:
            thread.stop()

    # -- endpoints -------------------------------------------------------------------
    def endpoints(self, timeout: float = 30.0):
        """The simulator's endpoints (waits for the embedded one to be up); None in live mode."""
        if self.options.live:
            return None
        with self._lock:
            if self._endpoints is not None:
                return self._endpoints
            if self.options.sim_url:
                self._endpoints = self._fetch_endpoints(self.options.sim_url, timeout)
            else:
                self.start()
                try:
                    self._endpoints = self._thread.wait(timeout)
                except Exception as error:  # noqa: BLE001 - reported with what to do
                    raise BackendError(f"the embedded simulator did not start: {error}") from None
            self.sync_clock()
            return self._endpoints

    def _fetch_endpoints(self, url: str, timeout: float) -> dict:
        import requests

        ca = self.sim_dir / "pki" / "ca.pem"
        session = requests.Session()
        session.trust_env = False
        try:
            reply = session.get(url.rstrip("/") + "/_sim/endpoints", timeout=timeout,
                                verify=str(ca) if ca.exists() else True)
            reply.raise_for_status()
            data = reply.json()
        except Exception as error:  # noqa: BLE001
            raise BackendError(
                f"cannot reach the simulator at {url}: {error}. Start one with `panel-tui sim` "
                f"(it prints its URL) and pass that URL to --sim-url."
            ) from None
        finally:
            session.close()
        return data

    def use_endpoints(self, endpoints) -> None:
        """Join a simulator already running in this process (tests, the trainer's classroom)."""
        with self._lock:
            self._endpoints = endpoints
        self.sync_clock()

    def _sim_ca_path(self) -> Path:
        endpoints = self.endpoints()
        data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
        return Path(data["ca_path"])

    @property
    def ready(self) -> bool:
        return self._endpoints is not None or self.options.live

    def control(self):
        """A SimControl for the simulator (trainer actions, inbox); BackendError in live mode."""
        if self.options.live:
            raise BackendError("live mode: there is no simulator to control")
        endpoints = self.endpoints()
        with self._lock:
            if self._control is None:
                from panel_tui.sim.control import SimControl

                data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
                self._control = SimControl(data["control_url"], Path(data["ca_path"]))
            return self._control

    # -- clock -----------------------------------------------------------------------
    def sync_clock(self) -> None:
        """Follow the simulator's clock (it may have been advanced by a trainer)."""
        if self.options.live:
            return
        try:
            offset = checked_offset(self.control().now() - time.time())
        except (ValueError, TypeError) as error:
            raise BackendError(f"the simulator's clock is not a usable time: {error}") from None
        self.session_clock.offset = offset
        if isinstance(self.printer.clock, OffsetClock) and self.printer.clock is not self.session_clock:
            self.printer.clock.offset = offset

    def advance_clock(self, seconds: float) -> None:
        """Move simulated time for the simulator and this printer together."""
        self.control().advance_clock(seconds)
        self.sync_clock()

    def set_trust_sim_ca(self, trusted: bool) -> None:
        """Whether the simulator's CA counts as a system root (the trainer's "untrusted certificate")."""
        import dataclasses

        with self._lock:
            self.options = dataclasses.replace(self.options, trust_sim_ca=trusted)
            if self._jobs is not None:  # MailJobs reads its CA list on every send
                self._jobs.extra_ca_paths = (self._sim_ca_path(),) if trusted and not self.options.live else ()

    # -- mail ------------------------------------------------------------------------
    def provider(self, settings: EmailServerSettings):
        from panel_tui.mail.providers import provider_for

        return provider_for(settings.email_service, self.options.mode, endpoints=self.endpoints(),
                            client_id=self.options.client_id, tenant=self.options.tenant)

    def session_for(self, settings: EmailServerSettings) -> "OAuthSession":
        """The OAuth session of an email service (one token cache per printer profile)."""
        from panel_tui.mail.auth import OAuthSession

        provider = self.provider(settings)
        key = (provider.name, provider.authority, provider.client_id)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = OAuthSession(provider, self.printer.paths.token_cache_file, clock=self.session_clock)
                self._sessions[key] = session
            return session

    @property
    def jobs(self) -> "MailJobs":
        with self._lock:
            if self._jobs is None:
                from panel_tui.mail.jobs import MailJobs

                extra: tuple = ()
                if not self.options.live and self.options.trust_sim_ca:
                    extra = (self._sim_ca_path(),)
                self._jobs = MailJobs(self.printer, self.session_for, extra_ca_paths=extra)
            return self._jobs

    def signin_info(self, role: str = "email_server"):
        """The email server's sign-in state; "not signed in" while the cloud is not reachable yet."""
        from panel_tui.device.status_sheet import NOT_SIGNED_IN

        if not self.ready and self._thread is not None:
            try:
                self.endpoints(timeout=5)
            except BackendError:
                return NOT_SIGNED_IN
        try:
            return self.jobs.signin_info(role)
        except Exception:  # noqa: BLE001 - a status screen never fails because the cloud is down
            return NOT_SIGNED_IN


# -- opening a profile ------------------------------------------------------------------


def profile_backend_options(profile: str, options: BackendOptions | None = None) -> BackendOptions:
    """`options` (default BackendOptions()) with the profile's trust in the simulator's CA.

    A profile started as `untrusted-certificate` stays untrusted on the next start, until a
    CA certificate is imported or another scenario is chosen.
    """
    import dataclasses

    from panel_tui.device.paths import resolve_paths
    from panel_tui.device.trainer_state import trainer_state

    options = options or BackendOptions()
    if options.trust_sim_ca and not trainer_state(resolve_paths(profile))["simulator_ca_trusted"]:
        return dataclasses.replace(options, trust_sim_ca=False)
    return options


def open_backend(profile: str = "default", options: BackendOptions | None = None,
                 clock: Clock | None = None) -> tuple[Printer, Backend]:
    """Open the profile's printer and its backend (not started). Returns (printer, backend)."""
    from panel_tui.device.paths import resolve_paths, simulator_dir
    from panel_tui.device.printer import Printer

    options = profile_backend_options(profile, options)  # an untrusted-certificate profile stays so
    session_clock = OffsetClock(SystemClock())
    # In production the printer shows simulated time too; tests pass a fixed display clock.
    printer = Printer.open(resolve_paths(profile), clock=clock or session_clock)
    backend = Backend(printer, options or BackendOptions(), simulator_dir(), session_clock=session_clock)
    return printer, backend
