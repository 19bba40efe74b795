"""An Exchange Online shaped SMTP submission server (aiosmtpd).

STARTTLS is required before anything but EHLO/NOOP/QUIT; ``AUTH XOAUTH2`` is the only
mechanism, and it is advertised only after STARTTLS. The bearer token is checked for
signature, lifetime (simulated clock), audience, tenant, scope and user; then the
tenant's policies decide. Replies are Exchange Online's:

* ``235 2.7.0 Authentication successful``
* ``535 5.7.3 Authentication unsuccessful`` (bad, forged, expired token; another user's)
* ``535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for
  the Tenant`` / ``... for the Mailbox``, and the security defaults variant
* ``530 5.7.57 Client not authenticated to send mail`` (MAIL before AUTH)
* ``554 5.2.252 SendAsDenied`` (sender is not the signed-in mailbox)

Accepted messages go to :class:`panel_tui.sim.maildir.MailStore`.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import email.utils
import logging
import socket
import ssl
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session

from panel_tui.sim.context import SimContext
from panel_tui.sim.faults import SMTP_DOWN, SMTP_DROP_MID_DATA
from panel_tui.sim.state import (
    SMTP_AUTH_DISABLED_MAILBOX,
    SMTP_AUTH_DISABLED_TENANT,
    SMTP_AUTH_SECURITY_DEFAULTS,
)
from panel_tui.sim.tokens import TokenRejected, verify_access_token

log = logging.getLogger(__name__)


class _HideLoginDataNotice(logging.Filter):
    """aiosmtpd itself sets its deprecated ``Session.login_data`` after every successful
    AUTH and logs a warning about it each time; nothing here can act on it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Session.login_data is deprecated" not in record.getMessage()


_AIOSMTPD_LOG = logging.getLogger("mail.log")
if not any(isinstance(f, _HideLoginDataNotice) for f in _AIOSMTPD_LOG.filters):
    _AIOSMTPD_LOG.addFilter(_HideLoginDataNotice())

SERVER_NAME = "smtp.sim.localhost"
MAX_MESSAGE_SIZE = 35 * 1024 * 1024  # Exchange Online's default submission limit
_AUTH_LINE_LIMIT = 64 * 1024  # XOAUTH2 lines carry a several-KB JWT

REPLY_AUTH_OK = "235 2.7.0 Authentication successful"
REPLY_BAD_TOKEN = "535 5.7.3 Authentication unsuccessful"
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
REPLY_NOT_AUTHENTICATED = "530 5.7.57 Client not authenticated to send mail"
REPLY_STARTTLS_FIRST = "530 5.7.0 Must issue a STARTTLS command first"


def send_as_denied(upn: str, sender: str) -> str:
    return (
        f"554 5.2.252 SendAsDenied; {upn} not allowed to send as {sender}; "
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
        "Failed to process message due to a permanent exception with message "
        "[BeginDiagnosticData]Cannot submit message."
    )


class ExchangeSmtpSession(SMTP):
    """One client connection; aiosmtpd's protocol with Exchange's limits and wording."""

    line_length_limit = _AUTH_LINE_LIMIT  # the reader's limit, so long AUTH lines fit

    def __init__(self, handler: "ExchangeHandler", **kwargs) -> None:
        super().__init__(handler, **kwargs)
        # Instance-level limits: aiosmtpd's defaults live in a class-wide dict.
        self.command_size_limits = collections.defaultdict(
            lambda: SMTP.command_size_limit, {"AUTH": _AUTH_LINE_LIMIT}
        )
        self.exchange_handler = handler

    async def push(self, status) -> None:
        # aiosmtpd words the STARTTLS refusal its own way; Exchange adds 5.7.0.
        if status == "530 Must issue a STARTTLS command first":
            status = REPLY_STARTTLS_FIRST
        await super().push(status)

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.exchange_handler.connections.add(self)

    def connection_lost(self, error) -> None:
        self.exchange_handler.connections.discard(self)
        super().connection_lost(error)


class ExchangeHandler:
    """aiosmtpd handler: XOAUTH2 (the only ``auth_*`` attribute, so the only mechanism),
    MAIL/RCPT/DATA checks and delivery."""

    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self.connections: set[ExchangeSmtpSession] = set()

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) > 1:
            blob = args[1]
        else:
            response = await server.challenge_auth("")
            if response is MISSING:
                return AuthResult(success=False, handled=True)
            blob = base64.b64encode(response).decode()
        user, token = _parse_xoauth2(blob)
        if not user or not token:
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        state = self.ctx.state
        try:
            claims = verify_access_token(token, key=self.ctx.key, tenant_id=self.ctx.tenant_id, now=state.now())
        except TokenRejected as error:
            log.info("XOAUTH2 refused for %s: %s", user, error)
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        mailbox = state.user(claims["upn"])
        if mailbox is None or mailbox.upn != user.strip().lower():
            return AuthResult(success=False, handled=False, message=REPLY_BAD_TOKEN)
        refusal = state.smtp_auth_refusal(mailbox)
        if refusal is not None:
            return AuthResult(success=False, handled=False, message=REPLY_AUTH_DISABLED[refusal])
        return AuthResult(success=True, auth_data=mailbox.upn, message=REPLY_AUTH_OK)

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if not session.authenticated:
            return REPLY_NOT_AUTHENTICATED
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Sender OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if not session.authenticated:
            return REPLY_NOT_AUTHENTICATED
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.ctx.faults.is_on(SMTP_DROP_MID_DATA):
            # The message arrived but the line goes dead before the reply: it is not stored.
            if server.transport is not None:
                server.transport.abort()
            raise ConnectionResetError("smtp_drop_mid_data fault")
        upn = str(session.auth_data or "")
        content = envelope.original_content or b""
        headers = BytesHeaderParser(policy=default_policy).parsebytes(content)
        header_from = [addr.lower() for _, addr in email.utils.getaddresses([str(v) for v in headers.get_all("From", [])])]
        sender = (envelope.mail_from or "").lower()
        if sender != upn or any(addr != upn for addr in header_from):
            offender = sender if sender != upn else next(a for a in header_from if a != upn)
            return send_as_denied(upn, offender)
        trace = (
            f"Received: from {session.host_name or 'unknown'} ({session.peer[0] if session.peer else ''})\r\n"
            f" by {SERVER_NAME} with ESMTPSA (XOAUTH2 {upn}); {email.utils.formatdate(self.ctx.state.now())}\r\n"
        ).encode("utf-8", "replace")
        await asyncio.to_thread(self.ctx.mail.deliver, envelope.rcpt_tos, trace + content)
        return "250 2.0.0 OK Queued mail for delivery"


def _parse_xoauth2(blob: str) -> tuple[str, str]:
    """``base64("user=" u "\\x01auth=Bearer " t "\\x01\\x01")`` -> (u, t); ("", "") if malformed."""
    try:
        decoded = base64.b64decode(blob, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
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
            ident="Microsoft ESMTP MAIL Service (panel_tui simulator)",
            tls_context=self.tls_context,
            require_starttls=True,
            auth_require_tls=True,
            auth_exclude_mechanism=["PLAIN", "LOGIN"],
            data_size_limit=MAX_MESSAGE_SIZE,
            timeout=300,
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
                session.transport.abort()
        if server is not None:
            await server.wait_closed()

    async def on_fault(self, name: str, on: bool) -> None:
        if name != SMTP_DOWN:
            return
        if on and self._server is not None:
            await self.stop()
        elif not on and self._server is None:
            await self.start()
