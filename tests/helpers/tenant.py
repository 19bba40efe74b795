"""The guide's preparation of the Exchange Online tenant, done through the simulator's control API."""
from __future__ import annotations

from panel_tui.sim.client import SEEDED_ACCOUNTS

# The seeded accounts: the administrator, the printer's mailbox, two colleagues.
ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS


def prepare_tenant(control, client_id: str | None = None) -> None:
    """Security defaults off and SMTP AUTH on for the organisation (the guide's Exchange steps);
    given the printer app's `client_id`, admin consent on behalf of the organisation as well.

    `control` is a SimControl (or anything with its methods); tests that need the steps one
    at a time call the control API themselves.
    """
    control.set_security_defaults(False)
    control.set_smtp_auth_org(True)
    if client_id is not None:
        control.grant_admin_consent(client_id)
