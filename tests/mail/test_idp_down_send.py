"""A fresh `panel-tui send` whose access token is still valid sends while the sign-in service
is down: MSAL's discovery answers are kept in the profile (its http_cache), as a long-running
panel keeps them in memory."""
from __future__ import annotations

import json
import stat

from tests.helpers.processes import cli_sign_in
from tests.helpers.tenant import MEGAN, PRINTER


def test_cli_send_with_a_valid_cached_token_succeeds_while_the_idp_is_down(cli, cli_control):
    cli.ok("config", "set", "auth_method", "oauth2")
    proc = cli_sign_in(cli, cli_control)
    assert proc.returncode == 0, (proc.stdout_text, proc.stderr_text)
    cli_control.set_fault("idp_down", True)
    try:
        result = cli.run("send", "--to", MEGAN.upn, "--subject", "While the IdP is down")
    finally:
        cli_control.set_fault("idp_down", False)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "completed" in result.stdout
    assert [m["subject"] for m in cli_control.mailbox(MEGAN.upn)] == ["While the IdP is down"]
    [cache] = list(cli.home.rglob("*.msal-http-cache.json"))
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    text = cache.read_text()
    assert "token_endpoint" in text
    assert "eyJ" not in text and "access_token" not in text and "0.SIM." not in text  # no token of any kind
    assert all(entry["key"].startswith("GET ") for entry in json.loads(text)["entries"])
    assert PRINTER.password not in text
