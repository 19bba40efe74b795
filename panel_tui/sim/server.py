"""Assembles a running simulator: PKI, state, signing key, HTTPS site and SMTP server.

Layout of the data directory (always given by the caller)::

    pki/ca.pem  pki/ca-key.pem  pki/server.pem  pki/server-key.pem
    signing-key.pem    the RS256 key of every token
    state.json         tenant, policies, consents, refresh tokens, clock offset
    control-secret     the control API's bearer secret (0600)
    maildir/<address>/{new,cur,tmp}
"""
from __future__ import annotations

import secrets
import socket
import time
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Handler

from panel_tui.sim.atomic_file import SimFileError, write_bytes_atomic
from panel_tui.sim.context import SimContext
from panel_tui.sim.control_api import is_loopback
from panel_tui.sim.devicecodes import DEFAULT_POLL_INTERVAL
from panel_tui.sim.endpoints import SimEndpoints, public_address
from panel_tui.sim.http_guard import GuardedSockSite
from panel_tui.sim.maildir import MailStore
from panel_tui.sim.pki import ensure_pki
from panel_tui.sim.smtp import ExchangeSmtpServer
from panel_tui.sim.state import SimState
from panel_tui.sim.tenant import CLIENT_ID, SMTP_SCOPE
from panel_tui.sim.tokens import SigningKey
from panel_tui.sim.webapp import build_web_app
from panel_tui.sim.webkeys import CONTEXT

CONTROL_SECRET_FILE = "control-secret"
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, reuse_port=False)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def load_control_secret(path: Path) -> str:
    """The control API's bearer secret, created once (0600) in the simulator's data directory."""
    try:
        secret = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        secret = ""
    except (OSError, UnicodeDecodeError) as error:
        raise SimFileError(path, f"cannot read the control API secret ({error})",
                           f"Delete {path}: the simulator makes a new one when it starts.") from None
    if len(secret) < 32:
        secret = secrets.token_urlsafe(32)
        write_bytes_atomic(path, secret.encode("ascii"), mode=0o600)
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return secret


@web.middleware
async def note_activity(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Any request counts as use: an idle simulator service stops only when nobody talks to it.

    Each is counted by its route (tests check what a client asks, e.g. a send that needs no request)."""
    ctx = request.app[CONTEXT]
    ctx.last_activity = time.monotonic()
    resource = request.match_info.route.resource
    key = f"{request.method} {resource.canonical if resource is not None else '(no route)'}"
    ctx.request_counts[key] = ctx.request_counts.get(key, 0) + 1
    return await handler(request)


class SimServer:
    """Everything the simulator serves, started and stopped together on one event loop."""

    def __init__(self, data_dir: Path, host: str, http_port: int, smtp_port: int,
                 poll_interval: int = DEFAULT_POLL_INTERVAL) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.http_port = http_port
        self.smtp_port = smtp_port
        self.poll_interval = max(1, int(poll_interval))
        self.ctx: SimContext | None = None
        self.endpoints: SimEndpoints | None = None
        self._runner: web.AppRunner | None = None
        self._smtp: ExchangeSmtpServer | None = None

    async def start(self) -> SimEndpoints:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Bound beyond loopback, the pages carry the address other machines use (a wildcard's
        # route-out address), and the certificate names it.
        connect_host = public_address(self.host) if self.host in ("0.0.0.0", "::") else \
            _WILDCARDS.get(self.host, self.host)
        pki = ensure_pki(self.data_dir / "pki", extra_hosts=tuple(dict.fromkeys((self.host, connect_host))))
        state = SimState.load(self.data_dir / "state.json")
        key = SigningKey.load_or_create(self.data_dir / "signing-key.pem")
        mail = MailStore(self.data_dir / "maildir")
        secret_path = self.data_dir / CONTROL_SECRET_FILE
        ctx = SimContext(state=state, key=key, mail=mail, poll_interval=self.poll_interval,
                         control_secret=load_control_secret(secret_path))

        http_sock = _bind(self.host, self.http_port)
        try:
            smtp_sock = _bind(self.host, self.smtp_port)
        except BaseException:
            http_sock.close()
            raise
        http_port = http_sock.getsockname()[1]
        ctx.base_url = f"https://{_url_host(connect_host)}:{http_port}"
        ctx.smtp_host = connect_host

        try:
            self._smtp = ExchangeSmtpServer(ctx, pki.server_ssl_context(), self.host, smtp_sock.getsockname()[1])
            ctx.smtp_port = await self._smtp.start(sock=smtp_sock)
            ctx.fault_listeners.append(self._smtp.on_fault)
            app = build_web_app(ctx)
            app.middlewares.append(note_activity)
            self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
            await self._runner.setup()
            await GuardedSockSite(self._runner, http_sock, ssl_context=pki.server_ssl_context()).start()
            control_base = ctx.base_url
            if not (is_loopback(self.host) or self.host == "localhost"):
                # The control API answers loopback clients only: on a wildcard the same port
                # answers on loopback; bound to one address, a second listener on loopback.
                loop_host = "::1" if ":" in self.host else "127.0.0.1"
                if self.host in _WILDCARDS:
                    control_port = http_port
                else:
                    loop_sock = _bind(loop_host, 0)
                    control_port = loop_sock.getsockname()[1]
                    await GuardedSockSite(self._runner, loop_sock, ssl_context=pki.server_ssl_context()).start()
                control_base = f"https://{_url_host(loop_host)}:{control_port}"
        except BaseException:
            await self.stop()
            http_sock.close()
            smtp_sock.close()
            raise

        self.ctx = ctx
        tenant = state.tenant
        self.endpoints = SimEndpoints(
            base_url=ctx.base_url,
            tenant_id=tenant.tenant_id,
            tenant_domain=tenant.domain,
            authority=f"{ctx.base_url}/{tenant.tenant_id}",
            verification_uri=f"{ctx.base_url}/devicelogin",
            admin_url=f"{ctx.base_url}/admin",
            smtp_host=connect_host,
            smtp_port=ctx.smtp_port,
            ca_path=pki.ca_path,
            maildir=mail.root,
            client_id=CLIENT_ID,
            scope=SMTP_SCOPE,
            control_url=f"{control_base}/_sim",
            control_secret_path=secret_path,
        )
        ctx.endpoints = dict(self.endpoints.to_dict())
        return self.endpoints

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            await smtp.stop()
        if runner is not None:
            await runner.cleanup()
        if self.ctx is not None:
            self.ctx.state.flush()  # a coalesced save still pending (submission counts)
