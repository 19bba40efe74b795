"""The guided lesson: the guide's steps (docs/guide.md), each ticked only when real state shows it done.

Nothing here listens to button presses: every tick is read from the simulator's tenant,
the printer's applied settings, its token cache, its status sheets and its job log.
"""
from __future__ import annotations

from dataclasses import dataclass

from panel_tui.device.joblog import JobTrouble
from panel_tui.device.settings import AuthMethod

# The guide's order: enable SMTP AUTH, configure OAuth 2.0, sign in, consent, OK,
# check the status, print the status sheet, send.
STEPS = ("smtp_auth", "oauth2", "sign_in", "consent", "applied", "status_sheet", "send")
# The path of a printer that sent with a password (Basic authentication) until Microsoft's
# cutoff (MC786329): the same steps to OAuth 2.0, then Exchange's SMTP AUTH clients report
# showing the printer's mailbox under OAuth.
BASIC_MIGRATION = "basic_migration"
MIGRATION_STEPS = (*STEPS, "report")
# Jobs that put a message in a mailbox (a Connection Check only talks to the server: it ticks nothing).
SEND_JOBS = ("test_mail", "scan_to_email", "to_my_email", "fax_email")


@dataclass(frozen=True)
class LessonProgress:
    done: dict[str, bool]
    trouble: JobTrouble | None = None  # why the last job failed, as stored with it, shown beside the steps
    path: str = "oauth2"  # or BASIC_MIGRATION

    @property
    def steps(self) -> tuple[str, ...]:
        return MIGRATION_STEPS if self.path == BASIC_MIGRATION else STEPS

    @property
    def trouble_code(self) -> int | None:
        return self.trouble.code if self.trouble is not None else None

    @property
    def current(self) -> str | None:
        """The first step not done yet (None when the lesson is complete)."""
        return next((step for step in self.steps if not self.done.get(step)), None)


def _tenant_ready(state: dict, mailbox: str | None) -> bool:
    policies = state.get("policies", {})
    users = {u["upn"].lower(): u for u in state.get("users", [])}
    if mailbox and mailbox.lower() in users:
        return users[mailbox.lower()].get("smtp_auth_refusal") is None
    return not policies.get("security_defaults", True) and bool(policies.get("smtp_auth_org"))


def observe(printer, backend) -> LessonProgress:
    """Read the lesson's progress from real state (blocking network reads: call it in a thread)."""
    settings = printer.settings
    email = settings.email_server
    oauth_settings = email if email.auth_method is AuthMethod.OAUTH2 else email.with_field("auth_method", "oauth2")
    session = backend.session_for(oauth_settings)
    signin = session.signin_info()
    account = signin.account if signin.state == "signed_in" else None
    state = backend.control().state() if not backend.options.live else {}
    endpoints = backend.endpoints()
    client_id = endpoints["client_id"] if isinstance(endpoints, dict) else getattr(endpoints, "client_id", "")
    consent = any(app.get("admin_consent") for app in state.get("apps", []) if app.get("client_id") == client_id)
    jobs = printer.joblog.jobs(limit=50)
    sheets = printer.paths.sheets_dir
    done = {
        "smtp_auth": _tenant_ready(state, account or email.sender or None),
        # Web Config's Sign In exists only once OAuth2 is chosen on its page: a sign-in shows it was.
        "oauth2": email.auth_method is AuthMethod.OAUTH2 or account is not None,
        "sign_in": account is not None,
        "consent": consent,
        "applied": email.auth_method is AuthMethod.OAUTH2 and account is not None,
        "status_sheet": sheets.is_dir() and any(sheets.glob("*.txt")),
        "send": any(j.result == "ok" and j.job_type in SEND_JOBS for j in jobs),
    }
    last = jobs[0] if jobs else None
    trouble = last.trouble if last is not None and last.result == "error" else None
    path = "oauth2"
    if email.auth_method is AuthMethod.SMTP_AUTH or any((j.cause or "").startswith("basic_auth") for j in jobs):
        path = BASIC_MIGRATION
        mailbox = (account or email.account or email.sender or "").lower()
        report = backend.control().smtp_auth_clients_report(30) if not backend.options.live else []
        done["report"] = any(row["upn"] == mailbox and row["protocol"] == "OAuth" for row in report)
    return LessonProgress(done, trouble, path)
