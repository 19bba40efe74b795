"""One simulator per home: found through a runtime file, started as a detached service.

The first process of a home that needs the simulator starts it in the background (its own
process and session, stdin/stdout/stderr away from the starter's, like ``ssh-agent``);
every later process (panels, scriptable commands, ``serve``, other profiles) reads the
runtime file and joins it. A ``panel-tui sim`` started by hand is that home's simulator too.

Files in the simulator's data directory::

    runtime.json     who serves: pid, URLs, CA, CA fingerprint, control secret file, log, and
                     the simulated clock's offset (rewritten whenever the clock moves: the
                     processes of this machine follow the clock without asking over HTTPS)
    simulator.lock   held (flock, exclusive) by the serving simulator for its whole life:
                     free means nobody serves, whatever runtime.json says (a stale file)
    start.lock       serialises "is one serving? if not, start one" between processes
    clients.lock     held shared by every process using the simulator; the service stops
                     after PANEL_TUI_SIM_IDLE seconds with no holder and no request
    simulator.log    the service's output

Importing this module is cheap (the standard library; the servers load when a simulator starts).
"""
from __future__ import annotations

import argparse
import asyncio
import errno
import json
import math
import os
import select
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Generator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import panel_tui
from panel_tui.sim.atomic_file import write_bytes_atomic
from panel_tui.sim.runtime import Simulator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: each process embeds its own simulator
    fcntl = None  # type: ignore[assignment]

RUNTIME_FILE = "runtime.json"
LOCK_FILE = "simulator.lock"
START_LOCK_FILE = "start.lock"
CLIENTS_LOCK_FILE = "clients.lock"
LOG_FILE = "simulator.log"
IDLE_ENV = "PANEL_TUI_SIM_IDLE"
DEFAULT_IDLE = 900.0  # seconds without a client or a request before the service stops
START_TIMEOUT = 60.0
LOG_MAX_BYTES = 1024 * 1024
SUPPORTED = fcntl is not None


class SimServiceError(RuntimeError):
    """The home's simulator cannot be started or reached; the message says what to do."""


def idle_seconds() -> float:
    """The idle timeout from PANEL_TUI_SIM_IDLE (seconds; 0 or less: never stop)."""
    raw = os.environ.get(IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_IDLE
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_IDLE
    return value if value == value and value != float("inf") else DEFAULT_IDLE


@dataclass(frozen=True)
class RuntimeInfo:
    """What runtime.json says about the simulator serving a home."""

    pid: int
    mode: str          # "service" (started on demand) or "foreground" (`panel-tui sim` by hand)
    endpoints: Mapping[str, Any]  # SimEndpoints.to_dict() (as read back from JSON)
    fingerprint: str   # SHA-256 of the CA certificate, AB:CD:...
    started_at: float
    idle_timeout: float  # seconds; 0: never stops by itself
    log_path: str
    # The simulated clock minus time.time() (None: a simulator that does not publish it).
    clock_offset: float | None = None

    @property
    def base_url(self) -> str:
        return str(self.endpoints["base_url"])

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, sort_keys=True)

    @classmethod
    def read(cls, sim_dir: Path) -> RuntimeInfo | None:
        """runtime.json of ``sim_dir`` (not checked for life); None if absent or unreadable."""
        try:
            data = json.loads((Path(sim_dir) / RUNTIME_FILE).read_text(encoding="utf-8"))
            return cls(int(data["pid"]), str(data["mode"]), dict(data["endpoints"]), str(data["fingerprint"]),
                       float(data["started_at"]), float(data["idle_timeout"]), str(data["log_path"]),
                       _clock_offset(data.get("clock_offset")))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _clock_offset(value: object) -> float | None:
    """A published clock offset, or None when it is absent or not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


# ---- locks ------------------------------------------------------------------------------------


def open_own_file(path: Path, flags: int) -> int:
    """Open a file of the simulator's home for writing, never through a symbolic link planted
    there (O_NOFOLLOW): SimServiceError names the file instead."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise SimServiceError(f"{path} is a symbolic link; the simulator writes only its own files "
                                  "there: remove the link, then try again") from None
        raise


def _open_lock(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_own_file(path, os.O_RDWR | os.O_CREAT)


@contextmanager
def _held(path: Path, operation: int) -> Generator[int, None, None]:
    fd = _open_lock(path)
    try:
        fcntl.flock(fd, operation)
        yield fd
    finally:
        os.close(fd)


def _try_lock(path: Path, operation: int) -> int | None:
    """The fd holding ``operation`` (non-blocking) on ``path``, or None when someone else holds it."""
    fd = _open_lock(path)
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def is_serving(sim_dir: Path) -> bool:
    """Whether a simulator process holds this home's simulator lock (alive, whatever it answers)."""
    if not SUPPORTED:
        return False
    fd = _try_lock(Path(sim_dir) / LOCK_FILE, fcntl.LOCK_EX)
    if fd is None:
        return True
    os.close(fd)
    return False


def wait_until_stopped(sim_dir: Path, timeout: float) -> bool:
    """Wait until no simulator holds the home's lock (or ``timeout``); True if it is free.

    Waits on the serving process's exit (a pidfd) where it can; never takes the lock itself,
    so a simulator starting meanwhile is not refused.
    """
    deadline = time.monotonic() + timeout
    while is_serving(sim_dir):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        info = RuntimeInfo.read(sim_dir)
        if not _wait_for_exit(info.pid if info else None, min(left, 1.0)):
            time.sleep(min(left, 0.05))  # no pid to wait on (or no pidfd): look again shortly
    return True


def _wait_for_exit(pid: int | None, timeout: float) -> bool:
    """Block until process ``pid`` exits (or ``timeout``); False when that cannot be waited on."""
    if pid is None or not hasattr(os, "pidfd_open"):
        return False
    try:
        fd = os.pidfd_open(pid)
    except OSError:  # already gone, or not ours to watch: the caller looks at the lock again shortly
        return False
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return True


class ClientLease:
    """A process using the home's simulator: while held, the service does not stop for idleness."""

    def __init__(self, sim_dir: Path) -> None:
        self._fd: int | None = None
        if SUPPORTED:
            self._fd = _open_lock(Path(sim_dir) / CLIENTS_LOCK_FILE)
            # Blocks only while an idle service is shutting down (it holds the lock exclusively).
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


# ---- finding or starting the home's simulator -------------------------------------------------


def _answers(info: RuntimeInfo, timeout: float = 5.0) -> bool:
    """Whether the simulator of ``info`` answers its public endpoint with its own CA."""
    import urllib.request  # ~7 ms on the panel's start path; needed only when a serving simulator must be asked

    try:
        context = ssl.create_default_context(cafile=info.endpoints["ca_path"])
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
        control = str(info.endpoints.get("control_url") or info.base_url + "/_sim")  # loopback
        with opener.open(control + "/endpoints", timeout=timeout) as reply:
            status: int = reply.status
            return status == 200
    except (OSError, ValueError, KeyError):
        return False


def _process_alive(pid: int) -> bool:
    if pid <= 0:  # 0 and negative numbers name process groups, not a simulator
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except (OverflowError, ValueError):
        return False
    return True


def running(sim_dir: Path) -> RuntimeInfo | None:
    """The simulator serving ``sim_dir`` if one is alive (its lock held) and has said where."""
    info = RuntimeInfo.read(sim_dir)
    if info is None or not is_serving(sim_dir):
        return None
    return info


def ensure_running(sim_dir: Path, timeout: float = START_TIMEOUT) -> RuntimeInfo:
    """The home's simulator, started in the background when nobody serves it yet.

    A stale runtime file (its simulator died) is replaced. Hold a :class:`ClientLease`
    first so an idle service does not stop between this call and the use.
    """
    sim_dir = Path(sim_dir).absolute()  # the service runs in its own folder: no relative paths
    if not SUPPORTED:
        raise SimServiceError("a background simulator needs file locks (fcntl), which this platform lacks")
    info = RuntimeInfo.read(sim_dir)
    # The lock held and the file's process alive: the file is the serving simulator's (a simulator
    # removes a stale file when it claims the lock, and writes its own before anyone may start
    # another). No request to it: every command of the home passes here.
    if info is not None and is_serving(sim_dir) and _process_alive(info.pid):
        return info
    with _held(sim_dir / START_LOCK_FILE, fcntl.LOCK_EX):
        info = RuntimeInfo.read(sim_dir)
        if is_serving(sim_dir):
            if info is not None and _answers(info, timeout=min(timeout, 15.0)):
                return info
            # Nobody starts one while we hold the start lock: this one is stopping, or hangs.
            if not wait_until_stopped(sim_dir, min(timeout, 15.0)):
                pid = f" (pid {info.pid})" if info else ""
                raise SimServiceError(
                    f"the simulator of this home{pid} is running but does not answer; "
                    f"stop it with `panel-tui sim stop`, then try again (its log: {sim_dir / LOG_FILE})")
        (sim_dir / RUNTIME_FILE).unlink(missing_ok=True)  # stale: its simulator is gone
        return _spawn(sim_dir, timeout)


def _package_root() -> str:
    return str(Path(panel_tui.__file__).resolve().parent.parent)


def _open_log(sim_dir: Path) -> int:
    log = sim_dir / LOG_FILE
    with suppress(OSError):
        if log.lstat().st_size > LOG_MAX_BYTES:
            log.replace(log.with_name(LOG_FILE + ".1"))
    return open_own_file(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)


def _spawn(sim_dir: Path, timeout: float) -> RuntimeInfo:
    """Start the service detached and wait for its word on the readiness pipe."""
    read_end, write_end = os.pipe()
    log_fd = _open_log(sim_dir)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_package_root(), env.get("PYTHONPATH")]))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "panel_tui.sim.service", "--data-dir", str(sim_dir),
             "--ready-fd", str(write_end), "--idle", str(idle_seconds())],
            stdin=subprocess.DEVNULL, stdout=log_fd, stderr=log_fd, pass_fds=(write_end,),
            start_new_session=True, close_fds=True, cwd=str(sim_dir), env=env,
        )
    except OSError as error:
        os.close(read_end)
        raise SimServiceError(f"cannot start the simulator: {error}") from None
    finally:
        os.close(write_end)
        os.close(log_fd)
    try:
        proc.wait(timeout=timeout)  # the first process only forks the service and exits
        word = _read_word(read_end, timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        word = ""
    finally:
        os.close(read_end)
    if word.startswith("ok "):
        info = RuntimeInfo.read(sim_dir)
        if info is not None:
            return info
    problem = word[len("error "):] if word.startswith("error ") else (
        f"it did not report ready within {timeout:.0f} s")
    raise SimServiceError(f"the simulator did not start: {problem} (its log: {sim_dir / LOG_FILE})")


def _read_word(fd: int, timeout: float) -> str:
    """Everything written to the readiness pipe until it closes (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace").strip()


def stop(sim_dir: Path, timeout: float = 20.0) -> RuntimeInfo | None:
    """Stop the home's simulator (service or started by hand); the info of the one stopped.

    One being started (a panel's, under the start lock) is waited for, then stopped too."""
    sim_dir = Path(sim_dir)
    if not SUPPORTED:
        return None
    deadline = time.monotonic() + timeout
    fd = _try_lock(sim_dir / START_LOCK_FILE, fcntl.LOCK_EX)
    while fd is None and time.monotonic() < deadline:
        time.sleep(0.05)  # a start under way: it holds the lock until its simulator serves or fails
        fd = _try_lock(sim_dir / START_LOCK_FILE, fcntl.LOCK_EX)
    try:
        return _stop_serving(sim_dir, max(1.0, deadline - time.monotonic()))
    finally:
        if fd is not None:
            os.close(fd)


def _stop_serving(sim_dir: Path, timeout: float) -> RuntimeInfo | None:
    info = RuntimeInfo.read(sim_dir)
    if not is_serving(sim_dir):
        if info is not None:
            (sim_dir / RUNTIME_FILE).unlink(missing_ok=True)
        return None
    if info is None:
        # A simulator still starting holds its lock before it writes where it serves: wait for it.
        deadline = time.monotonic() + timeout
        while info is None and is_serving(sim_dir) and time.monotonic() < deadline:
            time.sleep(0.05)
            info = RuntimeInfo.read(sim_dir)
        if info is None:
            if not is_serving(sim_dir):
                return None
            raise SimServiceError(f"a simulator holds {sim_dir / LOCK_FILE} but wrote no {RUNTIME_FILE}; "
                                  "stop that process by hand")
    with suppress(ProcessLookupError):
        os.kill(info.pid, signal.SIGTERM)
    if not wait_until_stopped(sim_dir, timeout):
        with suppress(ProcessLookupError):
            os.kill(info.pid, signal.SIGKILL)
        if not wait_until_stopped(sim_dir, 10.0):
            raise SimServiceError(f"the simulator (pid {info.pid}) did not stop")
        (sim_dir / RUNTIME_FILE).unlink(missing_ok=True)
    return info


# ---- the serving side -------------------------------------------------------------------------


class HomeSimulator:
    """The serving half: takes the home's lock, serves, writes runtime.json, and cleans up.

    ``claim()`` first (False: another simulator serves this home), then ``await start()``,
    ``await run_until(stop_event)`` and ``await close()``.
    """

    def __init__(self, sim_dir: Path, *, mode: str, host: str = "127.0.0.1", http_port: int = 0,
                 smtp_port: int = 0, idle_timeout: float = 0.0) -> None:
        self.sim_dir = Path(sim_dir)
        self.mode = mode
        self.idle_timeout = max(0.0, idle_timeout)
        self.simulator = Simulator(self.sim_dir, host=host, http_port=http_port, smtp_port=smtp_port)
        self.info: RuntimeInfo | None = None
        self._lock_fd: int | None = None

    def claim(self) -> bool:
        if not SUPPORTED:
            return True
        self._lock_fd = _try_lock(self.sim_dir / LOCK_FILE, fcntl.LOCK_EX)
        if self._lock_fd is None:
            return False
        # The lock was free: a runtime file left now is a dead simulator's. Gone before we serve,
        # so "lock held and a runtime file" always means the file of the one holding the lock.
        (self.sim_dir / RUNTIME_FILE).unlink(missing_ok=True)
        return True

    async def start(self) -> RuntimeInfo:
        from panel_tui.sim.pki import ca_fingerprint  # cryptography: only the serving process needs it

        endpoints = await self.simulator.start()
        ctx = self.simulator.context
        assert ctx is not None  # it serves now
        state = ctx.state
        self.info = RuntimeInfo(
            pid=os.getpid(), mode=self.mode, endpoints=endpoints.to_dict(),
            fingerprint=ca_fingerprint(endpoints.ca_path), started_at=time.time(),
            idle_timeout=self.idle_timeout, log_path=str(self.sim_dir / LOG_FILE),
            clock_offset=state.clock.offset,
        )
        write_bytes_atomic(self.sim_dir / RUNTIME_FILE, self.info.to_json().encode("utf-8"), mode=0o600)
        # Rewritten before the request that moved the clock is answered: whoever moved it, and
        # every process that reads the file afterwards, sees the new time.
        state.clock_listeners.append(self._publish_clock)
        return self.info

    def _publish_clock(self, offset: float) -> None:
        if self.info is None:
            return
        self.info = replace(self.info, clock_offset=offset)
        write_bytes_atomic(self.sim_dir / RUNTIME_FILE, self.info.to_json().encode("utf-8"), mode=0o600)

    async def run_until(self, stop_event: asyncio.Event) -> None:
        """Serve until ``stop_event`` is set or, for a service, the home stays idle long enough."""
        if not self.idle_timeout:
            await stop_event.wait()
            return
        check = min(max(self.idle_timeout / 4, 0.1), 30.0)
        ctx = self.simulator.context
        assert ctx is not None, "run_until() comes after start()"
        while not stop_event.is_set():
            with suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), check)
            if time.monotonic() - ctx.last_activity >= self.idle_timeout and self._nobody_attached():
                return

    def _nobody_attached(self) -> bool:
        if not SUPPORTED:
            return False
        fd = _try_lock(self.sim_dir / CLIENTS_LOCK_FILE, fcntl.LOCK_EX)
        if fd is None:
            return False
        # Kept until the process exits: a client arriving now waits, then starts a new simulator.
        self._clients_fd = fd
        return True

    async def close(self) -> None:
        self.info = None  # a clock move answered while stopping must not write the file again
        info = RuntimeInfo.read(self.sim_dir)
        if info is not None and info.pid == os.getpid():
            (self.sim_dir / RUNTIME_FILE).unlink(missing_ok=True)
        await self.simulator.stop()
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)


def start_lock(sim_dir: Path) -> AbstractContextManager[int | None]:
    """The start lock, for ``panel-tui sim`` started by hand (it claims the home under it)."""
    if not SUPPORTED:
        return nullcontext()
    return _held(Path(sim_dir) / START_LOCK_FILE, fcntl.LOCK_EX)


def _service_main(argv: list[str]) -> int:
    """The detached service: fork once more (the starter reaps the first child), then serve."""
    parser = argparse.ArgumentParser(prog="panel_tui.sim.service")
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    parser.add_argument("--idle", type=float, default=DEFAULT_IDLE)
    args = parser.parse_args(argv)
    if os.fork():
        os._exit(0)

    def tell(word: str) -> None:
        try:
            os.write(args.ready_fd, word.encode("utf-8", "replace"))
        except OSError:  # the starter is gone; serve anyway
            pass
        finally:
            with suppress(OSError):
                os.close(args.ready_fd)

    async def serve() -> int:
        home = HomeSimulator(args.data_dir, mode="service", idle_timeout=args.idle)
        if not home.claim():
            tell("error another simulator already serves this home")
            return 1
        try:
            info = await home.start()
        except Exception as error:  # noqa: BLE001 - said to the starter, who shows it
            tell(f"error {error}")
            await home.close()
            print(f"cannot start: {error}", file=sys.stderr, flush=True)
            return 1
        stop_event = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(signum, stop_event.set)
        print(f"serving {info.base_url} (pid {info.pid}, idle timeout {args.idle:g} s)", file=sys.stderr, flush=True)
        tell(f"ok {info.base_url}")
        try:
            await home.run_until(stop_event)
        finally:
            await home.close()
        print(f"stopped (pid {info.pid})", file=sys.stderr, flush=True)
        return 0

    return asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(_service_main(sys.argv[1:]))
