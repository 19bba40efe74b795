"""Connection limits of the simulator's HTTPS server, as a public web front end has them.

aiohttp on its own keeps a connection that never finishes its request open for an hour
(its keep-alive timer stops at the first byte, and it waits for the rest without a limit),
and has no cap on connections. :class:`GuardedSockSite` puts every connection behind
:class:`_GuardedConnection`:

* the TLS handshake must finish within ``HANDSHAKE_TIMEOUT`` (a half-open connection);
* ``IDLE_TIMEOUT`` seconds without a byte from the client ends the connection;
* a request must get the start of its answer within ``REQUEST_TIMEOUT`` of its first byte
  (a client trickling its headers byte by byte does not hold a connection for ever);
* at most ``MAX_CONNECTIONS_PER_ADDRESS`` connections per client address and
  ``MAX_CONNECTIONS`` in all; more are cut at once.

The module-level limits are read for every connection, so tests can lower them.
"""
from __future__ import annotations

import asyncio
import collections
import logging
import socket
import ssl
from collections.abc import Iterable
from typing import cast

from aiohttp import web

from panel_tui.sim.smtp import set_no_delay

log = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 75.0
REQUEST_TIMEOUT = 60.0
MAX_CONNECTIONS = 512
MAX_CONNECTIONS_PER_ADDRESS = 256


class ConnectionLimits:
    """Open connections, counted per client address."""

    def __init__(self) -> None:
        self.open: set[_GuardedConnection] = set()
        self.per_address: collections.Counter[str] = collections.Counter()

    def admit(self, connection: _GuardedConnection) -> bool:
        address = connection.address
        if len(self.open) >= MAX_CONNECTIONS or self.per_address[address] >= MAX_CONNECTIONS_PER_ADDRESS:
            return False
        self.open.add(connection)
        self.per_address[address] += 1
        return True

    def release(self, connection: _GuardedConnection) -> None:
        if connection in self.open:
            self.open.discard(connection)
            self.per_address[connection.address] -= 1
            if self.per_address[connection.address] <= 0:
                del self.per_address[connection.address]


class _WatchedTransport:
    """The transport as aiohttp sees it: every write counts as the server answering."""

    def __init__(self, transport: asyncio.Transport, connection: _GuardedConnection) -> None:
        self._transport = transport
        self._connection = connection

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._connection.answered()
        self._transport.write(data)

    def writelines(self, chunks: Iterable[bytes | bytearray | memoryview]) -> None:
        self._connection.answered()
        self._transport.writelines(chunks)

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)


class _GuardedConnection(asyncio.Protocol):
    """Wraps aiohttp's protocol for one connection and enforces the limits."""

    def __init__(self, inner: asyncio.Protocol, limits: ConnectionLimits) -> None:
        self.inner = inner
        self.limits = limits
        self.address = ""
        self.transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._idle: asyncio.TimerHandle | None = None
        self._request: asyncio.TimerHandle | None = None
        self._admitted = False

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, base)  # a stream server's protocol is given a Transport
        peer = transport.get_extra_info("peername")
        self.address = str(peer[0]) if peer else ""
        self.transport = transport
        if not self.limits.admit(self):
            log.info("HTTPS connection from %s refused: too many connections", self.address)
            transport.abort()
            return
        self._admitted = True
        set_no_delay(transport)
        self._arm_idle()
        self.inner.connection_made(cast(asyncio.BaseTransport, _WatchedTransport(transport, self)))  # duck-typed

    def data_received(self, data: bytes) -> None:
        if not self._admitted:
            return
        self._arm_idle()
        if self._request is None:  # the first byte of a request: it must be answered in time
            self._request = self._loop.call_later(REQUEST_TIMEOUT, self._cut, "no answer in time")
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self._admitted else None

    def connection_lost(self, exc: Exception | None) -> None:
        for handle in (self._idle, self._request):
            if handle is not None:
                handle.cancel()
        if self._admitted:
            self.limits.release(self)
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._admitted:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self._admitted:
            self.inner.resume_writing()

    # -- limits ----------------------------------------------------------------------------

    def answered(self) -> None:
        if self._request is not None:
            self._request.cancel()
            self._request = None
        self._arm_idle()

    def _arm_idle(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self._idle = self._loop.call_later(IDLE_TIMEOUT, self._cut, "idle")

    def _cut(self, why: str) -> None:
        log.info("HTTPS connection from %s cut: %s", self.address, why)
        if self.transport is not None:
            self.transport.abort()


class GuardedSockSite(web.SockSite):
    """aiohttp's SockSite with a TLS handshake deadline and :class:`_GuardedConnection`."""

    def __init__(self, runner: web.BaseRunner, sock: socket.socket, *, shutdown_timeout: float = 60.0,
                 ssl_context: ssl.SSLContext | None = None, backlog: int = 128) -> None:
        super().__init__(runner, sock, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog)
        self.limits = ConnectionLimits()

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        limits = self.limits
        self._server = await loop.create_server(
            lambda: _GuardedConnection(server(), limits),
            sock=self._sock, ssl=self._ssl_context, backlog=self._backlog,
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT if self._ssl_context else None,
        )
