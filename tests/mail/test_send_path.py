"""The send path against Exchange's real answers: the server's own AUTH reply, and a cached
token the printer believes valid but the server refuses (clock skew)."""
from __future__ import annotations

from panel_tui.mail.errors import MailError
from tests.helpers.tenant import MEGAN

HOUR = 3600


async def test_connection_check_reports_the_servers_own_reply(world, monkeypatch):
    world.ready()
    words = "235 2.7.0 Authentication successful [SIM-FRONT-END 2026-01-01T00:00:00.000Z 08DCTEST]"
    monkeypatch.setattr("panel_tui.sim.smtp.REPLY_AUTH_OK", words)
    outcome = await world.jobs.connection_check()
    assert outcome.ok and outcome.reply == words
    assert words in outcome.job.detail


async def test_a_token_refused_by_a_server_whose_clock_is_ahead_is_refreshed_once(world):
    world.ready()
    before = world.session.token_requests
    # Exchange's clock is 61 minutes ahead of the printer's: the cached token, valid for the
    # printer (its clock did not move), is expired for the server (535 5.7.3).
    world.control.advance_clock(HOUR + 60)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert outcome.ok, outcome.error
    assert world.session.token_requests == before + 1  # one refresh, then the retry went through
    assert len(world.control.mailbox(MEGAN.upn)) == 1


async def test_a_token_still_refused_after_the_refresh_fails_with_312(world, monkeypatch):
    world.ready()
    monkeypatch.setattr("panel_tui.sim.smtp.REPLY_AUTH_OK", "235 2.7.0 Authentication successful")
    world.control.set_smtp_auth_org(True)
    refused = []

    def refuse(*args, **kwargs):
        refused.append(1)
        raise MailError("token_rejected", "auth: 535 5.7.3 Authentication unsuccessful")

    monkeypatch.setattr("panel_tui.mail.smtp.send_message", refuse)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code, len(refused)) == ("token_rejected", 312, 2)
