"""Sending through the email server with aiosmtplib: STARTTLS (or SSL/TLS), AUTH XOAUTH2.

Certificates are validated by default against the system store plus the CA certificates
imported into the printer; validation is off only when the administrator turns it off.
Against the simulator (which answers only for Microsoft's names and loopback) the system store
can vouch for nothing it serves, and loading it costs more than the rest of a send: only the
given CA files are trusted there (``system_store=False``).
Every failure comes out as :class:`MailError` with a cause of the error table.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import os
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from aiosmtplib import SMTPResponse

from panel_tui.mail.errors import MailError, scrub
from panel_tui.mail.providers import Provider, UnknownHostError

Security = Literal["starttls", "ssl_tls", "none"]
SECURITIES: tuple[str, ...] = ("starttls", "ssl_tls", "none")
DEFAULT_TIMEOUT = 30.0
TokenGetter = Callable[[], "str | Awaitable[str]"]
# Told how far a send got: "connected", "authenticated", "data_sent" (the message and its final
# dot are being written: from here the server may have it), "accepted" (250 after DATA).
StageListener = Callable[[str], None]


@dataclass(frozen=True)
class SendReceipt:
    """What the server said when it took the message."""

    host: str
    port: int
    reply: str
    recipients: tuple[str, ...]


def ca_files(ca_dirs: Iterable[Path | str] = (), extra: Iterable[Path | str] = ()) -> list[Path]:
    """PEM files to trust besides the system store: *.pem/*.crt in `ca_dirs`, plus `extra`."""
    found: list[Path] = []
    for directory in ca_dirs:
        try:  # one listing, the file types from it (no stat of each entry)
            with os.scandir(directory) as entries:
                found += sorted(Path(e.path) for e in entries
                                if os.path.splitext(e.name)[1].lower() in (".pem", ".crt") and e.is_file())
        except (FileNotFoundError, NotADirectoryError):
            continue
    found += [Path(p) for p in extra]
    return found


def tls_context(validate_certs: bool = True, extra_ca_paths: Iterable[Path | str] = (),
                system_store: bool = True) -> ssl.SSLContext:
    """A client TLS context: system store (unless `system_store` is False) + `extra_ca_paths`,
    or no validation at all if asked.

    Contexts are reused while the CA files are unchanged: loading the system store costs
    tens of milliseconds, more than the rest of a send.
    """
    stamps = []
    for path in extra_ca_paths:
        try:
            stamps.append((str(path), Path(path).stat().st_mtime_ns))
        except OSError as error:
            raise MailError("certificate_untrusted",
                            f"CA certificate {Path(path).name} unreadable: {error.strerror}") from None
    return _cached_context(bool(validate_certs), tuple(stamps), bool(system_store))


@functools.lru_cache(maxsize=16)
def _cached_context(validate_certs: bool, stamps: tuple[tuple[str, int], ...],
                    system_store: bool = True) -> ssl.SSLContext:
    if system_store or not validate_certs:
        context = ssl.create_default_context()
    else:  # the same settings as create_default_context(), without the system's roots
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    for path, _mtime in stamps:
        try:
            context.load_verify_locations(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise MailError("certificate_untrusted", f"CA certificate {Path(path).name} unusable: {error}") from None
    return context


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


# Exchange Online's answers, most specific first: (code or None for any, words in the reply,
# cause). Each has its own cause, message, fix and fixer in the device's error table.
_EXCHANGE_REPLIES: tuple[tuple[int | None, tuple[str, ...], str], ...] = (
    (550, ("5.7.30",), "basic_auth_removed"),               # Basic: final removal
    (535, ("5.7.139", "basic authentication is disabled"), "basic_auth_disabled"),  # MC786329 cutoff
    (535, ("5.7.139", "credentials were incorrect"), "auth_failed"),  # Basic: account or password
    (535, ("5.7.139", "did not meet the criteria"), "smtp_auth_blocked"),  # lockout, policy
    (535, ("5.7.139", "for the mailbox"), "smtp_auth_disabled_mailbox"),
    (535, ("5.7.139", "for the tenant"), "smtp_auth_disabled_tenant"),
    (535, ("5.7.139", "security defaults"), "smtp_auth_security_defaults"),
    (535, ("5.7.139",), "smtp_auth_disabled"),
    (550, ("5.7.60",), "send_as_not_permitted"),            # envelope sender without Send As
    (None, ("sendasdenied",), "send_as_denied"),            # 554 5.2.252: From header without it
    (554, ("5.2.252",), "send_as_denied"),
    (None, ("outboundspamexception",), "outbound_spam"),    # 554 5.2.0
    (550, ("5.7.501",), "spam_abuse_detected"),
    (550, ("5.7.511",), "banned_sender"),
    (550, ("5.1.8",), "restricted_sender"),
    (452, ("4.5.3",), "too_many_recipients"),
    (451, ("4.7.500",), "server_busy"),
    (421, ("4.3.2",), "service_unavailable"),
    (530, ("5.7.57",), "not_authenticated"),
    (535, ("5.7.3",), "token_rejected"),
)
# Answers that say "try again later": retried with backoff before the job fails.
TRANSIENT_CAUSES = frozenset({"server_busy", "service_unavailable"})


def _reply_cause(code: int, message: str) -> str | None:
    text = f"{code} {message}".lower()
    for want, words, name in _EXCHANGE_REPLIES:
        if (want is None or code == want) and all(word in text for word in words):
            return name
    if code == 552 or "5.3.4" in text or "too big" in text or "too much mail data" in text:
        return "message_too_large"
    if code in (530, 538) and ("5.7.0" in text or "5.7.11" in text or "starttls" in text):
        return "secure_connection_mismatch"  # the server wants TLS first
    if code == 535:
        return "token_rejected"
    return None


def classify_smtp_failure(error: BaseException, security: str = "starttls", stage: str = "") -> MailError:
    """The MailError for an exception raised while talking to the SMTP server: the first of the
    judges below that recognises it (their order matters), else a connection failure."""
    import aiosmtplib

    if isinstance(error, MailError):
        return error
    chain = _chain(error)
    found = (_unreachable_or_untrusted(chain, stage) or _server_refusal(error, stage)
             or _secure_connection_mismatch(error, chain, security, stage))
    if found is not None:
        return found
    if isinstance(error, (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError, TimeoutError, EOFError)):
        return MailError("connection_failed", f"{stage}: {type(error).__name__}: {error}")
    return MailError("connection_failed", f"{stage}: unexpected {type(error).__name__}: {error}")


def _unreachable_or_untrusted(chain: list[BaseException], stage: str) -> MailError | None:
    """A name that does not resolve, or a certificate nobody trusted vouches for."""
    for item in chain:
        if isinstance(item, socket.gaierror):
            return MailError("dns_failure", f"{stage}: name not found ({item.strerror or item})")
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            why = getattr(item, "verify_message", None) or getattr(item, "reason", None) or item
            return MailError("certificate_untrusted", f"{stage}: {why}")
    return None


def _server_refusal(error: BaseException, stage: str) -> MailError | None:
    """The server's own answer: Exchange's replies (`_EXCHANGE_REPLIES`), a refused recipient."""
    import aiosmtplib

    if isinstance(error, aiosmtplib.SMTPResponseException):
        cause = _reply_cause(error.code, error.message)
        if cause is None:
            cause = "token_rejected" if isinstance(error, aiosmtplib.SMTPAuthenticationError) else "connection_failed"
        return MailError(cause, f"{stage}: {error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        first = error.recipients[0] if error.recipients else None
        cause = _reply_cause(first.code, first.message) if first is not None else None
        if first is not None and cause:
            return MailError(cause, f"{stage}: {first.code} {first.message}")
        return MailError("connection_failed", f"{stage}: recipients refused")
    return None


def _secure_connection_mismatch(error: BaseException, chain: list[BaseException], security: str,
                                stage: str) -> MailError | None:
    """TLS where the server speaks plain text, or the reverse (the wrong port for the method)."""
    import aiosmtplib

    for item in chain:
        if isinstance(item, ssl.SSLError):
            why = getattr(item, "reason", None) or item
            return MailError("secure_connection_mismatch", f"{stage}: TLS handshake failed ({why})")
    if isinstance(error, aiosmtplib.SMTPNotSupported) or (
        isinstance(error, aiosmtplib.SMTPException) and "STARTTLS" in str(error).upper()
    ):
        return MailError("secure_connection_mismatch", f"{stage}: {error}")
    if isinstance(error, aiosmtplib.SMTPServerDisconnected) and security == "ssl_tls" and stage == "connect":
        return MailError("secure_connection_mismatch", f"{stage}: connection closed during the TLS handshake")
    return None


async def _token(getter: TokenGetter) -> str:
    value = getter()
    if inspect.isawaitable(value):
        value = await value
    return str(value)


class _Conversation:
    """One SMTP session step by step, remembering the stage for error messages."""

    def __init__(self, host: str, port: int, security: str, context: ssl.SSLContext, timeout: float,
                 on_stage: StageListener | None = None) -> None:
        import aiosmtplib

        if security not in SECURITIES:
            raise ValueError(f"unknown secure connection {security!r}; expected one of {', '.join(SECURITIES)}")
        self.security = security
        self.stage = "connect"
        self.client = aiosmtplib.SMTP(
            hostname=host, port=port, timeout=timeout, use_tls=security == "ssl_tls",
            start_tls=False, tls_context=context if security == "ssl_tls" else None,
        )
        self.context = context
        self.on_stage = on_stage
        self.auth_reply = ""

    def reached(self, stage: str) -> None:
        if self.on_stage is not None:
            self.on_stage(stage)

    async def open(self, user: str, token_getter: TokenGetter, password: str | None = None) -> None:
        self.stage = "connect"
        await self.client.connect()
        self.stage = "ehlo"
        await self.client.ehlo()
        if self.security == "starttls":
            self.stage = "starttls"
            await self.client.starttls(tls_context=self.context)
            self.stage = "ehlo"
            await self.client.ehlo()  # capabilities change after STARTTLS (AUTH appears)
        self.reached("connected")
        if password is not None:  # SMTP-AUTH: Basic authentication with the account's password
            self.stage = "auth"
            reply = await self.client.login(user, password)
        else:
            self.stage = "token"
            token = await _token(token_getter)
            self.stage = "auth"
            reply = await self.client.auth_xoauth2(user, token)
        self.auth_reply = f"{reply.code} {reply.message}".strip()  # the server's own words
        self.reached("authenticated")

    async def send(self, message: Message, sender: str,
                   recipients: list[str]) -> tuple[dict[str, SMTPResponse], str]:
        """MAIL, RCPT, DATA; tells `on_stage("data_sent")` just before the message data goes out."""
        protocol = self.client.protocol
        if protocol is None:
            return await self.client.send_message(message, sender=sender, recipients=recipients)  # raises
        write = protocol.write

        def write_noting_data(data: bytes) -> None:
            # aiosmtplib writes "DATA" alone, then the whole message ending with its final dot.
            if data.endswith(b".\r\n") and data != b"DATA\r\n":
                self.stage = "data"
                self.reached("data_sent")
            write(data)

        protocol.write = write_noting_data  # type: ignore[method-assign]  # this connection only
        try:
            return await self.client.send_message(message, sender=sender, recipients=recipients)
        finally:
            vars(protocol).pop("write", None)

    async def close(self) -> None:
        if self.client.is_connected:
            try:
                await self.client.quit()
            except Exception:  # the server hung up first: nothing left to close politely
                self.client.close()


def _endpoint(provider_or_host: Provider | str, port: int | None) -> tuple[str, int]:
    try:
        if isinstance(provider_or_host, Provider):
            return provider_or_host.smtp_address(None, port)
        return str(provider_or_host), int(port or 587)
    except UnknownHostError as error:
        raise MailError("dns_failure", f"connect: name not found ({error.args[0]})") from None


async def send_message(
    provider_or_host: Provider | str,
    port: int | None,
    sender: str,
    recipients: Sequence[str],
    message: Message,
    token_getter: TokenGetter,
    *,
    auth_user: str | None = None,
    password: str | None = None,
    security: Security | str = "starttls",
    validate_certs: bool = True,
    extra_ca_paths: Iterable[Path | str] = (),
    system_store: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    on_stage: StageListener | None = None,
) -> SendReceipt:
    """Connect, STARTTLS, EHLO, AUTH XOAUTH2 as `auth_user` (default `sender`), send, QUIT.

    `token_getter` returns (or awaits to) the access token; it is called after TLS is up,
    only once per message. With a `password` (the SMTP-AUTH method) the AUTH is Basic
    instead (aiosmtplib's login: PLAIN or LOGIN, whichever the server offers) and the token
    getter is never called. `on_stage` hears how far the send got (see StageListener).
    Raises MailError with the cause of any failure.
    """
    host, port = _endpoint(provider_or_host, port)
    security = str(security)
    context = tls_context(validate_certs, extra_ca_paths, system_store)
    conversation = _Conversation(host, port, security, context, timeout, on_stage)

    async def exchange() -> str:
        await conversation.open(auth_user or sender, token_getter, password)
        conversation.stage = "send"
        errors, reply = await conversation.send(message, sender, list(recipients))
        conversation.reached("accepted")
        if errors:
            first = next(iter(errors.values()))
            cause = _reply_cause(first.code, first.message) or "connection_failed"
            raise MailError(cause, f"send: {first.code} {first.message}")
        return reply

    reply = await _guarded(conversation, security, exchange)
    return SendReceipt(host, port, scrub(reply), tuple(recipients))


async def connection_check(
    provider_or_host: Provider | str,
    port: int | None,
    user: str,
    token_getter: TokenGetter,
    *,
    password: str | None = None,
    security: Security | str = "starttls",
    validate_certs: bool = True,
    extra_ca_paths: Iterable[Path | str] = (),
    system_store: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    on_stage: StageListener | None = None,
) -> str:
    """Connect, STARTTLS, AUTH XOAUTH2, QUIT without sending; returns the AUTH reply line."""
    host, port = _endpoint(provider_or_host, port)
    security = str(security)
    context = tls_context(validate_certs, extra_ca_paths, system_store)
    conversation = _Conversation(host, port, security, context, timeout, on_stage)
    await _guarded(conversation, security, lambda: conversation.open(user, token_getter, password))
    return scrub(conversation.auth_reply)


T = TypeVar("T")


async def _guarded(conversation: _Conversation, security: str, exchange: Callable[[], Awaitable[T]]) -> T:
    """Run `await exchange()` on the conversation, then QUIT; any failure drops the connection
    and becomes a MailError (cancellation is passed on as it is)."""
    try:
        result = await exchange()
    except MailError:
        await _abandon(conversation)
        raise
    except BaseException as error:
        await _abandon(conversation)
        if isinstance(error, asyncio.CancelledError):
            raise
        raise classify_smtp_failure(error, security, conversation.stage) from None
    await conversation.close()
    return result


async def _abandon(conversation: _Conversation) -> None:
    with contextlib.suppress(Exception):  # closing a broken transport must not hide the real failure
        conversation.client.close()
