"""The simulator as the rest of the product sees it: where it answers (``SimEndpoints``), its
control client (``SimControl``), a device's own sign-in screens on its pages (``PageSignIn``), and
the tenant's published facts (the seeded accounts, the
administrator role, the seeded policies).

Outside ``panel_tui.sim`` this is the one module to import (a contract in pyproject.toml); the
modules that start a simulator (backend.py, cli.py, serve.py, gallery.py, the classroom's seats)
also use ``runtime``, ``service`` and ``cli``. Importing it loads no server library.
"""
from __future__ import annotations

from panel_tui.sim.control import SimControl, SimControlError, read_control_secret
from panel_tui.sim.endpoints import SimEndpoints, public_address
from panel_tui.sim.page_signin import PageSignIn, SignInStep
from panel_tui.sim.tenant import GLOBAL_ADMIN, SEEDED_ACCOUNTS, Policies, SeededAccount

__all__ = ["GLOBAL_ADMIN", "SEEDED_ACCOUNTS", "PageSignIn", "Policies", "SeededAccount", "SignInStep", "SimControl",
           "SimControlError", "SimEndpoints", "public_address", "read_control_secret"]
