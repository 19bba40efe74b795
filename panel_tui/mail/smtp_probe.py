"""Authenticate to the SMTP server without sending, keeping a transcript with secrets masked.

For ``panel-tui doctor``: connect, EHLO, STARTTLS, EHLO, AUTH (XOAUTH2 with an access token, or
Basic with a password: PLAIN when offered, else LOGIN), QUIT. Each line the client sent and
each reply is kept in order, as Microsoft's SmtpClientDiag shows them; the AUTH arguments are
replaced by the mask (a token, a password, even base64 of them never enters the transcript).
A refusal is classified by the same table as a send.
"""
from __future__ import annotations

import ssl
from dataclasses import dataclass, field

from panel_tui.mail.errors import MailError, scrub
from panel_tui.mail.smtp import classify_smtp_failure

CLIENT_NAME = "printer.local"


@dataclass
class AuthProbe:
    """What happened: `error` None when the server answered 235; `transcript` lines start with
    ``C:`` (the client) or ``S:`` (the server)."""

    mechanism: str
    transcript: list[str] = field(default_factory=list)
    error: MailError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _replies(transcript: list[str], code: int, message: str) -> None:
    lines = (message or "").splitlines() or [""]
    for index, line in enumerate(lines):
        separator = " " if index == len(lines) - 1 else "-"
        transcript.append(f"S: {code}{separator}{line}".rstrip())


async def probe_auth(host: str, port: int, context: ssl.SSLContext, user: str, *, token: str | None = None,
                     password: str | None = None, mask: str = "********", timeout: float = 15.0) -> AuthProbe:
    """AUTH as `user` with `token` (XOAUTH2) or `password` (Basic) over STARTTLS; never raises
    for the server's or the network's reasons (they land in ``error``)."""
    import aiosmtplib

    mechanism = "XOAUTH2" if token is not None else "PLAIN"
    probe = AuthProbe(mechanism)
    say = probe.transcript
    client = aiosmtplib.SMTP(hostname=host, port=port, timeout=timeout, start_tls=False, local_hostname=CLIENT_NAME)
    stage = "connect"
    try:
        greeting = await client.connect()
        _replies(say, greeting.code, greeting.message)
        stage = "ehlo"
        say.append(f"C: EHLO {CLIENT_NAME}")
        reply = await client.ehlo()
        _replies(say, reply.code, reply.message)
        stage = "starttls"
        say.append("C: STARTTLS")
        reply = await client.starttls(tls_context=context)
        _replies(say, reply.code, reply.message)
        say.append("   (TLS established)")
        stage = "ehlo"
        say.append(f"C: EHLO {CLIENT_NAME}")
        reply = await client.ehlo()
        _replies(say, reply.code, reply.message)
        stage = "auth"
        if token is not None:
            say.append(f"C: AUTH XOAUTH2 {mask}")
            reply = await client.auth_xoauth2(user, token)
        elif "plain" in {m.lower() for m in client.server_auth_methods}:
            say.append(f"C: AUTH PLAIN {mask}")
            reply = await client.auth_plain(user, password or "")
        else:
            probe.mechanism = "LOGIN"
            say.extend([f"C: AUTH LOGIN {mask}", f"C: {mask}"])
            reply = await client.auth_login(user, password or "")
        _replies(say, reply.code, reply.message)
        say.append("C: QUIT")
        reply = await client.quit()
        _replies(say, reply.code, reply.message)
    except Exception as error:  # noqa: BLE001 - every failure is classified, none escapes
        if isinstance(error, aiosmtplib.SMTPResponseException):
            _replies(say, error.code, error.message)
        else:
            say.append(f"   ({type(error).__name__}: {scrub(error)})")
        probe.error = classify_smtp_failure(error, "starttls", stage)
        client.close()
    for secret in (token, password):  # belt and braces: nothing the server echoed carries them
        if secret:
            probe.transcript = [line.replace(secret, mask) for line in probe.transcript]
    return probe
