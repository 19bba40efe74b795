"""Running the simulator: in the current event loop, or in a background thread.

Importing this module is cheap (standard library only): the servers' libraries are
imported when the simulator starts, so an app can import it before its first frame
and start :class:`SimulatorThread` in the background.

    with SimulatorThread(data_dir) as endpoints:
        ...  # endpoints.authority, endpoints.smtp_port, endpoints.ca_path ...
"""
from __future__ import annotations

import asyncio
import threading
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from panel_tui.sim.endpoints import SimEndpoints

if TYPE_CHECKING:  # imported when the simulator starts: they load aiohttp, aiosmtpd and cryptography
    from panel_tui.sim.context import SimContext
    from panel_tui.sim.server import SimServer


class Simulator:
    """The whole simulator on the current asyncio loop.

    ``data_dir`` holds the CA, the signing key, the state and the Maildirs; ports 0 mean
    free ports. ``poll_interval`` is the device code ``interval`` answered (>= 1).
    """

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", http_port: int = 0,
                 smtp_port: int = 0, *, poll_interval: int = 1) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.http_port = http_port
        self.smtp_port = smtp_port
        self.poll_interval = poll_interval
        self.endpoints: SimEndpoints | None = None
        self._server: SimServer | None = None  # imported when started: it is heavy

    async def start(self) -> SimEndpoints:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        from panel_tui.sim.server import SimServer  # the heavy imports happen here

        server = SimServer(self.data_dir, self.host, self.http_port, self.smtp_port, self.poll_interval)
        self.endpoints = await server.start()
        self._server = server
        return self.endpoints

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await server.stop()

    @property
    def context(self) -> SimContext | None:
        """The running simulator's SimContext (state, faults, last activity); None when stopped."""
        return self._server.ctx if self._server is not None else None


class SimulatorThread:
    """A :class:`Simulator` in its own daemon thread with its own event loop.

    ``start()`` blocks until the simulator serves (or failed); ``start_background()``
    returns at once and ``wait(timeout)`` collects the endpoints later, so a UI can
    draw its first frame while the simulator comes up.
    """

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", http_port: int = 0,
                 smtp_port: int = 0, *, poll_interval: int = 1) -> None:
        self.simulator = Simulator(data_dir, host, http_port, smtp_port, poll_interval=poll_interval)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.endpoints: SimEndpoints | None = None

    def start_background(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the simulator thread was already started")
        self._thread = threading.Thread(target=self._run, name="m365-simulator", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = 30) -> SimEndpoints:
        """The endpoints once serving; raises what start-up raised, or TimeoutError."""
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the simulator did not start within {timeout} s")
        if self._error is not None:
            raise RuntimeError(f"the simulator failed to start: {self._error}") from self._error
        assert self.endpoints is not None
        return self.endpoints

    def start(self, timeout: float = 30) -> SimEndpoints:
        self.start_background()
        return self.wait(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.endpoints is not None

    def stop(self, timeout: float = 10) -> None:
        thread = self._thread
        if thread is None:
            return
        self._ready.wait(timeout)  # a stop right after start_background() must not be lost
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None

    def __enter__(self) -> SimEndpoints:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            asyncio.set_event_loop(loop)
            self._stop = asyncio.Event()
            try:
                self.endpoints = loop.run_until_complete(self.simulator.start())
            except BaseException as error:  # reported by wait()
                self._error = error
                return
            finally:
                self._ready.set()
            loop.run_until_complete(self._stop.wait())
            loop.run_until_complete(self.simulator.stop())
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
