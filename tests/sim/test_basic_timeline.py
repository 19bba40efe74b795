"""Basic authentication for SMTP AUTH on Microsoft's timeline (MC786329, 27 Jan 2026 update),
as tenant state driven by the simulated clock; the SMTP AUTH Clients Submission Report;
Send As grants and shared mailboxes."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from panel_tui.sim import state as sim_state
from panel_tui.sim.state import SimState, SimStateError

PRINTER = "printer@contoso.onmicrosoft.com"
MEGAN = "megan@contoso.onmicrosoft.com"


def _at(state: SimState, year: int, month: int, day: int) -> None:
    """Move the simulated clock to the start of a UTC day (the clock only moves forward)."""
    target = dt.datetime(year, month, day, tzinfo=dt.timezone.utc).timestamp()
    state.advance_clock(max(0.0, target - state.now()))


@pytest.fixture
def state(tmp_path):
    # A tenant created on 7 December 2026, its simulated clock on that day (whatever the machine's date).
    created = dt.datetime(2026, 12, 7, tzinfo=dt.timezone.utc).timestamp()
    st = SimState.load(tmp_path / "state.json")
    st.clock.offset = created - time.time()
    st.tenant.created_at = created
    st.save()
    return st


def test_basic_is_allowed_until_the_end_of_december_then_off_by_default(state):
    _at(state, 2026, 12, 31)
    assert state.basic_smtp_auth_state() == sim_state.BASIC_ALLOWED
    _at(state, 2027, 1, 1)
    assert state.basic_smtp_auth_state() == sim_state.BASIC_OFF_BY_DEFAULT
    assert not state.basic_smtp_auth_allowed()


def test_an_administrator_re_enables_basic_after_the_cutoff_and_it_persists(state, tmp_path):
    _at(state, 2027, 1, 2)
    state.set_basic_smtp_auth(True)
    assert state.basic_smtp_auth_state() == sim_state.BASIC_RE_ENABLED
    again = SimState.load(tmp_path / "state.json")
    assert again.basic_smtp_auth_allowed()
    assert again.snapshot()["basic_smtp_auth"]["state"] == "re_enabled"


def test_tenants_created_after_the_cutoff_never_get_basic(state):
    state.set_tenant_created(dt.datetime(2027, 2, 1, tzinfo=dt.timezone.utc).timestamp())
    assert state.basic_smtp_auth_state() == sim_state.BASIC_NOT_AVAILABLE
    with pytest.raises(SimStateError, match="created after December 2026"):
        state.set_basic_smtp_auth(True)


def test_final_removal_wins_over_a_re_enable(state):
    state.set_basic_smtp_auth(True)
    state.set_basic_final_removal(True)
    assert state.basic_smtp_auth_state() == sim_state.BASIC_REMOVED


def test_submission_report_counts_per_sender_and_protocol_over_7_and_30_days(state):
    _at(state, 2026, 12, 1)
    state.record_submission(PRINTER, "Basic")
    _at(state, 2026, 12, 20)
    state.record_submission(PRINTER, "Basic")
    state.record_submission(PRINTER, "Basic")
    _at(state, 2026, 12, 24)
    state.record_submission(PRINTER, "OAuth")
    week = state.submission_report(7)
    month = state.submission_report(30)
    assert week == [{"upn": PRINTER, "protocol": "Basic", "messages": 2, "last_day": "2026-12-20"},
                    {"upn": PRINTER, "protocol": "OAuth", "messages": 1, "last_day": "2026-12-24"}]
    assert month[0] == {"upn": PRINTER, "protocol": "Basic", "messages": 3, "last_day": "2026-12-20"}
    saved = json.loads((state.path).read_text())
    assert {e["protocol"] for e in saved["tenant"]["submissions"]} == {"Basic", "OAuth"}


def test_send_as_is_granted_on_the_target_mailbox(state):
    shared = state.add_shared_mailbox("scans", "Scans")
    assert shared.shared and shared.upn == "scans@contoso.onmicrosoft.com"
    assert not state.may_send_as(PRINTER, shared.upn)
    state.grant_send_as(shared.upn, PRINTER)
    assert state.may_send_as(PRINTER, shared.upn)
    assert not state.may_send_as(MEGAN, shared.upn)
    state.remove_send_as(shared.upn, PRINTER)
    assert not state.may_send_as(PRINTER, shared.upn)


def test_sender_verdicts_are_validated(state):
    state.set_sender_block(PRINTER, "outbound_spam")
    assert state.user(PRINTER).sender_block == "outbound_spam"
    with pytest.raises(SimStateError, match="unknown sender verdict"):
        state.set_sender_block(PRINTER, "nonsense")


async def test_submission_counts_reach_state_json_in_one_coalesced_write(state, tmp_path):
    """Counting a message must not cost a file write (and fsync) per message: within the
    simulator's event loop the counts are saved once, soon after, and on stop (flush)."""
    for _ in range(5):
        state.record_submission(PRINTER, "OAuth")
    assert state._save_later is not None  # one save pending, not five done
    on_disk = json.loads(state.path.read_text())["tenant"]["submissions"]
    assert on_disk == []
    state.flush()
    [entry] = json.loads(state.path.read_text())["tenant"]["submissions"]
    assert (entry["upn"], entry["protocol"], entry["count"]) == (PRINTER, "OAuth", 5)
    assert state._save_later is None
