"""`panel-tui serve`: the panel in a web browser through textual-serve, for projecting in a room.

Every browser tab gets its own panel process (`python -m panel_tui` with the same profile,
language and simulator options), drawn by textual-serve's terminal page. Loopback by
default; bound to another address, the page needs the key of the printed URL (then a
cookie), and answers only for the address it was reached at (panel_tui.web_access).

The page textual-serve ships links a web font from Google; the page served here drops that
link, so a classroom without internet (or a reviewer who wants nothing fetched) sees the
same panel, in the browser's own monospace font.
"""
from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

from panel_tui.i18n import LANGUAGES, Translator

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
_EXTERNAL_STYLESHEET = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/>\s*", re.S)
# Keys typed before any click reach the panel: the terminal takes the keyboard as soon as it exists.
_FOCUS_TERMINAL = """<script>
  (function focusTerminal(tries) {
    const keys = document.querySelector("#terminal textarea");
    if (keys) { keys.focus(); return; }
    if (tries > 0) { setTimeout(function () { focusTerminal(tries - 1); }, 50); }
  })(600);
</script>
</body>"""


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


def make_server(command: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, title: str = "panel-tui",
                access=None, announce: str | None = None):
    """A textual_serve Server for `command` whose page needs nothing from outside this host.

    `access` is (AccessPolicy, Page): the guard every request passes (panel_tui.web_access).
    The page's asset and websocket URLs name the Host the browser asked for (checked by the
    guard), never the address the server is bound to. `announce` replaces textual-serve's
    start-up banner."""
    import aiohttp_jinja2
    import jinja2
    from textual_serve.server import Server, to_int

    from panel_tui.web_access import AccessPolicy

    if access is None:
        policy = AccessPolicy(host, _english)
        access = (policy, policy.add(f"panel{port}", None))

    class PanelServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            page = (Path(self.templates_path) / "app_index.html").read_text(encoding="utf-8")
            page = _EXTERNAL_STYLESHEET.sub("", page).replace("</body>", _FOCUS_TERMINAL, 1)
            loader = jinja2.DictLoader({"app_index.html": page})
            aiohttp_jinja2.setup(app, loader=loader)
            app.middlewares.append(access[0].middleware(access[1]))
            return app

        async def handle_index(self, request):
            origin = f"{'https' if request.secure else 'http'}://{request.host}"
            context = {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": ("wss" if request.secure else "ws") + origin[origin.index(":"):] + "/ws",
                "config": {"static": {"url": f"{origin}/static/"}},
                "application": {"name": self.title},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def on_startup(self, app) -> None:
            if announce:
                print(announce, flush=True)

    return PanelServer(command, host=host, port=port, title=title)


def _english(key: str, **params: object) -> str:
    return Translator.load(language="en").t(key, **params)


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, command: str | None = None,
          stderr=None, lang: str | None = None) -> int:
    """Serve the panel until interrupted (Ctrl+C). Returns the exit code."""
    from panel_tui.web_access import AccessPolicy, new_key, page_url, public_address

    stderr = stderr or sys.stderr
    if not 0 < port <= 65535:
        print(f"panel-tui serve: invalid port {port}", file=stderr)
        return 2
    language = lang or "en"
    t = Translator.load(language=language).t
    policy = AccessPolicy(host, t, language)
    page = policy.add(f"panel{port}", new_key())
    url = page_url(public_address(host) if page.key else host, port, page.key)
    try:
        server = make_server(command or panel_command(), host, port, access=(policy, page),
                             announce=t("access.serving", url=url) + "\n" + t("access.quit_hint"))
    except ImportError:
        print("panel-tui serve needs textual-serve: pip install textual-serve", file=stderr)
        return 1
    if page.key:
        print(t("access.warn_network", host=host, port=port), file=stderr)
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
    return serve(args.host, args.port, command=panel, lang=getattr(args, "lang", None))


def main(argv: list[str] | None = None) -> int:
    """`python -m panel_tui.serve [--host H] [--port N] [--profile P] [--lang L] [--sim-url URL]`."""
    parser = argparse.ArgumentParser(prog="panel-tui serve", description="Serve the panel in a web browser.")
    add_arguments(parser)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--lang", choices=LANGUAGES)
    parser.add_argument("--sim-url")
    parser.add_argument("--live", action="store_true")
    return command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
