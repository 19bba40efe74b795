"""Web Config: the printer's web pages (Email Server, CA Certificate, Fax Server, Print Admin
Serverless) and the "Sign in with Microsoft" device code sign-in, inside the app."""
from __future__ import annotations

from panel_tui.ui.webconfig.webconfig_screen import WebConfigScreen

__all__ = ["WebConfigScreen"]
