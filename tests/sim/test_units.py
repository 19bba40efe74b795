"""Small pieces of the simulator that need no server."""
from __future__ import annotations

import base64
import json

import pytest

from panel_tui.sim.atomic_file import write_bytes_atomic
from panel_tui.sim.clock import SimClock
from panel_tui.sim.control import SimControlError
from panel_tui.sim.devicecodes import normalise_user_code
from panel_tui.sim.maildir import MailStore, mailbox_folder_name
from panel_tui.sim.markup import Markup, html, join
from panel_tui.sim.smtp import _parse_xoauth2
from panel_tui.sim.state import SimState, SimStateError


def test_html_escapes_values_but_not_markup():
    page = html("<p title=\"{t}\">{body}</p>{safe}", t='"quoted"', body="<b>&</b>", safe=Markup("<hr>"))
    assert page == '<p title="&quot;quoted&quot;">&lt;b&gt;&amp;&lt;/b&gt;</p><hr>'
    assert isinstance(page, Markup)
    assert join(["<a>", Markup("<i>")], separator="&") == "&lt;a&gt;&amp;<i>"


def test_maildir_folders_cannot_escape_the_root(tmp_path):
    assert mailbox_folder_name("../../etc/passwd") == "%2E.%2F..%2Fetc%2Fpasswd"
    assert mailbox_folder_name("..") == "%2E."
    assert mailbox_folder_name("Printer@Contoso.onmicrosoft.com") == "printer@contoso.onmicrosoft.com"
    store = MailStore(tmp_path / "maildir")
    store.deliver(["../outside@example.com"], b"Subject: hi\r\n\r\nx\r\n")
    assert [p.name for p in (tmp_path / "maildir").iterdir()] == ["%2E.%2Foutside@example.com"]
    assert not (tmp_path / "outside@example.com").exists()


def test_xoauth2_blob_parsing():
    blob = base64.b64encode(b"user=a@b.c\x01auth=Bearer tok.en\x01\x01").decode()
    assert _parse_xoauth2(blob) == ("a@b.c", "tok.en")
    assert _parse_xoauth2("%%%not base64") == ("", "")
    assert _parse_xoauth2(base64.b64encode(b"user=a@b.c\x01\x01").decode()) == ("a@b.c", "")


def test_user_codes_are_forgiving_to_type():
    assert normalise_user_code(" abc-def ghi ") == "ABCDEFGHI"


def test_clock_only_moves_forward():
    clock = SimClock()
    before = clock.now()
    assert clock.advance(3600) >= before + 3600
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "state.json"
    write_bytes_atomic(target, b"one")
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_state_rules_without_a_server(tmp_path):
    state = SimState.load(tmp_path / "state.json")
    with pytest.raises(SimStateError):
        state.add_user("someone@fabrikam.com", "Someone", "Long-enough-1")
    with pytest.raises(SimStateError):
        state.add_user("someone", "Someone", "short")
    user = state.add_user("Someone", "Someone", "Long-enough-1", ["Cloud Application Administrator"])
    assert user.upn == "someone@contoso.onmicrosoft.com" and user.can_consent_for_org
    assert SimState.load(tmp_path / "state.json").user("SOMEONE@contoso.onmicrosoft.com") is not None
    saved = json.loads((tmp_path / "state.json").read_text())
    assert "Long-enough-1" not in json.dumps(saved)  # only a salted hash is kept


def test_control_api_refusals_are_errors(sim):
    with pytest.raises(SimControlError) as negative:
        sim.control.advance_clock(-5)
    assert negative.value.status == 400
    with pytest.raises(SimControlError) as unknown:
        sim.control.reset_password("nobody@contoso.onmicrosoft.com", "Long-enough-1")
    assert unknown.value.status == 404
    secret = sim.endpoints.control_secret_path.read_text()
    response = sim.http().post(f"{sim.endpoints.control_url}/policies", data="not json",
                               headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"})
    assert response.status_code == 400 and "invalid JSON" in response.json()["error"]
