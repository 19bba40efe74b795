"""A fresh profile: wiped before the printer is opened (`--scenario`), or reset while it is open
with the product's own operations (the trainer's "reset everything")."""
from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from panel_tui.device.paths import _base_dirs, resolve_paths, validate_profile_name
from panel_tui.device.settings import AuthMethod, EmailServerSettings, EmailService
from panel_tui.scenarios.trainer_file import save_trainer_state, set_simulator_trust
from panel_tui.sim.client import Policies

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.device.paths import ProfilePaths
    from panel_tui.device.printer import Printer

_SPENT_DIRS = ("mail-spool", "scans", "status-sheets")  # job leftovers a fresh printer does not have



def simulator_work(state: Mapping[str, Any]) -> list[str]:
    """What a scenario's reset of the home's simulator (shared by every profile, the default one
    too) would take from them: "tenant" (a policy, a consent or a mailbox's SMTP AUTH changed
    from the seeded tenant), "sign-ins" (live refresh tokens), "mail" (delivered messages), in
    that order; empty for a seeded simulator. `state` is SimControl.state()."""
    seeded = Policies()
    policies = state.get("policies", {})
    users = state.get("users", [])
    work = []
    if (policies.get("security_defaults", seeded.security_defaults) != seeded.security_defaults
            or policies.get("smtp_auth_org", seeded.smtp_auth_org) != seeded.smtp_auth_org
            or policies.get("conditional_access_block")
            or any(app.get("admin_consent") or app.get("user_consents") for app in state.get("apps", []))
            or any(user.get("smtp_auth") is not None for user in users)):
        work.append("tenant")
    if any(user.get("live_refresh_tokens") for user in users):
        work.append("sign-ins")
    if state.get("mailboxes"):
        work.append("mail")
    return work

def profile_work(profile: str) -> list[str]:
    """What a starting scenario would wipe from `profile`: "jobs", "sheets", "sign-in" (in that
    order; empty for a fresh or missing profile). Reads only: nothing is created or changed."""
    config, data, _ = (base / validate_profile_name(profile) for base in _base_dirs())
    work = []
    joblog = data / "jobs.sqlite3"
    if joblog.is_file():
        try:
            with closing(sqlite3.connect(f"file:{joblog}?mode=ro", uri=True)) as conn:
                has_jobs = conn.execute("SELECT 1 FROM jobs LIMIT 1").fetchone() is not None
        except sqlite3.Error:
            has_jobs = joblog.stat().st_size > 0  # unreadable: keep it, as if it held jobs
        if has_jobs:
            work.append("jobs")
    sheets = data / "status-sheets"
    if sheets.is_dir() and any(sheets.iterdir()):
        work.append("sheets")
    cache = config / "token_cache.json"
    if cache.is_file():
        try:
            tokens = json.loads(cache.read_text(encoding="utf-8"))
            signed_in = any(tokens.get(section) for section in ("RefreshToken", "Account"))
        except (OSError, ValueError, AttributeError):
            signed_in = True  # unreadable: keep it, as if it held a sign-in
        if signed_in:
            work.append("sign-in")
    return work


def wipe_profile(profile: str) -> ProfilePaths:
    """Delete every file of `profile` (settings, tokens, job log, CA certificates) and
    return its fresh, empty ProfilePaths. Call it before the printer is opened."""
    paths = resolve_paths(profile)
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir):
        shutil.rmtree(directory, ignore_errors=True)
    return resolve_paths(profile)


def reset_profile(printer: Printer, backend: Backend) -> None:
    """Make an open printer fresh with the product's own operations: every account signed
    out, factory settings (the panel language kept), job log cleared, imported CA
    certificates deleted, the simulator's CA trusted again."""
    from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE

    for service in EmailService:
        session = backend.session_for(EmailServerSettings(auth_method=AuthMethod.OAUTH2, email_service=service))
        for role in (EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE):
            session.sign_out(role=role)
        for upn in session.accounts():
            session.sign_out(account=upn, role=None)
    printer.restore_defaults(keep_language=True)
    printer.joblog.clear()
    for name in _SPENT_DIRS:
        shutil.rmtree(Path(printer.paths.data_dir) / name, ignore_errors=True)
    for path in Path(printer.paths.ca_dir).glob("*.pem"):
        path.unlink(missing_ok=True)  # Web Config > CA Certificate > Delete
    set_simulator_trust(printer, backend, True)
    save_trainer_state(printer.paths, webconfig_pending=None)  # no Web Config page left open
