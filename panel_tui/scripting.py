"""Scriptable commands for developers over SSH: the panel's backend, without the TUI.

    panel-tui [--profile P] [--lang en|ro] [--live --client-id ID [--tenant T]] [--sim-url URL] COMMAND

signin, signout, status, send, jobs [retry ID], sheet, config show|set. They use the same
printer profile, job log, token cache and error table as the panel, and start the
embedded simulator unless --live or --sim-url says otherwise.

Exit codes: 0 success; 1 failure (the job error code, the message and the fix are
printed, or the rule a refused value broke); 2 usage error. Results go to stdout,
explanations of failures to stderr. `signin` prints two lines meant for scripts, the
same in every language: ``code: <user code>`` and ``url: <verification URL>``.

Importing this module is cheap: everything heavy is imported by the command that needs it.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import io
import json
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from panel_tui.device.joblog import JOB_ID_MAX, JobLogError, JobTrouble
from panel_tui.device.settings import FIELDS, FIELDS_BY_NAME, AuthMethod
from panel_tui.device.settings_store import SettingsError
from panel_tui.device.status_sheet import email_server_status_rows, render_status_sheet
from panel_tui.device.validation import (
    FieldError,
    shown_value,
    validate_attachment_path,
    validate_recipient,
    validate_subject,
)
from panel_tui.i18n import LocaleError, Translator

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.device.printer import Printer
    from panel_tui.mail.auth import DeviceFlow, OAuthSession, Outcome, SignInResult
    from panel_tui.mail.errors import MailError
    from panel_tui.mail.jobs import JobOutcome

COMMANDS = ("signin", "signout", "status", "send", "jobs", "sheet", "config")
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
# Read from the environment, never from the command line (ps and shell history show those).
ADMIN_PASSWORD_ENV = "PANEL_TUI_ADMIN_PASSWORD"
EPILOG = ("Scriptable commands exit 0 on success, 1 on a failure (the job error code, the message and "
          "the fix are printed), 2 on a usage error. They start the embedded simulator unless --live "
          "or --sim-url says otherwise.")
SECTIONS = {False: "email_server", True: "fax_email_server"}
# The error table's fixes name Web Config; here is the same step from the command line.
COMMAND_FIXES = {
    "not_signed_in": "panel-tui signin",
    "signin_expired": "panel-tui signin",
    "signin_revoked": "panel-tui signin",
    "signin_grant_invalid": "panel-tui signout && panel-tui signin",
    "mfa_required": "panel-tui signin",
    "app_single_tenant": "panel-tui --tenant <your tenant id or domain> signin",
    "tenant_not_identified": "panel-tui --tenant <your tenant id or domain> signin",
    "smtp_auth_security_defaults": "panel-tui doctor",
    "token_rejected": "panel-tui signout && panel-tui signin",
    "auth_method_not_oauth2": "panel-tui config set auth_method oauth2 && panel-tui signin",
}


class CommandExit(Exception):
    """Ends a command with `code`; whatever explains it has been printed already."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# ---- argument parsing (called by panel_tui.cli.build_parser) ------------------------------


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the scriptable commands to the main parser's subcommands."""
    signin = sub.add_parser("signin", help="sign the printer in to the email service (device code); waits")
    _fax_option(signin)
    signout = sub.add_parser("signout", help="delete the email server's sign-in (its tokens) on purpose")
    _fax_option(signout)
    sub.add_parser("status", help="Email Server Status (applied settings, secrets redacted)")
    send = sub.add_parser("send", help="send a test message (optionally with attachments) as a job")
    send.add_argument("--to", required=True, action="append", metavar="ADDR",
                      help="recipient (repeat or separate with commas)")
    send.add_argument("--subject", default="", help="subject (default: Test email from <printer name>)")
    attach = send.add_mutually_exclusive_group()
    attach.add_argument("--attach", action="append", default=[], metavar="FILE", help="attach a file (repeatable)")
    attach.add_argument("--scan", action="store_true",
                        help="send as Scan to Email: the emulated scanned page (PDF) is attached")
    jobs = sub.add_parser("jobs", help="the job log: id, time, type, result, error code")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job, newest first")
    jobs.add_argument("--repair", action="store_true",
                      help="move a job log that cannot be used aside and start a new one")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    retry = jobs_sub.add_parser("retry", help="send a failed or interrupted job again, as a new job")
    retry.add_argument("job_id", type=int, metavar="ID")
    show = jobs_sub.add_parser("show", help="one job: result and, if it failed, the code, message, fix and fixer")
    show.add_argument("job_id", type=int, metavar="ID")
    sub.add_parser("sheet", help="print the network status sheet to stdout (secrets redacted)")
    config = sub.add_parser("config", help="the email server settings: show, or set one field")
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_sub.add_parser("show", help="the applied email server settings (secrets redacted)")
    _fax_option(show)
    set_ = config_sub.add_parser("set", help="set one field, validated as on the panel ('-' reads VALUE from stdin)")
    set_.add_argument("field", metavar="FIELD")
    set_.add_argument("value", metavar="VALUE")
    _fax_option(set_)


def _fax_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fax", action="store_true",
                        help="the fax server's email server (Fax > Fax Server > Email Server Settings)")


# ---- running a command ----------------------------------------------------------------------


class Command:
    """One scriptable command's world: the printer, its backend, the translator, the streams."""

    def __init__(self, args: argparse.Namespace, printer: Printer, backend: Backend,
                 translator: Translator, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.printer = printer
        self.backend = backend
        self.t = translator.t
        self.stdout = out
        self.stderr = err
        self.sessions: list[OAuthSession] = []

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def err(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)

    def fail(self, text: str, code: int = EXIT_FAILURE) -> NoReturn:
        self.err(text)
        raise CommandExit(code)

    # -- shared pieces ------------------------------------------------------------------

    @property
    def section(self) -> str:
        return SECTIONS[bool(getattr(self.args, "fax", False))]

    @property
    def role(self) -> str:
        from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE

        return FAX_EMAIL_SERVER_ROLE if getattr(self.args, "fax", False) else EMAIL_SERVER_ROLE

    def session(self) -> OAuthSession:
        """The OAuth session of the applied email service, after checking the cloud answers.

        Live mode without a client id prints how to register an app; an unreachable
        simulator says how to start one. Both end the command with exit 1.
        """
        from panel_tui.backend import BackendError
        from panel_tui.mail.providers import LiveConfigError

        try:
            self.backend.endpoints()
            session = self.backend.session_for(getattr(self.printer.settings, self.section))
        except LiveConfigError as error:
            self.fail(str(error))
        except (BackendError, OSError) as error:
            self.fail(self.t("cli.backend_unavailable", detail=str(error)))
        if session not in self.sessions:
            self.sessions.append(session)
        return session

    def flush_tokens(self) -> None:
        """Save tokens a full disk kept in memory; if it still cannot, say so (they die with us)."""
        for session in self.sessions:
            if session.cache_save_problem is None or session.save_cache():
                continue
            problem = session.cache_save_problem
            words = (self.t("cli.storage.disk_full") if problem is not None and _is_disk_full(problem)
                     else (problem.strerror if problem is not None else "") or str(problem))
            self.err(self.t("cli.storage.token_cache_unsaved", path=session.cache_path, problem=words))

    def require_admin(self) -> None:
        """With Lock Setting on, the administrator password must come from the environment."""
        if not self.printer.admin.requires_login:
            return
        password = os.environ.get(ADMIN_PASSWORD_ENV)
        if password is None:
            self.fail(self.t("cli.admin.locked", env=ADMIN_PASSWORD_ENV))
        if not self.printer.admin.login(password):
            self.fail(self.t("screen.admin.wrong_password"))

    def storage_problem(self, error: OSError) -> str:
        """A failed write in words: which file, and "the disk is full" when it is."""
        path = error.filename or self.printer.paths.config_dir
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            problem = self.t("cli.storage.disk_full")
        else:
            problem = error.strerror or str(error)
        return self.t("cli.storage.not_saved", path=path, problem=problem)

    def print_joblog_error(self, error) -> None:
        """The job log cannot be used: the file, the problem, and what to do."""
        self.err(self.t("job.log_unusable", path=error.path, problem=error.problem))
        self.err(self.t("job.disk_full_hint" if error.disk_full else "job.repair_hint"))

    def print_error(self, error: MailError) -> None:
        """The error table's words for a failure: code and message, fix and who can apply it."""
        self.print_trouble(JobTrouble(error.code, error.message_key, error.fix_key, error.cause.fixer,
                                      error.cause_name, error.detail))

    def print_trouble(self, trouble: JobTrouble, emit=None) -> None:
        """A failure's code, message, fix and fixer (a job's: as stored when it ended)."""
        t, emit = self.t, emit or self.err
        emit(t("cli.error.code", code=trouble.code, message=t(trouble.message_key)))
        emit(t("cli.error.fix", fixer=t(trouble.fixer_key), fix=t(trouble.fix_key)))
        if trouble.cause in COMMAND_FIXES:
            emit(t("cli.error.command", command=COMMAND_FIXES[trouble.cause]))
        if trouble.reason:
            emit(t("cli.error.detail", detail=trouble.reason))

    def report_outcome(self, outcome: JobOutcome) -> int:
        """Print how a job ended; 0 if it succeeded, else 1 with the error table's words."""
        job = outcome.job
        kind = self.t(job.job_type_key)
        if outcome.ok:
            self.out(self.t("cli.job.completed", id=job.id, type=kind))
            if outcome.reply:
                self.out(self.t("cli.job.reply", reply=outcome.reply))
            return EXIT_OK
        trouble = job.trouble  # as stored with the job: the panel's dialog and Job Status say the same
        if trouble is None:  # failed outside the error table (a bug); the job stays retryable
            self.err(self.t("cli.job.failed_unknown", id=job.id, type=kind))
            reason = job.detail.rsplit(" | ", 1)[-1]
            if reason:
                self.err(self.t("cli.error.detail", detail=reason))
            return EXIT_FAILURE
        self.err(self.t("cli.job.failed", id=job.id, type=kind, code=trouble.code))
        self.print_trouble(trouble)
        return EXIT_FAILURE

    def value_text(self, settings, name: str) -> str:
        """A field's value as the panel shows it (secrets as [redacted])."""
        text, is_key = settings.display_value(name)
        if is_key:
            return self.t(text)
        return text if text != "" else self.t("value.not_set")

    # -- the commands -------------------------------------------------------------------

    def cmd_status(self) -> int:
        self.session()  # the sign-in state comes from the cloud's provider: fail clearly if unusable
        rows = email_server_status_rows(self.printer.settings, self.printer.signin_info())
        pairs = [(self.t(r.label_key), self.t(r.value) if r.value_is_key else r.value) for r in rows]
        self.out(self.t("screen.email_status.title"))
        _print_columns(self.out, [[label, value] for label, value in pairs])
        return EXIT_OK

    def cmd_sheet(self) -> int:
        self.session()
        sheet = render_status_sheet(self.printer.settings, self.printer.signin_info(), self.t,
                                    self.printer.clock.now())
        self.stdout.write(sheet)
        self.stdout.flush()
        return EXIT_OK

    def cmd_config(self) -> int:
        if self.args.config_command == "show":
            return self._config_show()
        return self._config_set()

    def _config_show(self) -> int:
        settings = getattr(self.printer.settings, self.section)
        self.out(self.t(f"cli.config.title.{self.section}"))
        rows = []
        for spec in FIELDS:
            value = self.value_text(settings, spec.name)
            if spec.kind == "choice":
                value = f"{value} ({getattr(settings, spec.name).value})"
            rows.append([spec.name, self.t(spec.label_key), value])
        _print_columns(self.out, rows)
        return EXIT_OK

    def _config_set(self) -> int:
        name = self.args.field
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            self.fail(self.t("cli.config.unknown_field", field=name,
                             fields=", ".join(s.name for s in FIELDS)), EXIT_USAGE)
        raw = self.args.value
        if raw == "-":  # secrets stay out of ps and the shell history
            raw = sys.stdin.readline().rstrip("\r\n")
        self.require_admin()
        before = getattr(self.printer.settings, self.section)
        try:
            updated = self.printer.update(lambda s: s.with_field(f"{self.section}.{name}", raw))
        except FieldError as error:
            self.err(self.t("cli.config.refused", field=self.t(spec.label_key),
                            rule=self.t(error.key, **error.params)))
            if spec.choices is not None:
                self.err(self.t("cli.config.choices", choices=", ".join(c.value for c in spec.choices)))
            raise CommandExit(EXIT_FAILURE) from None
        except SettingsError as error:
            self.fail(self.t("cli.config.not_saved", detail=str(error)))
        except OSError as error:
            self.fail(self.storage_problem(error))
        after = getattr(updated, self.section)
        self.out(self.t("cli.config.saved", field=self.t(spec.label_key)))
        for other in FIELDS:  # choosing OAuth2 or a service also fills in the server, port, security
            if other.name == name or getattr(before, other.name) != getattr(after, other.name):
                self.out(f"  {self.t(other.label_key)}: {self.value_text(after, other.name)}")
        return EXIT_OK

    def cmd_signin(self) -> int:
        from panel_tui.mail.errors import MailError

        self.require_admin()
        session = self.session()
        try:
            flow = session.start_device_flow(role=self.role)
        except MailError as error:
            self.err(self.t("signin.outcome.error"))
            self.print_error(error)
            return EXIT_FAILURE
        waiter = _DeviceFlowWaiter(session, flow)
        try:  # from here on, Ctrl+C cancels the sign-in at the identity provider's pace
            self.out(self.t("cli.signin.instructions", minutes=max(1, flow.expires_in // 60)))
            self.out(f"code: {flow.user_code}")
            self.out(f"url: {flow.verification_uri}")
            if _is_terminal(self.stdout):
                self.out(_qr_text(flow.verification_uri))
            self.out(self.t("cli.signin.waiting"))
            result = waiter.wait()
        except KeyboardInterrupt:
            self.err(self.t("cli.signin.cancelling"))
            result = waiter.cancel()
        if not result.ok:
            self.err(self.t(result.outcome_key))
            if result.cause_name is not None:
                self.print_error(MailError(result.cause_name, result.detail))
            return EXIT_FAILURE
        self.out(self.t(result.outcome_key))
        self.out(self.t("cli.signin.account", account=result.account or ""))
        if getattr(self.printer.settings, self.section).auth_method is not AuthMethod.OAUTH2:
            flag = " --fax" if self.args.fax else ""
            self.out(self.t("cli.signin.apply_hint", command=f"panel-tui config set{flag} auth_method oauth2"))
        return EXIT_OK

    def cmd_signout(self) -> int:
        self.require_admin()
        session = self.session()
        account = session.account_for(self.role)
        session.sign_out(role=self.role)
        if account:
            self.out(self.t("cli.signout.done", account=account))
        else:
            self.out(self.t("cli.signout.nothing"))
        return EXIT_OK

    def cmd_send(self) -> int:
        from panel_tui.mail.jobs import MailRequest

        recipients = [a.strip() for item in self.args.to for a in item.split(",") if a.strip()]
        for address in recipients or [""]:
            try:
                validate_recipient(address)
            except FieldError as error:
                self.fail(self.t("cli.send.bad_address", address=address, rule=self.t(error.key, **error.params)))
        try:
            validate_subject(self.args.subject)
        except FieldError as error:
            self.fail(self.t("cli.send.bad_subject", rule=self.t(error.key, **error.params)))
        attachments = []
        for name in self.args.attach:
            try:  # up front: a name the message cannot carry, or the system cannot open, is the user's
                validate_attachment_path(name)
            except FieldError as error:
                self.fail(self.t("cli.send.bad_attachment", path=shown_value(name),
                                 rule=self.t(error.key, **error.params)), EXIT_USAGE)
            path = Path(name).expanduser().resolve()
            if not path.is_file() or not os.access(path, os.R_OK):
                self.fail(self.t("cli.send.attachment_unreadable", path=name), EXIT_USAGE)
            attachments.append(str(path))  # absolute: `jobs retry` may run from another directory
        self.session()
        if getattr(self.args, "scan", False):
            return self.report_outcome(asyncio.run(self.backend.jobs.scan_to_email(recipients, self.args.subject)))
        printer_name = self.printer.settings.printer_name
        request = MailRequest(
            "test_mail", tuple(recipients), self.args.subject or f"Test email from {printer_name}",
            f"This is a test email sent by {printer_name} using OAuth 2.0.", tuple(attachments),
        )
        return self.report_outcome(asyncio.run(self.backend.jobs.run(request)))

    def cmd_jobs(self) -> int:
        if self.args.repair:
            return self._jobs_repair()
        if self.args.jobs_command == "retry":
            return self._jobs_retry(self.args.job_id)
        if self.args.jobs_command == "show":
            return self._jobs_show(self.args.job_id)
        jobs = self.printer.joblog.jobs()
        if self.args.json:
            for job in jobs:
                trouble = job.trouble
                self.out(json.dumps({
                    "id": job.id, "type": job.job_type, "started_at": job.started_at.isoformat(),
                    "ended_at": job.ended_at.isoformat() if job.ended_at else None,
                    "result": job.result, "error_code": job.error_code, "detail": job.detail,
                    "stage": job.stage, "message_id": job.message_id, "retried_by": job.retried_by,
                    "cause": trouble.cause if trouble else None,
                    "message": self.t(trouble.message_key) if trouble else None,
                    "fix": self.t(trouble.fix_key) if trouble else None,
                    "fixer": trouble.fixer if trouble else None,
                    "reason": trouble.reason if trouble else None,
                }, ensure_ascii=False))
            return EXIT_OK
        if not jobs:
            self.out(self.t("screen.jobs.empty"))
            return EXIT_OK
        settings = self.printer.settings
        header = [self.t("cli.jobs.col_id"), self.t("screen.jobs.col_time"), self.t("screen.jobs.col_type"),
                  self.t("screen.jobs.col_result"), self.t("screen.jobs.col_code")]
        rows = [[str(job.id), settings.format_datetime(job.started_at), self.t(job.job_type_key),
                 self.t(job.result_key), "" if job.error_code is None else str(job.error_code)] for job in jobs]
        _print_columns(self.out, [header, *rows], indent="")
        return EXIT_OK

    def _jobs_show(self, job_id: int) -> int:
        """One job as Job/Status > Job Status shows it: type, times, result and, if it failed,
        the code, message, fix and fixer stored when it ended."""
        job = self.printer.joblog.get(job_id)
        if job is None:
            self.fail(self.t("cli.jobs.no_such_job", id=job_id))
        settings = self.printer.settings
        self.out(self.t("screen.jobs.detail_title", id=job.id))
        _print_columns(self.out, [
            [self.t("screen.jobs.col_type"), self.t(job.job_type_key)],
            [self.t("screen.jobs.detail_started"), settings.format_datetime(job.started_at)],
            [self.t("screen.jobs.detail_ended"), settings.format_datetime(job.ended_at) if job.ended_at else "—"],
            [self.t("screen.jobs.col_result"), self.t(job.result_key)],
        ])
        if job.trouble is not None:
            self.print_trouble(job.trouble, emit=self.out)
        if job.result == "unconfirmed":
            self.out(self.t("job.unconfirmed_note"))
        if job.detail:
            self.out(f"{self.t('screen.jobs.detail_record')}: {job.detail}")
        return EXIT_OK

    def _jobs_repair(self) -> int:
        aside = self.printer.joblog.repair()
        if aside is None:
            self.out(self.t("cli.jobs.repair_not_needed"))
        else:
            self.out(self.t("cli.jobs.repaired", path=aside))
        return EXIT_OK

    def _jobs_retry(self, job_id: int) -> int:
        from panel_tui.mail.jobs import InvalidRequest

        if not 1 <= job_id <= JOB_ID_MAX:
            self.fail(self.t("cli.jobs.bad_id", id=job_id, max=JOB_ID_MAX))
        job = self.printer.joblog.get(job_id)
        if job is None:
            self.fail(self.t("cli.jobs.no_such_job", id=job_id))
        self.session()
        if job.result == "unconfirmed":
            self.err(self.t("cli.jobs.retry_unconfirmed", id=job_id, message_id=job.message_id or "?"))
        try:
            outcome = asyncio.run(self.backend.jobs.retry(job_id))
        except InvalidRequest as error:
            self.fail(self.t("cli.jobs.retry_refused", id=job_id, reason=self.t(error.key)))
        return self.report_outcome(outcome)


class _DeviceFlowWaiter:
    """Waits for a device code sign-in in a thread, so the main thread can take Ctrl+C."""

    def __init__(self, session: OAuthSession, flow: DeviceFlow) -> None:
        self.session = session
        self.flow = flow
        self.result: SignInResult | None = None
        self._thread = threading.Thread(target=self._run, name="device-flow", daemon=True)

    def _run(self) -> None:
        from panel_tui.mail.auth import SignInResult
        from panel_tui.mail.errors import MailError

        try:
            self.result = self.session.wait_for_device_flow(self.flow)
        except MailError as error:  # the identity provider went away before polling began
            outcome: Outcome = "idp_unavailable" if error.cause_name == "idp_unavailable" else "error"
            self.result = SignInResult(outcome, detail=error.detail)

    def wait(self) -> SignInResult:
        from panel_tui.mail.auth import SignInResult

        self._thread.start()
        while self._thread.is_alive():
            self._thread.join(timeout=1.0)  # a timed join keeps Ctrl+C deliverable on every platform
        return self.result or SignInResult("error")

    def cancel(self) -> SignInResult:
        """Stop polling (MSAL notices after its current poll) and wait for that, briefly."""
        from panel_tui.mail.auth import SignInResult

        self.session.cancel(self.flow)
        if self._thread.is_alive():
            # A second Ctrl+C: leave now; the daemon thread ends with the process.
            with contextlib.suppress(KeyboardInterrupt):
                self._thread.join(timeout=self.flow.interval + 30)
        # A sign-in that completed just before Ctrl+C stands (its tokens are saved).
        return self.result or SignInResult("cancelled")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the scriptable command in `args` (parsed by panel_tui.cli); returns the exit code."""
    from panel_tui.assembly import backend_options
    from panel_tui.backend import open_backend

    out, err = out or sys.stdout, err or sys.stderr
    try:
        printer, backend = open_backend(args.profile, backend_options(args))
    except (SettingsError, ValueError) as error:
        print(f"panel-tui: {error}", file=err)
        return EXIT_FAILURE
    except OSError as error:  # the profile's directories cannot be made (a full disk, no permission)
        print(f"panel-tui: {error.filename or ''}: {error.strerror or error}", file=err)
        return EXIT_FAILURE
    try:
        # --lang changes this command's words only; the profile keeps its language.
        translator = Translator.load(language=args.lang or printer.settings.language)
    except LocaleError as error:
        print("panel-tui: the locale files are broken:", file=err)
        for problem in error.problems:
            print(f"  {problem}", file=err)
        return EXIT_FAILURE
    command = Command(args, printer, backend, translator, out, err)
    try:
        return getattr(command, f"cmd_{args.command}")()
    except CommandExit as done:
        return done.code
    except JobLogError as error:  # only the commands that need the job log end here
        command.print_joblog_error(error)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        command.err(translator.t("cli.interrupted"))
        return EXIT_FAILURE
    except OSError as error:
        if not _is_disk_full(error):
            raise
        command.err(command.storage_problem(error))
        return EXIT_FAILURE
    finally:
        command.flush_tokens()
        backend.stop()


def _is_disk_full(error: OSError) -> bool:
    return error.errno in (errno.ENOSPC, errno.EDQUOT)


# ---- output helpers -------------------------------------------------------------------------


def _print_columns(emit, rows: list[list[str]], indent: str = "  ") -> None:
    """Rows as left-aligned columns (the last column is not padded)."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)] + [row[-1]]
        emit((indent + "  ".join(cells)).rstrip())


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _qr_text(url: str) -> str:
    """A QR code of `url` in half-block characters, for a phone to scan off the terminal."""
    import segno

    buffer = io.StringIO()
    segno.make(url, error="l").terminal(out=buffer, border=2, compact=True)
    return buffer.getvalue().rstrip("\n")
