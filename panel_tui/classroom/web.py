"""The class's web process: every seat's panel and the trainer's dashboard in a browser.

`python -m panel_tui.classroom.web` (started detached by `classroom start`) reads the class
file, listens on one port per seat plus one for the dashboard (free ports on the class's
host, loopback by default), writes them to web.json, and serves until SIGTERM. Each browser
tab gets its own panel process (textual-serve), as with `panel-tui serve`. Beyond loopback
each page needs its own key (keys.json, printed once by `classroom start`; panel_tui.web_access).
"""
from __future__ import annotations

import asyncio
import json
import shlex
import signal
import socket
import sys
from pathlib import Path

from aiohttp import web

from panel_tui.classroom.roster import ClassRoster, class_dir, load_keys
from panel_tui.device.atomic import write_atomically
from panel_tui.i18n import Translator
from panel_tui.serve import make_server, panel_command
from panel_tui.web_access import AccessPolicy, needs_key


def _listen(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class _KeptKeys:
    """The pages' keys as keys.json keeps them, read again only when the file changed
    (`classroom link SEAT` writes a new one)."""

    def __init__(self, folder) -> None:
        self.path = Path(folder) / "keys.json"
        self.stamp: tuple | None = None
        self.keys: dict[str, str] = {}

    def __call__(self) -> dict[str, str]:
        try:
            info = self.path.stat()
            stamp: tuple | None = (info.st_mtime_ns, info.st_size, info.st_ino)
        except OSError:
            stamp = None
        if stamp != self.stamp:
            self.stamp, self.keys = stamp, load_keys(self.path.parent)
        return self.keys


def commands(roster: ClassRoster) -> dict[str, str]:
    """What each port runs: a seat's panel, and the dashboard."""
    out = {seat.name: panel_command(profile=seat.name, lang=roster.lang, sim_url=roster.seat_sim_url())
           for seat in roster.seats}
    out["dashboard"] = " ".join(shlex.quote(w) for w in (sys.executable, "-m", "panel_tui", "--lang", roster.lang,
                                                         "classroom", "dashboard"))
    return out


async def serve(roster: ClassRoster, folder) -> None:
    keys = load_keys(folder)
    policy = AccessPolicy(roster.host, Translator.load(language=roster.lang).t, roster.lang,
                          keys=_KeptKeys(folder))
    runners = []
    ports: dict[str, int] = {}
    for name, command in commands(roster).items():
        if needs_key(roster.host) and not keys.get(name):
            raise SystemExit(f"panel_tui.classroom.web: no join key for {name} in {folder}: start the class again")
        page = policy.add(name, keys.get(name))
        sock = _listen(roster.host)
        port = sock.getsockname()[1]
        server = make_server(command, roster.host, port, title=f"panel-tui {name}", access=(policy, page))
        server.initialize_logging()
        runner = web.AppRunner(await server._make_app())
        await runner.setup()
        await web.SockSite(runner, sock).start()
        runners.append(runner)
        ports[name] = port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    write_atomically(folder / "web.json", json.dumps(ports) + "\n", mode=0o600)
    try:
        await stop.wait()
    finally:
        for runner in runners:
            await runner.cleanup()


def main() -> int:
    folder = class_dir()
    roster = ClassRoster.load(folder)
    if roster is None:
        print("panel_tui.classroom.web: no class in this home", file=sys.stderr)
        return 1
    asyncio.run(serve(roster, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
