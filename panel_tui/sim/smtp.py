"""An Exchange Online shaped SMTP submission server (aiosmtpd).

STARTTLS is required before anything but EHLO/NOOP/QUIT; ``AUTH LOGIN PLAIN XOAUTH2`` are
advertised only after STARTTLS, as Exchange Online does. The bearer token is checked for
signature, lifetime (simulated clock), audience, tenant, scope and user; a password (Basic
authentication: LOGIN, PLAIN) against the mailbox's, under smart lockout; then the tenant's
policies decide, and for Basic also Microsoft's retirement timeline (MC786329, see
:meth:`panel_tui.sim.state.SimState.basic_smtp_auth_state`). Replies are Exchange Online's:

* ``235 2.7.0 Authentication successful``
* ``535 5.7.3 Authentication unsuccessful`` (bad, forged, expired token; another user's)
* ``535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for
  the Tenant`` / ``... for the Mailbox``, and the security defaults variant
* ``535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.`` (Basic)
* ``535 5.7.139 Authentication unsuccessful, basic authentication is disabled.`` (Basic, off
  on the timeline), ``550 5.7.30 Basic authentication is not supported for Client
  Submission.`` (after the final removal)
* ``530 5.7.57 Client not authenticated to send mail`` (MAIL before AUTH)
* ``550 5.7.60 SMTP; Client does not have permissions to send as this sender`` (envelope
  sender without Send As) and ``554 5.2.252 SendAsDenied`` (``From:`` header without it)
* sender verdicts: ``550 5.1.8``, ``550 5.7.501``, ``550 5.7.511`` (MAIL), ``554 5.2.0 ...
  OutboundSpamException`` (after DATA)
* ``452 4.5.3 Too many recipients`` past 500 RCPT in one message
* ``501 5.1.3 Invalid address`` (RCPT) / ``501 5.1.7 Invalid address`` (MAIL FROM) holding
  a control character (NUL, CR, LF ...)
* faults: ``451 4.7.500 Server busy`` (MAIL), ``421 4.3.2 Service not available`` (greeting)

Like Exchange's, refusals end with ``[<front end host> <UTC time> <session id>]``, the
banner and EHLO are Exchange Online's, and an accepted message is answered
``250 2.0.0 OK <Message-ID> [Hostname=...]``. Connections are capped (per client address
and in all) and cut after an idle period or a maximum session time. Accepted messages go
to :class:`panel_tui.sim.maildir.MailStore` (stored once, hard-linked per recipient).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import datetime as dt
import email.utils
import errno
import logging
import secrets
import socket
import ssl
from contextlib import suppress
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import AnyStr, TypedDict, Unpack, cast

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session, syntax

from panel_tui.sim.context import SimContext
from panel_tui.sim.faults import (
    SMTP_BUSY,
    SMTP_DOWN,
    SMTP_DROP_MID_DATA,
    SMTP_STALL_AFTER_DATA,
    SMTP_UNAVAILABLE,
)
from panel_tui.sim.state import (
    BASIC_REMOVED,
    SENDER_BANNED,
    SENDER_OUTBOUND_SPAM,
    SENDER_RESTRICTED,
    SENDER_SPAM_ABUSE,
    SMTP_AUTH_DISABLED_MAILBOX,
    SMTP_AUTH_DISABLED_TENANT,
    SMTP_AUTH_SECURITY_DEFAULTS,
)
from panel_tui.sim.tokens import AccessTokenVerifier, TokenRejected

log = logging.getLogger(__name__)


class _HideLoginDataNotice(logging.Filter):
    """aiosmtpd itself sets its deprecated ``Session.login_data`` after every successful
    AUTH and logs a warning about it each time; nothing here can act on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Session.login_data is deprecated" not in record.getMessage()


_AIOSMTPD_LOG = logging.getLogger("mail.log")
if not any(isinstance(f, _HideLoginDataNotice) for f in _AIOSMTPD_LOG.filters):
    _AIOSMTPD_LOG.addFilter(_HideLoginDataNotice())

# Host names as Exchange Online's answers show them (a front end, and the mailbox server
# named in the acceptance); the simulator never resolves them.
SERVER_NAME = "BN8PR04CA0053.outlook.office365.com"
FRONT_END_HOST = "BN8PR04CA0053.NAMPRD04.PROD.OUTLOOK.COM"
MAILBOX_SERVER_HOST = "BN8PR04MB6194.NAMPRD04.PROD.OUTLOOK.COM"
ADVERTISED_SIZE = 157286400  # what Exchange Online's EHLO advertises (150 MiB)
MAX_MESSAGE_SIZE = 35 * 1024 * 1024  # the mailbox's default send limit, enforced
MAX_RECIPIENTS = 500  # Exchange Online's recipients per message
_AUTH_LINE_LIMIT = 64 * 1024  # XOAUTH2 lines carry a several-KB JWT

# Connection limits; tests lower them. Exchange's receive connectors default to 5 min of
# inactivity and 10 min per session.
IDLE_TIMEOUT = 300.0
SESSION_TIMEOUT = 600.0
# Fair rather than per host (a class's seats all connect from the trainer's 127.0.0.1): at
# most MAX_CONNECTIONS in all and MAX_CONNECTIONS_PER_ADDRESS not yet authenticated per
# client address; when either is full, a newcomer is still admitted and the oldest
# connection that has not authenticated (of that address; else of anyone) is told 421 and
# cut. Authenticated sessions are never cut for a newcomer: a flood of idle sockets cannot
# starve a sender, and the whole stays bounded.
MAX_CONNECTIONS = 1024
MAX_CONNECTIONS_PER_ADDRESS = 256

REPLY_AUTH_OK = "235 2.7.0 Authentication successful"
REPLY_BAD_TOKEN = "535 5.7.3 Authentication unsuccessful"
REPLY_TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
REPLY_BAD_RECIPIENT_SYNTAX = "501 5.1.3 Invalid address"
REPLY_BAD_SENDER_SYNTAX = "501 5.1.7 Invalid address"
REPLY_NO_SPACE = "452 4.3.1 Insufficient system resources"
REPLY_NOT_STORED = "451 4.3.0 Temporary server error. Please try again later"
REPLY_TOO_MANY_CONNECTIONS = (
    "421 4.3.2 The maximum number of concurrent connections has exceeded a limit, "
    "closing transmission channel"
)
REPLY_TIMED_OUT = "421 4.4.1 Connection timed out"
REPLY_AUTH_DISABLED = {
    SMTP_AUTH_DISABLED_TENANT: (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."
    ),
    SMTP_AUTH_DISABLED_MAILBOX: (
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information."
    ),
    SMTP_AUTH_SECURITY_DEFAULTS: (
        "535 5.7.139 Authentication unsuccessful, user is locked by your organization's "
        "security defaults policy. Contact your administrator."
    ),
}
# Basic authentication (AUTH LOGIN / PLAIN): Exchange Online's words, as reported by its
# users and in Microsoft's MC786329 (sources in README.md).
REPLY_BASIC_BAD_CREDENTIALS = "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect."
REPLY_BASIC_DISABLED = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
REPLY_BASIC_REMOVED = "550 5.7.30 Basic authentication is not supported for Client Submission."
REPLY_BASIC_LOCKED = ("535 5.7.139 Authentication unsuccessful, the request did not meet the criteria "
                      "to be authenticated successfully. Contact your administrator.")
REPLY_AUTH_MALFORMED = "501 5.5.2 Cannot decode the authentication data"
REPLY_AUTH_CANCELLED = "501 5.0.0 Authentication cancelled"
REPLY_LINE_TOO_LONG = "500 5.5.2 Command line too long"
REPLY_SEND_AS_NOT_PERMITTED = "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
REPLY_SENDER_BLOCKED = {
    SENDER_RESTRICTED: "550 5.1.8 Access denied, bad outbound sender",
    SENDER_SPAM_ABUSE: "550 5.7.501 Access denied, spam abuse detected",
    SENDER_BANNED: "550 5.7.511 Access denied, banned sender",
}
REPLY_OUTBOUND_SPAM = (
    "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to "
    "a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is "
    "RefuseQuota, ShowTierUpgrade. OutboundSpamException: WASCL UserAction verdict is not None. "
    f"Actual verdict is RefuseQuota, ShowTierUpgrade. [Hostname={MAILBOX_SERVER_HOST}]"
)
REPLY_SERVER_BUSY = "451 4.7.500 Server busy. Please try again later from [{address}]. (S77719)"
REPLY_SERVICE_UNAVAILABLE = "421 4.3.2 Service not available, closing transmission channel"
REPLY_NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail"
REPLY_STARTTLS_FIRST = "530 5.7.0 Must issue a STARTTLS command first"
REPLY_TLS_ACTIVE = "503 5.5.1 Bad sequence of commands: TLS is already in use"

# aiosmtpd's own wording -> Exchange Online's.
_EXCHANGE_WORDING = {
    "530 Must issue a STARTTLS command first": REPLY_STARTTLS_FIRST,
    "220 Ready to start TLS": "220 2.0.0 SMTP server ready",
    "354 End data with <CR><LF>.<CR><LF>": "354 Start mail input; end with <CRLF>.<CRLF>",
    "221 Bye": "221 2.0.0 Service closing transmission channel",
    "250 OK": "250 2.0.0 OK",
    "552 Error: Too much mail data": "552 5.3.4 Message size exceeds fixed maximum message size",
    "500 Command line too long": REPLY_LINE_TOO_LONG,
    "504 5.5.4 Unrecognized authentication type": "504 5.7.4 Unrecognized authentication type",
}


def _has_control(address: str) -> bool:
    """NUL, CR, LF and the other C0 controls or DEL: no address holds them."""
    return any(ord(char) < 0x20 or char == "\x7f" for char in address)


def send_as_denied(upn: str, sender: str) -> str:
    return (
        f"554 5.2.252 SendAsDenied; {upn} not allowed to send as {sender}; "
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
        "Failed to process message due to a permanent exception with message "
        "[BeginDiagnosticData]Cannot submit message."
    )


def set_no_delay(transport: asyncio.BaseTransport) -> None:
    """TCP_NODELAY on the connection. asyncio sets it only on sockets whose ``proto`` is
    IPPROTO_TCP, and ``socket.create_server`` leaves it 0: without it each reply line
    written on its own (EHLO has eight) waits for the client's delayed ACK, 40 ms."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def exchange_time(epoch: float) -> str:
    """``2024-05-01T08:30:00.123Z``, as in Exchange's reply suffixes."""
    stamp = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class _SessionOptions(TypedDict, total=False):
    """The options of aiosmtpd's SMTP that :class:`ExchangeSmtpServer` sets."""

    hostname: str
    ident: str
    tls_context: ssl.SSLContext
    require_starttls: bool
    auth_require_tls: bool
    data_size_limit: int
    enable_SMTPUTF8: bool
    timeout: float


class ExchangeSmtpSession(SMTP):
    """One client connection; aiosmtpd's protocol with Exchange's limits and wording."""

    line_length_limit = _AUTH_LINE_LIMIT  # the reader's limit, so long AUTH lines fit

    def __init__(self, handler: ExchangeHandler, **kwargs: Unpack[_SessionOptions]) -> None:
        super().__init__(handler, **kwargs)
        # Instance-level limits: aiosmtpd's defaults live in a class-wide dict.
        self.command_size_limits = collections.defaultdict(
            lambda: SMTP.command_size_limit, {"AUTH": _AUTH_LINE_LIMIT}
        )
        self.exchange_handler = handler
        self.session_id = "08DC" + secrets.token_hex(6).upper()
        self._session_deadline: asyncio.TimerHandle | None = None
        self._refused = False
        self.auth_protocol = ""  # "Basic" or "OAuth" once authenticated (for Exchange's report)

    def reply_suffix(self) -> str:
        now = self.exchange_handler.ctx.state.now()
        return f"[{FRONT_END_HOST} {exchange_time(now)} {self.session_id}]"

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str):
            status = _EXCHANGE_WORDING.get(status, status)
            # Exchange ends every refusal with the front end, the time and the session.
            if status[:1] in ("4", "5") and not status.endswith("]"):
                status = f"{status} {self.reply_suffix()}"
        await super().push(status)

    def connection_made(self, base: asyncio.BaseTransport) -> None:
        handler = self.exchange_handler
        transport = cast(asyncio.Transport, base)  # a stream server's protocol is given a Transport
        if self.transport is None:  # the TCP connection, not the STARTTLS upgrade
            peer = transport.get_extra_info("peername")
            address = str(peer[0]) if peer else ""
            if not handler.admit(self, address):
                self._refused = True
                transport.write(f"{REPLY_TOO_MANY_CONNECTIONS} {self.reply_suffix()}\r\n".encode())
                transport.abort()
                return
            set_no_delay(transport)
            if handler.ctx.faults.is_on(SMTP_UNAVAILABLE):
                self._refused = True
                handler.release(self)
                transport.write(f"{REPLY_SERVICE_UNAVAILABLE} {self.reply_suffix()}\r\n".encode())
                transport.close()
                return
            stamp = email.utils.format_datetime(
                dt.datetime.fromtimestamp(handler.ctx.state.now(), dt.UTC)).replace("-0000", "+0000")
            self.__ident__ = f"Microsoft ESMTP MAIL Service ready at {stamp} [{self.session_id}]"
            self._session_deadline = self.loop.call_later(SESSION_TIMEOUT, self._timeout_cb)
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return
        self.exchange_handler.release(self)
        if self._session_deadline is not None:
            self._session_deadline.cancel()
        super().connection_lost(error)

    @syntax("STARTTLS", when="tls_context")
    async def smtp_STARTTLS(self, arg: str) -> None:
        if self._tls_protocol is not None:  # RFC 3207: never a second TLS session inside the first
            await self.push(REPLY_TLS_ACTIVE)
            return
        await super().smtp_STARTTLS(arg)

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA, reading the message in blocks instead of a line at a time (with a
        debug log call per line): the same checks, replies and dot-unstuffing, a fraction of
        the cost for a 100 KB attachment."""
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        content, problem = await read_message_data(self._reader, self.data_size_limit, self.line_length_limit)
        if problem:
            await self.push(problem)
            self._set_post_data_state()
            return
        self.envelope.content = content
        self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    def _set_post_data_state(self) -> None:
        super()._set_post_data_state()  # type: ignore[no-untyped-call]  # unannotated in aiosmtpd

    def _reset_timeout(self, duration: float | None = None) -> None:
        super()._reset_timeout(duration or IDLE_TIMEOUT)

    def cut(self, reply: str) -> None:
        """Say `reply` and cut the line now (no TLS goodbye awaited)."""
        transport = cast("asyncio.Transport | None", self.transport)
        if transport is None:
            return
        with suppress(RuntimeError, OSError):
            transport.write(f"{reply} {self.reply_suffix()}\r\n".encode())
        transport.abort()
        if self._original_transport is not None:
            cast(asyncio.Transport, self._original_transport).abort()

    def _timeout_cb(self) -> None:
        # Idle or over the session limit: say so and cut the line, without waiting for a
        # client that may not read (a close() would wait for a TLS goodbye).
        transport = cast("asyncio.Transport | None", self.transport)  # aiosmtpd says BaseTransport
        if transport is None:
            return
        with suppress(RuntimeError, OSError):
            transport.write(f"{REPLY_TIMED_OUT} {self.reply_suffix()}\r\n".encode())
        transport.abort()
        if self._original_transport is not None:
            cast(asyncio.Transport, self._original_transport).abort()


def _authenticated(session: ExchangeSmtpSession) -> bool:
    state = getattr(session, "session", None)
    return bool(state is not None and state.authenticated)


class ExchangeHandler:
    """aiosmtpd handler: XOAUTH2, LOGIN and PLAIN (its ``auth_*`` methods replace aiosmtpd's
    own, which log and answer differently), MAIL/RCPT/DATA checks and delivery."""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.connections: dict[ExchangeSmtpSession, None] = {}  # in arrival order
        self._addresses: dict[ExchangeSmtpSession, str] = {}
        self._per_address: collections.Counter[str] = collections.Counter()
        self.tokens = AccessTokenVerifier(ctx.key)

    def admit(self, session: ExchangeSmtpSession, address: str) -> bool:
        """Count a new connection in; over a cap, the oldest unauthenticated one makes room
        (False only when every connection is authenticated and the total is full)."""
        waiting = [other for other in self.connections if not _authenticated(other)]  # oldest first
        if self._per_address[address] >= MAX_CONNECTIONS_PER_ADDRESS:
            same = [other for other in waiting if self._addresses.get(other) == address]
            if len(same) >= MAX_CONNECTIONS_PER_ADDRESS:
                self._make_room(same[0])
        if len(self.connections) >= MAX_CONNECTIONS:
            if not waiting or waiting[0] not in self.connections:
                waiting = [other for other in self.connections if not _authenticated(other)]
            if not waiting:
                log.info("SMTP connection from %s refused: too many connections", address)
                return False
            self._make_room(waiting[0])
        self.connections[session] = None
        self._addresses[session] = address
        self._per_address[address] += 1
        return True

    def _make_room(self, session: ExchangeSmtpSession) -> None:
        log.info("SMTP connection from %s cut for a newcomer: too many connections", self._addresses.get(session))
        self.release(session)
        session.cut(REPLY_TOO_MANY_CONNECTIONS)

    def release(self, session: ExchangeSmtpSession) -> None:
        self.connections.pop(session, None)
        address = self._addresses.pop(session, None)
        if address is not None:
            self._per_address[address] -= 1
            if self._per_address[address] <= 0:
                del self._per_address[address]

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        """Exchange Online's EHLO answer (without BDAT/BINARYMIME/DSN, which aiosmtpd lacks)."""
        session.host_name = hostname
        peer = session.peer[0] if session.peer else ""
        lines = [f"{SERVER_NAME} Hello [{peer}]", f"SIZE {ADVERTISED_SIZE}", "PIPELINING",
                 "ENHANCEDSTATUSCODES"]
        if session.ssl is None:
            lines.append("STARTTLS")
        else:
            lines.append("AUTH LOGIN PLAIN XOAUTH2")
        lines += ["8BITMIME", "SMTPUTF8"]
        return [f"250-{line}" for line in lines[:-1]] + [f"250 {lines[-1]}"]

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            blob = args[1]
        else:  # the same careful reading as Basic's: a megabyte answer is refused, not raised
            answer = await _challenge(server, b"")
            if isinstance(answer, AuthResult):
                return answer
            if answer is None:
                return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
            blob = base64.b64encode(answer).decode()
        user, token = _parse_xoauth2(blob)
        if not user or not token:
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        state = self.ctx.state
        # The session works on the user's tenant from now on (its token must be that tenant's).
        state.select(state.tenant_of_upn(user))
        try:
            claims = self.tokens.verify(token, tenant_id=self.ctx.tenant_id, now=state.now())
        except TokenRejected as error:
            log.info("XOAUTH2 refused for %s: %s", user, error)
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        mailbox = state.user(claims["upn"])
        if mailbox is None or mailbox.upn != user.strip().lower():
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        refusal = state.smtp_auth_refusal(mailbox)
        if refusal is not None:
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_DISABLED[refusal])
        _set_protocol(server, "OAuth")
        return AuthResult(success=True, auth_data=mailbox.upn, message=REPLY_AUTH_OK)

    # -- Basic authentication: AUTH LOGIN and AUTH PLAIN (RFC 4954, RFC 4616) -------------------

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            user = _b64(args[1])
        else:
            answer = await _challenge(server, b"Username:")
            if isinstance(answer, AuthResult):
                return answer
            user = answer
        if not user:  # not base64, or empty
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_MALFORMED)
        answer = await _challenge(server, b"Password:")
        if isinstance(answer, AuthResult):
            return answer
        if answer is None:
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_MALFORMED)
        return self._basic(server, user, answer)

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            blob = _b64(args[1])
        else:
            answer = await _challenge(server, b"")
            if isinstance(answer, AuthResult):
                return answer
            blob = answer
        parts = blob.split(b"\0") if blob is not None else []
        if len(parts) != 3:  # authzid NUL authcid NUL password
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_MALFORMED)
        return self._basic(server, parts[1], parts[2])

    def _basic(self, server: SMTP, user_bytes: bytes, password_bytes: bytes) -> AuthResult:
        """A user name and password, as Exchange Online checks them. The password is never
        logged; a failure logs only the user name and the reason."""
        state = self.ctx.state
        try:
            user_name = user_bytes.decode("utf-8").strip()
            password = password_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_MALFORMED)
        state.select(state.tenant_of_upn(user_name))  # the session works on the user's tenant
        if state.basic_smtp_auth_state() == BASIC_REMOVED:
            return _refused_basic(user_name, "final removal", REPLY_BASIC_REMOVED)
        now = state.now()
        mailbox = state.user(user_name) if user_name else None
        if mailbox is None:
            return _refused_basic(user_name, "unknown user", REPLY_BASIC_BAD_CREDENTIALS)
        lockout = self.ctx.lockout
        if lockout.locked(mailbox.upn, now):
            return _refused_basic(mailbox.upn, "locked (smart lockout)", REPLY_BASIC_LOCKED)
        if mailbox.shared or not mailbox.check_password(password):
            locked = lockout.failed(mailbox.upn, password, now)
            return _refused_basic(mailbox.upn, "wrong password",
                                  REPLY_BASIC_LOCKED if locked else REPLY_BASIC_BAD_CREDENTIALS)
        lockout.succeeded(mailbox.upn)
        refusal = state.smtp_auth_refusal(mailbox, basic=True)
        if refusal is not None:
            return _refused_basic(mailbox.upn, refusal, REPLY_AUTH_DISABLED[refusal])
        if not state.basic_smtp_auth_allowed():
            return _refused_basic(mailbox.upn, state.basic_smtp_auth_state(), REPLY_BASIC_DISABLED)
        _set_protocol(server, "Basic")
        return AuthResult(success=True, auth_data=mailbox.upn, message=REPLY_AUTH_OK)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if not session.authenticated:
            return REPLY_NOT_AUTHENTICATED
        if _has_control(address):
            return REPLY_BAD_SENDER_SYNTAX
        if self.ctx.faults.is_on(SMTP_BUSY):
            return REPLY_SERVER_BUSY.format(address=session.peer[0] if session.peer else "")
        mailbox = self.ctx.state.user(str(session.auth_data or ""))
        if mailbox is not None and mailbox.sender_block in REPLY_SENDER_BLOCKED:
            return REPLY_SENDER_BLOCKED[mailbox.sender_block]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Sender OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if not session.authenticated:
            return REPLY_NOT_AUTHENTICATED
        if _has_control(address):
            return REPLY_BAD_RECIPIENT_SYNTAX
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return REPLY_TOO_MANY_RECIPIENTS
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.ctx.faults.is_on(SMTP_DROP_MID_DATA):
            # The message arrived but the line goes dead before the reply: it is not stored.
            if server.transport is not None:
                cast(asyncio.Transport, server.transport).abort()
            raise ConnectionResetError("smtp_drop_mid_data fault")
        upn = str(session.auth_data or "")
        content = envelope.original_content or b""
        # Only the header block is parsed: the body (attachments) is stored as it came.
        head_end = content.find(b"\r\n\r\n")
        head = content if head_end < 0 else content[:head_end + 2]
        headers = BytesHeaderParser(policy=compat32).parsebytes(head)
        header_from = [addr.lower()
                       for _, addr in email.utils.getaddresses([str(v) for v in headers.get_all("From", [])])]
        sender = (envelope.mail_from or "").lower()
        state = self.ctx.state
        if not state.may_send_as(upn, sender):
            return REPLY_SEND_AS_NOT_PERMITTED
        offender = next((addr for addr in header_from if not state.may_send_as(upn, addr)), None)
        if offender is not None:
            return send_as_denied(upn, offender)
        mailbox = state.user(upn)
        if mailbox is not None and mailbox.sender_block == SENDER_OUTBOUND_SPAM:
            return REPLY_OUTBOUND_SPAM
        protocol = getattr(server, "auth_protocol", "") or "OAuth"
        mechanism = "XOAUTH2" if protocol == "OAuth" else "LOGIN"
        trace = (
            f"Received: from {session.host_name or 'unknown'} ({session.peer[0] if session.peer else ''})\r\n"
            f" by {SERVER_NAME} with ESMTPSA ({mechanism} {upn}); {email.utils.formatdate(state.now())}\r\n"
        ).encode("utf-8", "replace")
        try:
            await asyncio.to_thread(self.ctx.mail.deliver, envelope.rcpt_tos, trace + content)
        except OSError as error:  # the simulator's own disk: a temporary failure, as Exchange says it
            log.warning("cannot store a message: %s", error)
            return REPLY_NO_SPACE if error.errno in (errno.ENOSPC, errno.EDQUOT) else REPLY_NOT_STORED
        state.record_submission(upn, protocol)
        if self.ctx.faults.is_on(SMTP_STALL_AFTER_DATA):
            await asyncio.Event().wait()  # delivered, but no reply until the client leaves (cancels us)
        message_id = str(headers.get("Message-ID", "")).strip() or f"<{session_id_of(server)}@{SERVER_NAME}>"
        return f"250 2.0.0 OK {message_id} [Hostname={MAILBOX_SERVER_HOST}]"


_END_OF_DATA = b"\r\n.\r\n"


def _pending_end(tail: bytes) -> int:
    """How much of the end-of-data marker ``tail`` already ends with (0 to 4 bytes)."""
    for size in (4, 3, 2, 1):
        if tail.endswith(_END_OF_DATA[:size]):
            return size
    return 0


async def read_message_data(reader: asyncio.StreamReader, size_limit: int | None,
                            line_limit: int) -> tuple[bytes, str]:
    """Read DATA up to ``CRLF . CRLF`` and undo dot-stuffing (RFC 5321 4.5.2).

    Returns ``(content, "")``, or ``(b"", reply)`` when the message is refused (too big,
    a line too long); the data is read to its end either way. Reads never go past the
    marker, so pipelined commands after it stay in the reader.
    """
    chunks: list[bytes] = []
    size = 0
    tail = b"\r\n"  # DATA starts at the beginning of a line
    while True:
        pending = _pending_end(tail)
        try:
            if pending:  # the marker may be completing: read just the bytes that would end it
                got = await reader.readexactly(len(_END_OF_DATA) - pending)
            else:  # no marker can span what was read: the first one ahead is the end
                got = await reader.readuntil(_END_OF_DATA)
        except asyncio.LimitOverrunError as error:  # no marker in the reader's buffer yet
            got = await reader.readexactly(error.consumed)
        size += len(got)
        if size_limit and size > size_limit + 3:
            chunks = []  # keep draining, keep nothing
        else:
            chunks.append(got)
        done = (tail + got).endswith(_END_OF_DATA)
        tail = (tail + got)[-4:]
        if done:
            break
    if size_limit and size > size_limit + 3:
        return b"", "552 Error: Too much mail data"
    data = b"".join(chunks)[:-3]  # the last line's CRLF stays; ". CRLF" goes
    if data.startswith(b"."):
        data = data[1:]
    data = data.replace(b"\r\n.", b"\r\n")
    if data and max(map(len, data.split(b"\r\n"))) > line_limit:
        return b"", "500 Line too long (see RFC5321 4.5.3.1.6)"
    return data, ""


def session_id_of(server: SMTP) -> str:
    return getattr(server, "session_id", "") or secrets.token_hex(8).upper()


def _set_protocol(server: SMTP, protocol: str) -> None:
    if isinstance(server, ExchangeSmtpSession):
        server.auth_protocol = protocol


def _refused_basic(user: str, why: str, reply: str) -> AuthResult:
    log.info("Basic SMTP AUTH refused for %s: %s", user[:320], why)  # never the password
    return AuthResult(success=False, handled=False, message=reply)


def _b64(text: str | bytes) -> bytes | None:
    """Base64 as RFC 4954 sends it, or None when it is not."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


async def _challenge(server: SMTP, prompt: bytes) -> bytes | None | AuthResult:
    """Send ``334 <base64 prompt>`` and read the client's answer line, whatever its length.

    Returns the decoded bytes, None when the answer is not base64, or the AuthResult that
    ends the exchange (cancelled with ``*``, a line over the limit, the client gone).
    Unlike aiosmtpd's own helper it logs nothing the client sent.
    """
    await server.push("334 " + base64.b64encode(prompt).decode())
    reader = server._reader
    too_long = False
    while True:
        try:
            line = await reader.readuntil(b"\n")
            break
        except asyncio.LimitOverrunError as error:  # longer than the limit: drop it to its end
            too_long = True
            await reader.readexactly(error.consumed)
        except (asyncio.IncompleteReadError, ConnectionError):
            return AuthResult(success=False, handled=True)
    if too_long or len(line) > _AUTH_LINE_LIMIT:
        return AuthResult(success=False, handled=False, message=REPLY_LINE_TOO_LONG)
    blob = line.strip()
    if blob == b"*":
        return AuthResult(success=False, handled=False, message=REPLY_AUTH_CANCELLED)
    return _b64(blob)


def _parse_xoauth2(blob: str) -> tuple[str, str]:
    """``base64("user=" u "\\x01auth=Bearer " t "\\x01\\x01")`` -> (u, t); ("", "") if malformed."""
    try:
        decoded = base64.b64decode(blob, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # not base64 (non-ASCII too), not UTF-8
        return "", ""
    user = token = ""
    for part in decoded.split("\x01"):
        if part.startswith("user="):
            user = part[5:]
        elif part.lower().startswith("auth=bearer "):
            token = part[12:].strip()
    return user, token


class ExchangeSmtpServer:
    """Listens on (host, port), and can go down and come back on the same port."""

    def __init__(self, ctx: SimContext, tls_context: ssl.SSLContext, host: str, port: int) -> None:
        self.ctx = ctx
        self.tls_context = tls_context
        self.host = host
        self.port = port
        self.handler = ExchangeHandler(ctx)
        self._server: asyncio.base_events.Server | None = None

    def _protocol(self) -> ExchangeSmtpSession:
        return ExchangeSmtpSession(
            self.handler,
            hostname=SERVER_NAME,
            ident="Microsoft ESMTP MAIL Service ready",
            tls_context=self.tls_context,
            require_starttls=True,
            auth_require_tls=True,
            data_size_limit=MAX_MESSAGE_SIZE,
            enable_SMTPUTF8=True,
            timeout=IDLE_TIMEOUT,
        )

    async def start(self, sock: socket.socket | None = None) -> int:
        """Start listening (on ``sock`` if given); returns the port."""
        loop = asyncio.get_running_loop()
        if sock is not None:
            self._server = await loop.create_server(self._protocol, sock=sock)
        else:
            self._server = await loop.create_server(self._protocol, host=self.host, port=self.port,
                                                    reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and cut every open connection."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for session in list(self.handler.connections):
            if session.transport is not None:
                cast(asyncio.Transport, session.transport).abort()
        if server is not None:
            await server.wait_closed()

    async def on_fault(self, name: str, on: bool) -> None:
        if name != SMTP_DOWN:
            return
        if on and self._server is not None:
            await self.stop()
        elif not on and self._server is None:
            await self.start()
