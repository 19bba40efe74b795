"""The mail layer is cheap to import: msal and aiosmtplib load only when first used; no UI, no sim."""
from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ["panel_tui.mail", "panel_tui.mail.providers", "panel_tui.mail.errors", "panel_tui.mail.auth",
           "panel_tui.mail.smtp", "panel_tui.mail.jobs", "panel_tui.mail.scan"]


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_mail_module_loads_no_heavy_or_forbidden_package(module):
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())
    assert module in loaded
    for forbidden in ("msal", "aiosmtplib", "requests", "textual", "panel_tui.ui", "panel_tui.app", "panel_tui.sim"):
        assert forbidden not in loaded, forbidden
