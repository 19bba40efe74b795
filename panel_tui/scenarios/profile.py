"""A fresh profile: wiped before the printer is opened (`--scenario`), or reset while it is open
with the product's own operations (the trainer's "reset everything")."""
from __future__ import annotations

import shutil
from pathlib import Path

from panel_tui.scenarios.trainer_file import set_simulator_trust

_SPENT_DIRS = ("mail-spool", "scans", "status-sheets")  # job leftovers a fresh printer does not have


def wipe_profile(profile: str):
    """Delete every file of `profile` (settings, tokens, job log, CA certificates) and
    return its fresh, empty ProfilePaths. Call it before the printer is opened."""
    from panel_tui.device.paths import resolve_paths

    paths = resolve_paths(profile)
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir):
        shutil.rmtree(directory, ignore_errors=True)
    return resolve_paths(profile)


def reset_profile(printer, backend) -> None:
    """Make an open printer fresh with the product's own operations: every account signed
    out, factory settings (the panel language kept), job log cleared, imported CA
    certificates deleted, the simulator's CA trusted again."""
    from panel_tui.device.settings import AuthMethod, EmailServerSettings, EmailService
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
