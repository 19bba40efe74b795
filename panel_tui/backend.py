"""Wiring of one emulated printer to its mail backend and to Microsoft 365.

By default that is the home's simulator: one per PANEL_TUI_HOME, joined (or started as a
detached background service, panel_tui.sim.service) from a background thread so the panel's
first frame never waits for it. `--sim-url` joins another home's or machine's simulator
(trusting its CA with `--sim-ca FILE` or pinning `--sim-fingerprint SHA256`); `--live` talks
to the real Microsoft cloud. The panel and the scripting commands share this one object.
"""
from __future__ import annotations

import dataclasses
import os
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.clock import OffsetClock, SystemClock, checked_offset
from panel_tui.device.paths import resolve_paths, simulator_dir
from panel_tui.device.printer import Printer
from panel_tui.device.settings import EmailServerSettings
from panel_tui.device.status_sheet import NOT_SIGNED_IN
from panel_tui.device.trainer_state import trainer_state

if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeAlias

    from panel_tui.device.clock import Clock
    from panel_tui.device.status_sheet import SignInInfo
    from panel_tui.mail.auth import OAuthSession
    from panel_tui.mail.jobs import MailJobs
    from panel_tui.mail.providers import Mode, Provider
    from panel_tui.sim.client import PageSignIn, SeededAccount, SimControl, SimEndpoints
    from panel_tui.sim.runtime import SimulatorThread
    from panel_tui.sim.service import ClientLease

    # A simulator's endpoints: the record, or its JSON object as a simulator elsewhere published it.
    Endpoints: TypeAlias = SimEndpoints | dict[str, Any]


class BackendError(Exception):
    """The backend cannot be reached or configured; the message says what to do."""


@dataclass(frozen=True)
class BackendOptions:
    """How this printer reaches Microsoft 365."""

    live: bool = False
    sim_url: str | None = None  # a standalone simulator, e.g. https://127.0.0.1:8443
    client_id: str | None = None  # live mode: the app registration's application (client) id
    tenant: str | None = None  # Exchange Online's tenant id or domain (live; in the simulator: where to sign in)
    sim_tenant: str | None = None  # a class's seat: its own simulated tenant, for sign-ins and control calls
    trust_sim_ca: bool = True  # the simulator plays the public cloud: its CA counts as a system root
    sim_ca: str | None = None  # --sim-url: the simulator's CA certificate file (`panel-tui sim` names it)
    sim_fingerprint: str | None = None  # --sim-url: the CA's SHA-256 fingerprint to pin instead

    @property
    def mode(self) -> Mode:
        return "live" if self.live else "sim"

    @property
    def embedded(self) -> bool:
        return not self.live and not self.sim_url


class Backend:
    """One printer's way to the cloud: endpoints, OAuth sessions, mail jobs, simulator control."""

    def __init__(self, printer: Printer, options: BackendOptions, sim_dir: Path,
                 session_clock: OffsetClock | None = None) -> None:
        self.printer = printer
        self.options = options
        self.sim_dir = Path(sim_dir)
        # The OAuth sessions judge token lifetimes on the simulator's clock (it can jump).
        self.session_clock = session_clock or OffsetClock(SystemClock())
        self._thread: threading.Thread | None = None  # joins (or starts) the home's simulator in the background
        self._joining = False  # a join began (in that thread or in the caller's)
        self._joined = threading.Event()
        self._join_error: str | None = None
        self._lease: ClientLease | None = None  # the home's simulator stays up while we use it
        self._local_sim: SimulatorThread | None = None  # where locks are not available (Windows)
        self._stopped = False
        self._home_endpoints: Endpoints | None = None
        self._endpoints: Endpoints | None = None
        self._sessions: dict[tuple[str, str, str], OAuthSession] = {}
        self._jobs: MailJobs | None = None
        self._lock = threading.RLock()
        self._lease_lock = threading.Lock()  # the join thread's hand-over; never held while waiting
        self._control: SimControl | None = None
        printer.signin_provider = self.signin_info

    # -- lifecycle -------------------------------------------------------------------
    def start(self, background: bool = True) -> None:
        """Join (or start) the home's simulator: in the background, returning at once (the panel,
        before its first frame), or in this thread (a caller that would only wait for it)."""
        with self._lock:
            if not self.options.embedded or self._joining or self._stopped:
                return
            self._joining = True
            if background:
                self._thread = threading.Thread(target=self._join_home_simulator, name="join-simulator",
                                                daemon=True)
        if background and self._thread is not None:
            self._thread.start()
        else:
            self._join_home_simulator()

    def _join_home_simulator(self) -> None:
        from panel_tui.sim import service

        try:
            if not service.SUPPORTED:
                from panel_tui.sim.runtime import SimulatorThread

                local = self._local_sim = SimulatorThread(self.sim_dir)
                self._home_endpoints = local.start()
                return
            lease = service.ClientLease(self.sim_dir)
            try:
                info = service.ensure_running(self.sim_dir)
            except BaseException:
                lease.release()
                raise
            # Not self._lock: endpoints() may be waiting for us while holding it (jobs, control).
            with self._lease_lock:
                if self._stopped:  # stop() came while we were joining
                    lease.release()
                    return
                self._lease = lease
            from panel_tui.sim.client import SimEndpoints

            self._home_endpoints = SimEndpoints.from_dict(info.endpoints)
        except Exception as error:  # noqa: BLE001 - reported by endpoints() with what to do
            self._join_error = str(error)
        finally:
            self._joined.set()

    def stop(self) -> None:
        """Leave the simulator (the home's keeps serving the others; it stops when idle)."""
        with self._lock, self._lease_lock:
            self._stopped = True
            control, self._control = self._control, None
            lease, self._lease = self._lease, None
            local, self._local_sim = self._local_sim, None
        if control is not None:
            control.close()
        if lease is not None:
            lease.release()
        if local is not None:
            local.stop()

    # -- endpoints -------------------------------------------------------------------
    def endpoints(self, timeout: float = 60.0) -> Endpoints | None:
        """The simulator's endpoints (waits for the home's to be up); None in live mode."""
        if self.options.live:
            return None
        with self._lock:
            if self._endpoints is not None and self._lease is not None:
                self._follow_home_simulator()
            if self._endpoints is not None:
                return self._endpoints
            if self.options.sim_url:
                self._endpoints = self._fetch_endpoints(self.options.sim_url, timeout)
        if self._endpoints is None:
            self.start(background=False)  # unless the panel's background join began already
            if not self._joining:
                raise BackendError("this printer's backend is stopped")
            if not self._joined.wait(timeout):
                raise BackendError(f"the simulator did not start within {timeout:.0f} s")
            if self._join_error is not None:
                raise BackendError(self._join_error)
            with self._lock:
                if self._endpoints is None:
                    self._endpoints = self._home_endpoints
        self.sync_clock()
        return self._endpoints

    def _follow_home_simulator(self) -> None:
        """The home's simulator was stopped (`panel-tui sim stop`) or replaced: join the one
        serving now, starting it again if needed (its state, tokens and clock persist)."""
        from panel_tui.sim import service
        from panel_tui.sim.client import SimEndpoints

        info = service.RuntimeInfo.read(self.sim_dir)
        current = self._endpoints
        assert current is not None  # endpoints() follows a simulator it joined
        current_url = current["base_url"] if isinstance(current, dict) else current.base_url
        if info is not None and info.base_url == current_url and _process_alive(info.pid):
            return
        try:
            info = service.ensure_running(self.sim_dir)
        except service.SimServiceError as error:
            raise BackendError(str(error)) from None
        self._endpoints = SimEndpoints.from_dict(info.endpoints)
        control, self._control = self._control, None
        if control is not None:
            control.close()
        self.sync_clock()

    def _fetch_endpoints(self, url: str, timeout: float) -> dict[str, Any]:
        """Join the simulator at ``url``: trust its CA (this home's, --sim-ca, or the pinned
        --sim-fingerprint), and read its endpoints; the CA path is the local copy."""
        import requests

        url = url.rstrip("/")
        ca = self._trusted_ca(url, timeout)
        session = requests.Session()
        session.trust_env = False
        try:
            reply = session.get(url + "/_sim/endpoints", timeout=timeout, verify=str(ca) if ca else True)
            reply.raise_for_status()
            data: dict[str, Any] = reply.json()
        except requests.exceptions.SSLError as error:
            raise BackendError(_untrusted_sim_message(url, error)) from None
        except BackendError:
            raise
        except Exception as error:  # noqa: BLE001
            raise BackendError(
                f"cannot reach the simulator at {url}: {error}. Start one with `panel-tui sim` "
                f"(it prints its URL) and pass that URL to --sim-url."
            ) from None
        finally:
            session.close()
        if ca is not None:
            data["ca_path"] = str(ca)  # the simulator's own path may be on another machine or home
        return data

    def _trusted_ca(self, url: str, timeout: float) -> Path | None:
        """The CA file to verify ``url`` with; None: the system's roots."""
        if self.options.sim_ca:
            ca = Path(self.options.sim_ca).expanduser().resolve()
            if not ca.is_file():
                raise BackendError(f"--sim-ca {self.options.sim_ca}: no such file (copy the simulator's "
                                   "CA certificate, whose path `panel-tui sim` prints)")
            return ca
        if self.options.sim_fingerprint:
            return self._pinned_ca(url, self.options.sim_fingerprint, timeout)
        own = self.sim_dir / "pki" / "ca.pem"
        return own if own.exists() else None

    def _pinned_ca(self, url: str, fingerprint: str, timeout: float) -> Path:
        """Fetch the simulator's CA certificate and keep it only if its SHA-256 is ``fingerprint``."""
        import hashlib
        import warnings

        import requests

        wanted = normalise_fingerprint(fingerprint)
        if wanted is None:
            raise BackendError(f"--sim-fingerprint {fingerprint!r} is not a SHA-256 fingerprint: 64 hex "
                               "digits, colons allowed (as `panel-tui sim` prints it)")
        session = requests.Session()
        session.trust_env = False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unverified on purpose: the pin is checked below
                reply = session.get(url + "/_sim/ca.pem", timeout=timeout, verify=False)
            reply.raise_for_status()
            der = ssl.PEM_cert_to_DER_cert(reply.text)
        except Exception as error:  # noqa: BLE001
            raise BackendError(f"cannot fetch the simulator's CA certificate from {url}: {error}") from None
        finally:
            session.close()
        got = hashlib.sha256(der).hexdigest()
        if got != wanted:
            raise BackendError(
                f"the simulator at {url} presents a CA whose SHA-256 fingerprint is {format_fingerprint(got)}, "
                f"not the {format_fingerprint(wanted)} given with --sim-fingerprint: not joining it")
        path = self.printer.paths.cache_dir / f"simulator-ca-{got[:16]}.pem"
        path.write_text(ssl.DER_cert_to_PEM_cert(der), encoding="ascii")
        return path

    def use_endpoints(self, endpoints: Endpoints) -> None:
        """Join a simulator already running in this process (tests, the trainer's classroom)."""
        with self._lock:
            self._endpoints = endpoints
        self.sync_clock()

    def _sim_ca_path(self) -> Path:
        endpoints = self.endpoints()
        if endpoints is None:
            raise BackendError("live mode: there is no simulator CA")
        data = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
        return Path(data["ca_path"])

    @property
    def ready(self) -> bool:
        return self._endpoints is not None or self.options.live

    def control(self) -> SimControl:
        """A SimControl for the simulator (trainer actions, inbox); BackendError in live mode.

        It authenticates with the control secret file the simulator's endpoints name (readable
        by the simulator's owner only)."""
        if self.options.live:
            raise BackendError("live mode: there is no simulator to control")
        endpoints = self.endpoints()
        if endpoints is None:
            raise BackendError("live mode: there is no simulator to control")
        with self._lock:
            if self._control is None:
                from panel_tui.sim.client import SimControl

                self._control = SimControl.for_endpoints(endpoints, tenant=self.options.sim_tenant)
            return self._control

    def panel_signin_pages(self) -> PageSignIn | None:
        """The simulator's sign-in pages, for a sign-in the panel shows on its own screens (To My
        Email); None in live mode, where Microsoft's pages need a browser (the device code then)."""
        if self.options.live:
            return None
        import requests

        from panel_tui.sim.client import PageSignIn

        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=
        session.verify = str(self._sim_ca_path())
        return PageSignIn(session)

    # -- clock -----------------------------------------------------------------------
    def sync_clock(self) -> None:
        """Follow the simulator's clock (it may have been advanced by a trainer).

        The home's simulator publishes its clock's offset in its runtime file, rewritten before
        it answers the request that moved the clock: read there, no request (and no HTTP client
        to import) per command. Another simulator (--sim-url, one in this process) is asked.
        """
        if self.options.live:
            return
        try:
            published = self._published_clock_offset()
            offset = checked_offset(self.control().now() - time.time() if published is None else published)
        except (ValueError, TypeError) as error:
            raise BackendError(f"the simulator's clock is not a usable time: {error}") from None
        self.session_clock.offset = offset
        if isinstance(self.printer.clock, OffsetClock) and self.printer.clock is not self.session_clock:
            self.printer.clock.offset = offset

    def _published_clock_offset(self) -> float | None:
        """The clock offset in the runtime file of the home's simulator we joined (same machine,
        same time.time()); None if we joined another simulator or it publishes none."""
        if self._lease is None:
            return None
        from panel_tui.sim import service

        info = service.RuntimeInfo.read(self.sim_dir)
        endpoints = self._endpoints
        if info is None or info.clock_offset is None or endpoints is None:
            return None
        url = endpoints["base_url"] if isinstance(endpoints, dict) else endpoints.base_url
        return info.clock_offset if info.base_url == url else None

    def advance_clock(self, seconds: float) -> None:
        """Move simulated time for the simulator and this printer together."""
        self.control().advance_clock(seconds)
        self.sync_clock()

    def set_trust_sim_ca(self, trusted: bool) -> None:
        """Whether the simulator's CA counts as a system root (the trainer's "untrusted certificate")."""
        with self._lock:
            self.options = dataclasses.replace(self.options, trust_sim_ca=trusted)
            if self._jobs is not None:  # MailJobs reads its CA list on every send
                self._jobs.extra_ca_paths = (self._sim_ca_path(),) if trusted and not self.options.live else ()

    # -- mail ------------------------------------------------------------------------
    def provider(self, settings: EmailServerSettings) -> Provider:
        from panel_tui.mail.providers import provider_for

        return provider_for(settings.email_service, self.options.mode, endpoints=self.endpoints(),
                            client_id=self.options.client_id, tenant=self.options.tenant)

    def session_for(self, settings: EmailServerSettings) -> OAuthSession:
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
    def jobs(self) -> MailJobs:
        extra: tuple[Path, ...] = ()
        if self._jobs is None and not self.options.live and self.options.trust_sim_ca:
            # Outside the lock: it may wait for the join thread, which takes the lock.
            extra = (self._sim_ca_path(),)
        with self._lock:
            if self._jobs is None:
                from panel_tui.mail.jobs import MailJobs

                self._jobs = MailJobs(self.printer, self.session_for, extra_ca_paths=extra)
            return self._jobs

    def signin_info(self, role: str = "email_server") -> SignInInfo:
        """The email server's sign-in state; "not signed in" while the cloud is not reachable yet."""
        if not self.ready and self._joining:
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
    """`options` (default BackendOptions()) with the profile's trust in the simulator's CA, and
    a class's seat's own simulated tenant (its sign-ins and its control calls go there).

    A profile started as `untrusted-certificate` stays untrusted on the next start, until a
    CA certificate is imported or another scenario is chosen.
    """
    options = options or BackendOptions()
    state = trainer_state(resolve_paths(profile))
    if options.trust_sim_ca and not state["simulator_ca_trusted"]:
        options = dataclasses.replace(options, trust_sim_ca=False)
    if not options.live and not options.tenant and state.get("sim_tenant"):
        # a class's seat signs in to its own tenant, and its control calls work on it
        options = dataclasses.replace(options, tenant=state["sim_tenant"], sim_tenant=state["sim_tenant"])
    return options


def open_backend(profile: str = "default", options: BackendOptions | None = None,
                 clock: Clock | None = None) -> tuple[Printer, Backend]:
    """Open the profile's printer and its backend (not started). Returns (printer, backend)."""
    options = profile_backend_options(profile, options)  # an untrusted-certificate profile stays so
    session_clock = OffsetClock(SystemClock())
    # In production the printer shows simulated time too; tests pass a fixed display clock.
    printer = Printer.open(resolve_paths(profile), clock=clock or session_clock)
    backend = Backend(printer, options or BackendOptions(), simulator_dir(), session_clock=session_clock)
    return printer, backend


def seeded_accounts() -> tuple[SeededAccount, ...]:
    """The simulator's seeded users (administrator, the printer's mailbox, a colleague), for the
    screens' recipes: the UI reaches the simulator through this layer, never directly."""
    from panel_tui.sim.client import SEEDED_ACCOUNTS

    return SEEDED_ACCOUNTS


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def normalise_fingerprint(text: str) -> str | None:
    """``AB:CD:...`` (any case, colons, spaces or a ``sha256:`` prefix) as 64 lowercase hex digits."""
    value = text.strip().lower()
    if value.startswith(("sha256:", "sha256=")):
        value = value[7:]
    value = value.replace(":", "").replace(" ", "")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        return None
    return value


def format_fingerprint(hex_digits: str) -> str:
    return ":".join(hex_digits[i:i + 2] for i in range(0, len(hex_digits), 2)).upper()


def _untrusted_sim_message(url: str, error: Exception) -> str:
    return (f"cannot verify the certificate of the simulator at {url} (CERTIFICATE_VERIFY_FAILED: it is not "
            "this home's simulator). Trust its CA: add --sim-ca FILE (a copy of the CA certificate file "
            "`panel-tui sim` prints) or --sim-fingerprint SHA256 (the CA SHA-256 fingerprint `panel-tui sim` "
            f"prints). Details: {error}")
