"""`panel-tui serve`: the panel in a web browser through textual-serve, for projecting in a room.

Every browser tab gets its own panel process (`python -m panel_tui` with the same profile,
language and simulator options), drawn by textual-serve's terminal page. Loopback by
default; binding elsewhere is allowed with a warning, since anyone who can reach the port
can drive the printer (and its administrator pages).

The page textual-serve ships links a web font from Google; the page served here drops that
link, so a classroom without internet (or a reviewer who wants nothing fetched) sees the
same panel, in the browser's own monospace font.
"""
from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
_EXTERNAL_STYLESHEET = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/>\s*", re.S)


def is_loopback(host: str) -> bool:
    from panel_tui.sim.cli import is_loopback_host

    return is_loopback_host(host)


def panel_command(profile: str = "default", lang: str | None = None, sim_url: str | None = None,
                  live: bool = False, client_id: str | None = None, tenant: str | None = None) -> str:
    """The shell command textual-serve runs for each browser tab (quoted; no shell tricks pass)."""
    words = [sys.executable, "-m", "panel_tui", "--profile", profile]
    if lang:
        words += ["--lang", lang]
    if sim_url:
        words += ["--sim-url", sim_url]
    if live:
        words.append("--live")
    if client_id:
        words += ["--client-id", client_id]
    if tenant:
        words += ["--tenant", tenant]
    return " ".join(shlex.quote(word) for word in words)


def make_server(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, title: str = "panel-tui"):
    """A textual_serve Server for `command` whose page needs nothing from outside this host."""
    import aiohttp_jinja2
    import jinja2
    from textual_serve.server import Server

    class PanelServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            page = (Path(self.templates_path) / "app_index.html").read_text(encoding="utf-8")
            loader = jinja2.DictLoader({"app_index.html": _EXTERNAL_STYLESHEET.sub("", page)})
            aiohttp_jinja2.setup(app, loader=loader)
            return app

    return PanelServer(command, host=host, port=port, title=title)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, command: str | None = None,
          stderr=None) -> int:
    """Serve the panel until interrupted (Ctrl+C). Returns the exit code."""
    stderr = stderr or sys.stderr
    if not 0 < port <= 65535:
        print(f"panel-tui serve: invalid port {port}", file=stderr)
        return 2
    try:
        server = make_server(command or panel_command(), host, port)
    except ImportError:
        print("panel-tui serve needs textual-serve: pip install textual-serve", file=stderr)
        return 1
    if not is_loopback(host):
        print(f"warning: serving on {host}, not loopback: anyone who can reach port {port} can drive "
              "this printer, including its administrator settings and sign-in.", file=stderr)
    try:
        server.serve()
    except OSError as error:
        print(f"panel-tui serve: cannot listen on {host}:{port}: {error}", file=stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


# -- `panel-tui serve` -------------------------------------------------------------------------


def add_arguments(parser) -> None:
    """The options of `panel-tui serve` (cli.py adds the subcommand and calls `command`)."""
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")


def command(args) -> int:
    """Run `panel-tui serve` with the main options (--profile, --lang, --sim-url, --live ...)."""
    panel = panel_command(profile=getattr(args, "profile", "default"), lang=getattr(args, "lang", None),
                          sim_url=getattr(args, "sim_url", None), live=bool(getattr(args, "live", False)),
                          client_id=getattr(args, "client_id", None), tenant=getattr(args, "tenant", None))
    return serve(args.host, args.port, command=panel)


def main(argv: list[str] | None = None) -> int:
    """`python -m panel_tui.serve [--host H] [--port N] [--profile P] [--lang L] [--sim-url URL]`."""
    import argparse

    from panel_tui.i18n import LANGUAGES

    parser = argparse.ArgumentParser(prog="panel-tui serve", description="Serve the panel in a web browser.")
    add_arguments(parser)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--lang", choices=LANGUAGES)
    parser.add_argument("--sim-url")
    parser.add_argument("--live", action="store_true")
    return command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
