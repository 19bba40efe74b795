"""Device code sign-in, the token cache, silent refresh, expiry and sign-out against the simulator."""
from __future__ import annotations

import json
import logging
import stat

import pytest

from panel_tui.mail.auth import OAuthSession
from panel_tui.mail.errors import MailError
from panel_tui.mail.providers import simulator

from .conftest import ADMIN, ALEX, MEGAN, PRINTER

DAY = 86400


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cache(world) -> dict:
    return json.loads(world.printer.paths.token_cache_file.read_text(encoding="utf-8"))


def test_printer_mailbox_signs_in_and_the_cache_is_private(world, caplog):
    caplog.set_level(logging.DEBUG)
    world.open_smtp()
    world.control.grant_admin_consent(world.endpoints.client_id)
    assert world.session.signin_info().state == "not_signed_in"
    result = world.sign_in(PRINTER)
    assert (result.outcome, result.account) == ("signed_in", PRINTER.upn)
    assert world.browser["page"] == "signed-in"
    info = world.session.signin_info()
    assert (info.state, info.account) == ("signed_in", PRINTER.upn)
    assert world.printer.signin_info() == info  # through Printer.signin_provider

    cache_file = world.printer.paths.token_cache_file
    assert _mode(cache_file) == 0o600
    assert _mode(world.session.state_path) == 0o600
    assert "secret" not in world.session.state_path.read_text()
    secrets = [e["secret"] for kind in ("AccessToken", "RefreshToken") for e in _cache(world)[kind].values()]
    assert len(secrets) == 2
    token = world.session.acquire_token_for_send()
    assert token in secrets
    for secret in secrets:
        assert secret not in caplog.text


def test_a_new_session_on_the_same_profile_reads_the_saved_cache(world):
    world.ready()
    again = OAuthSession(simulator(world.endpoints), world.printer.paths.token_cache_file, world.clock)
    assert again.signin_info().state == "signed_in"
    assert again.acquire_token_for_send() == world.session.acquire_token_for_send()
    assert again.token_requests == 0


def test_silent_acquisition_makes_no_token_request_while_the_token_lives(world):
    world.ready()
    before = world.session.token_requests
    tokens = {world.session.acquire_token_for_send() for _ in range(20)}
    assert len(tokens) == 1
    assert world.session.token_requests == before


def test_refreshes_when_less_than_600_seconds_remain(world):
    world.ready()
    first = world.session.acquire_token_for_send()
    before = world.session.token_requests
    world.advance(3600 - 700)  # 700 s left: still used as is
    assert world.session.acquire_token_for_send() == first
    assert world.session.token_requests == before
    world.advance(200)  # 500 s left: MSAL alone would wait until 300 s; we refresh now
    second = world.session.acquire_token_for_send()
    assert second != first
    assert world.session.token_requests == before + 1
    assert world.session.acquire_token_for_send() == second  # the new one lives an hour again
    assert world.session.token_requests == before + 1


def test_a_refresh_token_unused_for_91_days_expires_the_sign_in(world):
    world.ready()
    world.advance(91 * DAY)
    with pytest.raises(MailError) as raised:
        world.session.acquire_token_for_send()
    assert (raised.value.cause_name, raised.value.code) == ("signin_expired", 361)
    assert "AADSTS700082" in raised.value.detail
    info = world.session.signin_info()
    assert (info.state, info.account) == ("expired", PRINTER.upn)
    assert _cache(world)["RefreshToken"], "an expired sign-in keeps its tokens until Sign Out"
    requests_so_far = world.session.token_requests
    with pytest.raises(MailError) as again:
        world.session.acquire_token_for_send()
    assert again.value.code == 361 and world.session.token_requests == requests_so_far
    assert world.sign_in(PRINTER).ok  # signing in again clears "expired"
    assert world.session.signin_info().state == "signed_in"
    assert world.session.acquire_token_for_send()


def test_not_signed_in_is_360(world):
    with pytest.raises(MailError) as raised:
        world.session.acquire_token_for_send()
    assert (raised.value.cause_name, raised.value.code) == ("not_signed_in", 360)


def test_conditional_access_blocks_the_sign_in(world):
    world.control.set_conditional_access_block(True)
    result = world.sign_in(ADMIN, consent_for_org=True)
    assert (result.outcome, result.aadsts, result.cause_name) == ("blocked", 53003, "conditional_access")
    assert world.browser["page"] == "blocked"
    assert world.session.signin_info().state == "not_signed_in"


def test_declined_consent_and_missing_admin_consent(world):
    declined = world.sign_in(ADMIN, accept=False)
    assert (declined.outcome, declined.aadsts, declined.cause_name) == ("declined", 65004, None)
    ordinary = world.sign_in(MEGAN)  # no organisation consent yet, and Megan may not give it
    assert (ordinary.outcome, ordinary.cause_name) == ("consent_required", "consent_required")
    assert ordinary.aadsts in (65001, 90094)
    assert world.session.signin_info().state == "not_signed_in"


def test_an_expired_device_code_and_a_cancelled_one(world):
    flow = world.session.start_device_flow()
    assert flow.user_code and flow.verification_uri == world.endpoints.verification_uri
    assert 0 < flow.seconds_left(world.clock.now()) <= 900
    world.advance(901)
    assert world.session.wait_for_device_flow(flow).outcome == "expired"

    flow = world.session.start_device_flow()
    world.session.cancel(flow)
    assert flow.msal_flow["expires_at"] == 0
    assert world.session.wait_for_device_flow(flow).outcome == "cancelled"  # one poll, no waiting


def test_identity_provider_down_is_a_cause_not_a_traceback(world):
    world.ready()
    world.control.set_fault("idp_down", True)
    fresh = OAuthSession(simulator(world.endpoints), world.printer.paths.token_cache_file, world.clock)
    with pytest.raises(MailError) as at_start:
        fresh.start_device_flow()
    assert at_start.value.cause_name == "idp_unavailable" and at_start.value.code == 313
    world.advance(3600)  # the access token needs a refresh now
    with pytest.raises(MailError) as at_refresh:
        world.session.acquire_token_for_send()
    assert at_refresh.value.cause_name == "idp_unavailable"
    assert world.session.signin_info().state == "signed_in"  # an outage does not end the sign-in
    world.control.set_fault("idp_down", False)
    world.control.set_fault("idp_5xx", True)
    with pytest.raises(MailError) as at_5xx:
        world.session.acquire_token_for_send()
    assert at_5xx.value.cause_name == "idp_unavailable"
    world.control.set_fault("idp_5xx", False)
    assert world.session.acquire_token_for_send()


def test_several_accounts_share_the_cache_and_sign_out_removes_only_one(world):
    world.ready()
    assert world.sign_in(ADMIN, role=None, consent_for_org=True).ok  # To My Email: org consent
    assert world.sign_in(MEGAN, role=None).ok
    assert world.session.accounts() == sorted([ADMIN.upn, PRINTER.upn, MEGAN.upn])
    assert world.session.account_for() == PRINTER.upn  # a user's sign-in does not take over
    megan_token = world.session.acquire_token_for_send(MEGAN.upn)
    assert megan_token != world.session.acquire_token_for_send()
    with pytest.raises(MailError) as alex:
        world.session.acquire_token_for_send(ALEX.upn)
    assert (alex.value.cause_name, alex.value.code) == ("user_signin_required", 370)

    assert world.session.sign_out(MEGAN.upn, role=None) is True
    assert megan_token not in world.printer.paths.token_cache_file.read_text()
    assert not world.session.user_signed_in(MEGAN.upn)
    with pytest.raises(MailError) as gone:
        world.session.acquire_token_for_send(MEGAN.upn)
    assert gone.value.code == 370
    assert world.session.signin_info().state == "signed_in"  # the printer's sign-in stays

    assert world.session.sign_out() is True
    assert world.session.signin_info().state == "not_signed_in"
    usernames = [a["username"] for a in _cache(world)["Account"].values()]
    assert usernames == [ADMIN.upn]
    with pytest.raises(MailError) as signed_out:
        world.session.acquire_token_for_send()
    assert signed_out.value.code == 360


def test_two_processes_sharing_the_profile_follow_each_others_rotated_refresh_token(world):
    world.ready()
    other = OAuthSession(simulator(world.endpoints), world.printer.paths.token_cache_file, world.clock)
    assert other.acquire_token_for_send()  # loads the cache as it is now
    world.advance(3200)
    refreshed_here = world.session.acquire_token_for_send()  # rotates the refresh token
    refreshed_there = other.acquire_token_for_send()  # must pick up the rotated one from disk
    assert refreshed_there == refreshed_here
    assert other.token_requests == 0
    assert other.signin_info().state == "signed_in"


def test_a_cached_token_is_given_again_only_while_nothing_could_have_changed_it(world):
    """A send takes the token the last acquisition gave, with no MSAL lock or thread, only while
    the profile's token files are as that acquisition left them and the token has more than the
    refresh margin left; a sign-out or refresh by another process, or time, ends that."""
    world.ready()
    assert world.session.cached_token_for_send() is None  # nothing acquired yet
    token = world.session.acquire_token_for_send()
    assert world.session.cached_token_for_send() == token
    assert world.session.cached_token_for_send(MEGAN.upn) is None  # another account's is its own
    world.advance(3200)  # into the refresh margin
    assert world.session.cached_token_for_send() is None
    refreshed = world.session.acquire_token_for_send()
    assert refreshed != token and world.session.cached_token_for_send() == refreshed
    other = OAuthSession(simulator(world.endpoints), world.printer.paths.token_cache_file, world.clock)
    assert other.sign_out() is True  # the CLI, beside the panel
    assert world.session.cached_token_for_send() is None
    with pytest.raises(MailError) as signed_out:
        world.session.acquire_token_for_send()
    assert signed_out.value.code == 360
