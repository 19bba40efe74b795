"""Jobs that send mail: each one is a row of the printer's job log with its outcome.

A job is recorded (``running``) before anything touches the network, together with what it
needs to be sent again (type, recipients, subject, body, attachment paths under the data
directory, the To My Email user; never a token or password), in one transaction of the job
log: there is no moment when a job exists without its request, or a request without its job.
Each job records how far it got (queued, connected, authenticated, DATA sent, accepted; what
survives a kill -9 or a power cut at each stage is said in `panel_tui.device.joblog`). A crash
leaves the row ``running`` until the job log marks it ``interrupted`` on the next start, or
``unconfirmed`` if the message data had gone out (it may have arrived); a failure leaves it
``error`` with its code. ``retry(job_id)`` claims the job in one transaction (two retries at
once send once) and sends it again as a new job with the same Message-ID and Date, so a
duplicate can be recognised downstream; the request moves to the new job.

Only the APPLIED settings are used (``printer.settings``): the pending edits of Web Config
never reach a job, which is exactly the guide's "signed in but not saved" trap.
"""
from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from email.encoders import encode_base64
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.joblog import JOB_TYPES, UNCONFIRMED_NOTE, Job, JobLogError, RetryRefused
from panel_tui.device.settings import AuthMethod, EmailServerSettings
from panel_tui.device.status_sheet import SignInInfo
from panel_tui.device.validation import FieldError, validate_recipient, validate_subject
from panel_tui.mail import smtp  # light: aiosmtplib loads with the first send
from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE, OAuthSession
from panel_tui.mail.errors import MailError, scrub
from panel_tui.mail.providers import Provider, UnknownHostError
from panel_tui.mail.scan import write_scanned_page
from panel_tui.mail.smtp import TRANSIENT_CAUSES

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.device.printer import Printer

log = logging.getLogger(__name__)

# Where versions before requests were stored in the job log kept them, one file per job: adopted
# into the job log (and removed) when the mail jobs start.
SPOOL_DIR_NAME = "mail-spool"
SCANS_DIR_NAME = "scans"
SessionFactory = Callable[[EmailServerSettings], OAuthSession]
# Exchange's "try again later" (451 4.7.500, 421 4.3.2): the printer waits and tries again,
# before the job fails with a clear code. Seconds before the 2nd, 3rd ... attempt.
TRANSIENT_RETRY_DELAYS: tuple[float, ...] = (2.0, 6.0)


class InvalidRequest(ValueError):
    """A job was refused before it started (bad address, unknown type); `key` is a locale key."""

    def __init__(self, key: str, detail: str = "") -> None:
        self.key = key
        super().__init__(f"{key}: {detail}" if detail else key)


@dataclass(frozen=True)
class MailRequest:
    """What a job sends. Stored as JSON with the job for a retry; holds no secret."""

    job_type: str
    recipients: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    attachments: tuple[str, ...] = ()  # file paths (scans live under the data directory)
    user: str | None = None  # To My Email: the signed-in user, who is sender and recipient
    retry_of: int | None = None
    # Fixed when the job is first recorded and kept by every retry: a duplicate is recognisable.
    message_id: str | None = None
    date: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["schema"] = 1
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> MailRequest:
        """Rebuild a stored request (ValueError if the text is not one)."""
        data = json.loads(text)
        if not isinstance(data, dict) or "job_type" not in data:
            raise ValueError("not a stored mail job")
        retry_of = data.get("retry_of")
        return cls(
            job_type=str(data["job_type"]),
            recipients=tuple(str(r) for r in data.get("recipients", ())),
            subject=str(data.get("subject", "")),
            body=str(data.get("body", "")),
            attachments=tuple(str(a) for a in data.get("attachments", ())),
            user=data.get("user") if isinstance(data.get("user"), str) else None,
            retry_of=retry_of if isinstance(retry_of, int) and not isinstance(retry_of, bool) else None,
            message_id=data["message_id"] if isinstance(data.get("message_id"), str) else None,
            date=data["date"] if isinstance(data.get("date"), str) else None,
        )

    def summary(self) -> str:
        """The job log's detail line while it runs (addresses, subject, attachment names)."""
        parts = []
        if self.user:
            parts.append(f"user {self.user}")
        if self.recipients:
            parts.append("to " + ", ".join(self.recipients))
        if self.subject:
            parts.append(f"subject {self.subject!r}")
        if self.attachments:
            parts.append("attached " + ", ".join(Path(a).name for a in self.attachments))
        if self.retry_of is not None:
            parts.append(f"retry of #{self.retry_of}")
        return "; ".join(parts)


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: the job log row, and the MailError if it failed."""

    job: Job
    error: MailError | None = None
    reply: str = ""

    @property
    def ok(self) -> bool:
        return self.job.result == "ok"

    @property
    def unconfirmed(self) -> bool:
        """The message data went out but no reply came: it may have arrived."""
        return self.job.result == "unconfirmed"

    @property
    def job_id(self) -> int:
        return self.job.id


@dataclass
class _Route:
    settings: EmailServerSettings
    role: str
    printer_name: str


class MailJobs:
    """Runs mail jobs for one printer. `session_factory(email_server_settings)` gives the
    OAuthSession of the applied email service (the same object each time is fine).

    `extra_ca_paths` are trusted besides the system store (live mode only) and the CA
    certificates imported into the printer (``paths.ca_dir``); leave it empty to reproduce
    "untrusted".
    """

    def __init__(self, printer: Printer, session_factory: SessionFactory, *, extra_ca_paths: Iterable[Path | str] = (),
                 timeout: float = 30.0) -> None:
        self.printer = printer
        # One job after another on one connection: no WAL checkpoint per job (commits stay synced).
        printer.joblog.linger = True
        self.session_factory = session_factory
        self.extra_ca_paths = tuple(extra_ca_paths)
        self.timeout = timeout
        self.scans_dir = Path(printer.paths.data_dir) / SCANS_DIR_NAME
        self._adopt_spool_files()

    # -- what the panel calls ----------------------------------------------------------

    def signin_info(self, role: str = EMAIL_SERVER_ROLE) -> SignInInfo:
        """The applied email server's sign-in state (for Printer.signin_provider)."""
        route = self._route("fax_email" if role == FAX_EMAIL_SERVER_ROLE else "test_mail")
        return self.session_factory(route.settings).signin_info(role)

    def install_signin_provider(self) -> None:
        """Let the printer's status screens and sheet ask us for the sign-in state."""
        self.printer.signin_provider = self.signin_info

    async def connection_check(self) -> JobOutcome:
        """Network Settings > Advanced > Email Server > Connection Check (no mail sent)."""
        return await self.run(MailRequest("connection_check"))

    async def test_mail(self, to: str | Sequence[str], subject: str = "", body: str = "") -> JobOutcome:
        name = self.printer.settings.printer_name
        return await self.run(MailRequest(
            "test_mail", _addresses(to), subject or f"Test email from {name}",
            body or f"This is a test email sent by {name} using OAuth 2.0.",
        ))

    async def scan_to_email(self, to: str | Sequence[str], subject: str = "", lines: Sequence[str] = ()) -> JobOutcome:
        """Scan to Email: a generated scanned page (PDF) attached."""
        recipients = _addresses(to)
        pdf = self._scan(lines or ("Scanned document", self.printer.settings.printer_name))
        return await self.run(MailRequest(
            "scan_to_email", recipients, subject or "Scanned document",
            "Scanned with " + self.printer.settings.printer_name + ".", (str(pdf),),
        ))

    async def to_my_email(self, user: str, subject: str = "", lines: Sequence[str] = ()) -> JobOutcome:
        """To My Email: sent from and to the signed-in user's own address (370 without a sign-in)."""
        user = _addresses(user)[0]
        pdf = self._scan(lines or ("Scanned document", user))
        return await self.run(MailRequest(
            "to_my_email", (user,), subject or "Scanned document", "Sent with To My Email.", (str(pdf),), user=user,
        ))

    async def fax_email(self, to: str | Sequence[str], subject: str = "", lines: Sequence[str] = ()) -> JobOutcome:
        """A fax sent through the internet fax provider's email server (Fax > Email Server Settings)."""
        pdf = self._scan(lines or ("Fax", self.printer.settings.printer_name), stem="fax")
        return await self.run(MailRequest(
            "fax_email", _addresses(to), subject or "Fax", "Fax document attached.", (str(pdf),),
        ))

    async def retry(self, job_id: int) -> JobOutcome:
        """Send a failed, interrupted or unconfirmed job again, as a new job (its request moves along).

        The job is claimed in one transaction: a second retry of it at the same time is refused
        (InvalidRequest "job.already_retried"). The new job keeps the Message-ID and Date.
        """
        job = self.printer.joblog.get(job_id)
        if job is None:
            raise KeyError(f"no job with id {job_id}")
        if job.retried_by is not None:
            raise InvalidRequest("job.already_retried", f"job #{job_id} was sent again as #{job.retried_by}")
        if job.result in ("ok", "running"):
            raise InvalidRequest("job.retry_not_possible", f"job #{job_id} is {job.result}")
        stored = self.printer.joblog.request_of(job_id)
        if stored is None:  # say why, and how to send it anyway
            raise InvalidRequest("job.retry_nothing_kept", f"nothing stored for job #{job_id}")
        try:
            request = MailRequest.from_json(stored)
        except (ValueError, TypeError, KeyError, RecursionError) as error:
            raise InvalidRequest("job.retry_not_possible",
                                 f"request of job #{job_id} unreadable: {type(error).__name__}") from None
        request = self._stamped(MailRequest(**{**asdict(request), "retry_of": job_id}))
        joblog = self.printer.joblog
        with joblog.kept_open():  # the claim, stages and end on one connection
            try:
                _, new_id = joblog.claim_retry(job_id, request.summary(), request.message_id, request.to_json())
            except RetryRefused as refused:
                raise InvalidRequest(refused.reason, str(refused)) from None
            return await self._run_job(new_id, request)

    def pending_retries(self) -> list[int]:
        """Ids of jobs whose request is kept (failed or interrupted jobs that can be retried)."""
        return self.printer.joblog.kept_requests()

    # -- the job itself ----------------------------------------------------------------

    async def run(self, request: MailRequest) -> JobOutcome:
        """Record `request` (with what a retry needs) and send it; always returns an outcome
        (never raises MailError).

        Refused before a job starts (InvalidRequest): an unknown type, a bad address or a
        subject that is not one line. A job log that cannot be written raises JobLogError.
        """
        if request.job_type not in JOB_TYPES:
            raise InvalidRequest("job.unknown_type", request.job_type)
        try:
            validate_subject(request.subject)
        except FieldError as error:
            raise InvalidRequest(error.key, "subject") from None
        request = self._stamped(request)
        joblog = self.printer.joblog
        with joblog.kept_open():  # start, stages and end on one connection
            # The request with the row: a job killed at any stage, `queued` included, can be sent again.
            job_id = joblog.start(request.job_type, request.summary(), request.message_id, request.to_json())
            return await self._run_job(job_id, request)

    async def _run_job(self, job_id: int, request: MailRequest) -> JobOutcome:
        """Send a recorded job and record how far it got and how it ended.

        Three commits: the job with its request (before anything touches the network), the
        "data_sent" stage (before the message data goes out: a retry after a crash warns that it
        may have arrived), and the end with the stage reached ("connected" and "authenticated"
        are written with it: a job killed before its data went out reads "interrupted" at
        "queued", and is sent again the same way). Each commit is in the job log's WAL when it
        returns: a kill -9 at any point loses none. Against a power cut the job asks the job log
        to flush its WAL to the disk when the message data goes out and when the job ends, on the
        job log's own thread (`JobLog.sync_soon`): the send never waits for the disk.
        """
        joblog = self.printer.joblog
        stage = ["queued"]

        def reached(name: str) -> None:
            stage[0] = name
            if name == "data_sent":  # from here the message may arrive: committed before its data goes out
                joblog.set_stage(job_id, name)
                joblog.sync_soon()
            # "connected", "authenticated", "accepted": written with the job's next commit (its end)

        try:
            return await self._attempt(job_id, request, stage, reached)
        finally:
            joblog.sync_soon()

    async def _attempt(self, job_id: int, request: MailRequest, stage: list[str],
                       reached: Callable[[str], None]) -> JobOutcome:
        joblog = self.printer.joblog
        try:
            reply = await self._perform(request, reached)
        except MailError as error:
            result, note = ("unconfirmed", UNCONFIRMED_NOTE) if stage[0] == "data_sent" else ("error", "")
            # The job's explanation (code, message, fix, fixer) is decided here and stored with it.
            detail = _join(request.summary(), f"{error.cause_name}: {error.detail}", note)
            job = joblog.finish(job_id, result, detail=detail, cause=error.cause, cause_name=error.cause_name,
                                reason=error.detail, stage=stage[0])
            log.info("job %d %s: %s (%d)", job_id, "unconfirmed" if note else "failed", error.cause_name, error.code)
            return JobOutcome(job, error)
        except asyncio.CancelledError:
            if stage[0] == "data_sent":
                joblog.finish(job_id, "unconfirmed", detail=_join(request.summary(), UNCONFIRMED_NOTE))
            else:
                joblog.finish(job_id, "interrupted", detail=_join(request.summary(), "interrupted"), stage=stage[0])
            raise
        except OSError as error:  # the printer's own storage (a full disk): not the network's fault
            log.warning("job %d: %s", job_id, error)
            where = Path(error.filename) if error.filename else None
            name = f"{where.parent.name}/{where.name}" if where else "a file"  # short: the detail is scrubbed
            job = joblog.finish(job_id, "error", detail=_join(
                request.summary(), f"cannot write {name}: {error.strerror or error}"), stage=stage[0])
            return JobOutcome(job, None)
        except Exception as error:  # a bug must not lose the job: it stays visible and retryable
            log.exception("job %d crashed", job_id)
            job = joblog.finish(job_id, "error", detail=_join(request.summary(), f"unexpected {type(error).__name__}"),
                                stage=stage[0])
            return JobOutcome(job, None)
        job = joblog.finish(job_id, "ok", detail=_join(request.summary(), reply))  # its request dropped
        return JobOutcome(job, None, reply)

    async def _perform(self, request: MailRequest, reached: Callable[[str], None]) -> str:
        route = self._route(request.job_type)
        settings = route.settings
        if settings.auth_method is AuthMethod.SMTP_AUTH and request.job_type != "to_my_email":
            return await _with_backoff(lambda: self._perform_basic(request, route, reached))
        if settings.auth_method is not AuthMethod.OAUTH2:
            raise MailError("auth_method_not_oauth2",
                            f"applied authentication method is {settings.auth_method.value}, not oauth2")
        session = self.session_factory(settings)
        provider = session.provider
        account = request.user if request.job_type == "to_my_email" else None
        auth_user = account or session.account_for(route.role) or settings.account
        sender = account or settings.sender or auth_user
        # The message first: a missing attachment fails before any token or connection.
        message = None if request.job_type == "connection_check" else self._message(request, sender, route)
        # Silent acquisition next: not signed in / expired fail before any connection.
        token = session.cached_token_for_send(account, route.role)  # no thread while it surely holds
        if token is None:
            token = await asyncio.to_thread(session.acquire_token_for_send, account, route.role)
        common: dict[str, Any] = dict(
            security=settings.secure_connection.value,
            validate_certs=settings.cert_validation,
            extra_ca_paths=smtp.ca_files([self.printer.paths.ca_dir], self.extra_ca_paths),
            system_store=not provider.is_simulator,  # it serves loopback only, with its own CA
            timeout=self.timeout,
            on_stage=reached,
        )
        host, port = self._server(provider, settings)

        async def attempt(token: str) -> str:
            if message is None:
                return await smtp.connection_check(host, port, auth_user, lambda: token, **common)
            receipt = await smtp.send_message(host, port, sender, list(request.recipients), message,
                                              lambda: token, auth_user=auth_user, **common)
            return receipt.reply

        return await _with_backoff(
            lambda: retry_once_with_fresh_token(session, account, route.role, token, attempt))

    async def _perform_basic(self, request: MailRequest, route: _Route, reached: Callable[[str], None]) -> str:
        """The SMTP-AUTH method: AUTH with the account and password from Web Config (Basic
        authentication), as printers did before OAuth 2.0. Exchange Online decides: until the
        end of December 2026 it accepts, then it answers 535 5.7.139 (basic_auth_disabled)."""
        settings = route.settings
        if not settings.account or not settings.password:
            raise MailError("auth_failed", "SMTP-AUTH needs the authenticated account and password")
        provider = self.session_factory(settings).provider  # where the server is; no sign-in used
        sender = settings.sender or settings.account
        message = None if request.job_type == "connection_check" else self._message(request, sender, route)
        common: dict[str, Any] = dict(
            password=settings.password,
            security=settings.secure_connection.value,
            validate_certs=settings.cert_validation,
            extra_ca_paths=smtp.ca_files([self.printer.paths.ca_dir], self.extra_ca_paths),
            system_store=not provider.is_simulator,
            timeout=self.timeout,
            on_stage=reached,
        )
        host, port = self._server(provider, settings)
        if message is None:
            return await smtp.connection_check(host, port, settings.account, lambda: "", **common)
        receipt = await smtp.send_message(host, port, sender, list(request.recipients), message,
                                          lambda: "", auth_user=settings.account, **common)
        return receipt.reply

    # -- pieces ------------------------------------------------------------------------

    def _route(self, job_type: str) -> _Route:
        applied = self.printer.settings  # read once a job: each read looks at the file (another process's save)
        if job_type == "fax_email":
            return _Route(applied.fax_email_server, FAX_EMAIL_SERVER_ROLE, applied.printer_name)
        return _Route(applied.email_server, EMAIL_SERVER_ROLE, applied.printer_name)

    @staticmethod
    def _server(provider: Provider, settings: EmailServerSettings) -> tuple[str, int]:
        try:
            return provider.smtp_address(settings.smtp_server or None, settings.smtp_port or None)
        except UnknownHostError as error:
            raise MailError("dns_failure", f"connect: name not found ({error.args[0]})") from None

    def _message(self, request: MailRequest, sender: str, route: _Route) -> Message:
        """The job's message: text body, attachments (a MailError if one is gone), headers.

        Built with the email package's compat32 classes: the headers, body and attachments a
        reader sees are those EmailMessage gives, for a tenth of its cost (its header registry
        parses and refolds every header), which was a tenth of a whole send."""
        body = _text_part(request.body or "")
        attachments = [_attachment(Path(name)) for name in request.attachments]
        message: Message = body
        if attachments:
            message = MIMEMultipart()
            for part in (body, *attachments):
                del part["MIME-Version"]  # said once, at the top
                message.attach(part)
        headers = (
            ("From", sender),
            ("To", ", ".join(request.recipients)),
            ("Subject", request.subject),
            ("Date", request.date or email.utils.format_datetime(self.printer.local_now())),
            ("Message-ID", request.message_id or _new_message_id(sender)),
            ("X-Mailer", f"{route.printer_name} (panel_tui)"),
        )
        for name, value in headers:
            if value.isascii():
                message[name] = value
            else:  # RFC 2047 encoded words: compat32 takes a Header where typeshed says str
                message[name] = Header(value, "utf-8")  # type: ignore[assignment]
        return message

    def _stamped(self, request: MailRequest) -> MailRequest:
        """`request` with its Message-ID and Date fixed (kept as they are on a retry)."""
        if request.message_id and request.date:
            return request
        settings = self._route(request.job_type).settings
        sender = request.user or settings.sender or settings.account
        return dataclasses.replace(
            request,
            message_id=request.message_id or _new_message_id(sender),
            date=request.date or email.utils.format_datetime(self.printer.local_now()),
        )

    def _scan(self, lines: Sequence[str], stem: str = "scan") -> Path:
        return write_scanned_page(self.scans_dir, list(lines), self.printer.local_now(), stem=stem)

    def _adopt_spool_files(self) -> None:
        """Requests an older version kept in files (`SPOOL_DIR_NAME`: job-N.json, and
        pending-<Message-ID in hex>.json written before its job existed) move into their jobs'
        rows; a file no job can use (its job succeeded, or never started) is removed."""
        folder = Path(self.printer.paths.data_dir) / SPOOL_DIR_NAME
        try:
            files = sorted(folder.iterdir())
        except OSError:  # none (this version writes none), or unreadable: nothing to adopt
            return
        try:
            for path in files:
                self._adopt_spool_file(path)
            folder.rmdir()
        except JobLogError as error:  # kept for a start whose job log works
            log.warning("requests in %s not adopted: %s", folder, error.problem)
        except OSError as error:
            log.warning("cannot tidy %s: %s", folder, error.strerror or error)

    def _adopt_spool_file(self, path: Path) -> None:
        name = path.name
        if name.endswith(".json") and name.startswith(("job-", "pending-")):
            text = path.read_bytes().decode("utf-8", errors="replace")  # damage stays damage: retry says so
            kind, _, key = name[:-len(".json")].partition("-")
            if kind == "job" and key.isdigit():
                self.printer.joblog.adopt_request(text, job_id=int(key))
            elif kind == "pending":
                try:
                    message_id = bytes.fromhex(key).decode("utf-8")
                except ValueError:
                    message_id = None
                if message_id:
                    self.printer.joblog.adopt_request(text, message_id=message_id)
        path.unlink()


def _text_part(body: str) -> MIMEText:
    return MIMEText(body, "plain", "us-ascii" if body.isascii() else "utf-8")


def _attachment(path: Path) -> MIMEBase:
    """A file as an attachment (base64, its type guessed from its name)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MailError("attachment_missing", f"attachment {path} no longer exists") from None
    except OSError as error:
        raise MailError("attachment_missing", f"attachment {path} unreadable: {error.strerror}") from None
    ctype, _ = mimetypes.guess_type(path.name)
    maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
    part = MIMEBase(maintype, subtype)
    part.set_payload(data)
    encode_base64(part)
    name = path.name
    part.add_header("Content-Disposition", "attachment", filename=name if name.isascii() else ("utf-8", "", name))
    return part


def _new_message_id(sender: str | None) -> str:
    domain = (sender or "").rsplit("@", 1)[-1] if sender and "@" in sender else "printer.invalid"
    return email.utils.make_msgid(domain=domain)


async def retry_once_with_fresh_token(session: OAuthSession, account: str | None, role: str, token: str,
                                      attempt: Callable[[str], Awaitable[str]]) -> str:
    """`await attempt(token)`; when Exchange refuses a token the printer believes valid
    (535 5.7.3: its clock is ahead of the printer's, or the token was cut short), refresh it
    once and try again before failing with 312. AUTH comes before MAIL: nothing was sent."""
    try:
        return await attempt(token)
    except MailError as error:
        if error.cause_name != "token_rejected":
            raise
        log.info("the server refused a cached access token (%s); refreshing it once", error.detail)
    fresh = await asyncio.to_thread(session.acquire_token_for_send, account, role, force_refresh=True)
    return await attempt(fresh)


async def _with_backoff(send: Callable[[], Awaitable[str]]) -> str:
    """`await send()`, tried again after each of TRANSIENT_RETRY_DELAYS while Exchange
    answers "try again later" (server busy, service not available); these come before the
    message data, so nothing was delivered. Other failures end the job at once."""
    for attempt, delay in enumerate((*TRANSIENT_RETRY_DELAYS, None), start=1):
        try:
            return await send()
        except MailError as error:
            if error.cause_name not in TRANSIENT_CAUSES:
                raise
            if delay is None:
                raise MailError(error.cause_name, f"{error.detail} (after {attempt} attempts)") from None
            log.info("attempt %d: %s; trying again in %.0f s", attempt, error.detail, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


def _addresses(to: str | Sequence[str]) -> tuple[str, ...]:
    raw = [to] if isinstance(to, str) else list(to)
    addresses = [a.strip() for item in raw for a in str(item).split(",") if a.strip()]
    if not addresses:
        raise InvalidRequest("rule.required")
    for address in addresses:
        try:
            validate_recipient(address)
        except FieldError as error:
            raise InvalidRequest(error.key, address) from None
    return tuple(addresses)


def _join(*parts: str) -> str:
    return scrub(" | ".join(p for p in parts if p))
