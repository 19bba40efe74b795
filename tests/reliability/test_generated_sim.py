"""The simulator's SMTP and HTTP inputs, generated (Hypothesis): every SMTP command line gets an
Exchange-style reply (never aiosmtpd's "Error: (Exception)" for a handler that broke, never a cut
connection), every HTTP request an answer that is not a 500, the control API's in JSON; the
simulator keeps serving afterwards."""
from __future__ import annotations

import base64
import json
import smtplib

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from panel_tui.sim.control import SECRET_FILE, read_control_secret
from panel_tui.sim.runtime import SimulatorThread
from tests.reliability.generated import NASTY
from tests.sim.conftest import ADMIN, Harness

VERBS = ["MAIL FROM:", "RCPT TO:", "DATA", "RSET", "NOOP", "EHLO", "HELO", "AUTH", "AUTH XOAUTH2", "AUTH PLAIN",
         "AUTH LOGIN", "VRFY", "EXPN", "HELP", "BDAT", "STARTTLS", "XCLIENT", "", "mail from:", "rcpt to:"]
ADDRESSES = ["<megan@contoso.onmicrosoft.com>", "<admin@contoso.onmicrosoft.com>", "<>", "<.@x.y>", "<a/b@c.d>",
             "<a\x00b@c.d>", "<\u202e@x.y>", "<" + "x" * 300 + "@x.y>", "megan@contoso.onmicrosoft.com", "<@a,@b:c@d>"]


def _no_line_breaks(text: str) -> bytes:
    return text.replace("\r", "").replace("\n", "").encode("utf-8", "surrogateescape")


smtp_lines = st.builds(
    lambda verb, argument: (verb + (" " if verb and not verb.endswith(":") and argument else "")).encode() + argument,
    st.sampled_from(VERBS),
    st.one_of(st.sampled_from(ADDRESSES).map(_no_line_breaks), st.sampled_from(NASTY).map(_no_line_breaks),
              st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))),
)


class World(tuple):
    """(harness, upn, access token, control secret); shown without its secrets."""

    def __repr__(self) -> str:
        return "World(simulator, admin, [token], [secret])"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("generated-sim")
    thread = SimulatorThread(data_dir)
    endpoints = thread.start(timeout=60)
    harness = Harness(endpoints, data_dir)
    try:
        harness.open_smtp()
        token = harness.sign_in(ADMIN).access_token
        yield World((harness, ADMIN.upn, token, read_control_secret(data_dir / SECRET_FILE)))
    finally:
        harness.control.close()
        thread.stop()


def _session(harness, upn: str, token: str | None) -> smtplib.SMTP:
    smtp = smtplib.SMTP(harness.endpoints.smtp_host, harness.endpoints.smtp_port, timeout=5)
    smtp.starttls(context=harness.tls_context())
    smtp.ehlo()
    if token is not None:
        blob = base64.b64encode(f"user={upn}\x01auth=Bearer {token}\x01\x01".encode()).decode()
        assert smtp.docmd("AUTH", f"XOAUTH2 {blob}")[0] == 235
    return smtp


@given(lines=st.lists(smtp_lines, min_size=1, max_size=6), signed_in=st.booleans(), body=st.binary(max_size=200))
@example(lines=[b"MAIL FROM:<admin@contoso.onmicrosoft.com>", b"RCPT TO:<a\x00b@c.d>"], signed_in=True, body=b"")
@example(lines=[b"MAIL FROM:<admin@contoso.onmicrosoft.com>", b"RCPT TO:<megan@contoso.onmicrosoft.com>",
                b"DATA"], signed_in=True, body=b"Subject: \xff\x00\r\n\r\n.\r\n..")
def test_every_smtp_command_gets_a_reply(world, lines, signed_in, body):
    harness, upn, token, _ = world
    smtp = _session(harness, upn, token if signed_in else None)
    try:
        for line in lines:
            smtp.send(line + b"\r\n")
            code, text = smtp.getreply()
            assert 200 <= code < 600, (line, code, text)
            assert not text.startswith(b"Error: ("), (line, code, text)  # a handler that raised
            if code == 354:  # DATA accepted: the generated message, then the end of data
                smtp.send(body.replace(b"\r\n.\r\n", b"\r\n..\r\n") + b"\r\n.\r\n")
                code, text = smtp.getreply()
                assert 200 <= code < 600 and not text.startswith(b"Error: ("), (body, code, text)
            if code in (221, 421):
                break
    finally:
        smtp.close()
    fresh = _session(harness, upn, None)
    try:
        assert fresh.noop()[0] == 250  # still serving
    finally:
        fresh.close()


PATHS = ["/_sim/state", "/_sim/clock", "/_sim/faults", "/_sim/policies", "/_sim/users", "/_sim/reset-not",
         "/_sim/users/megan@contoso.onmicrosoft.com/smtp-auth", "/_sim/users/%00/password",
         "/_sim/mailboxes/megan@contoso.onmicrosoft.com", "/_sim/mailboxes/..%2F..%2Fetc/x", "/_sim/consents/x",
         "/_sim/apps/x", "/_sim/endpoints", "/_sim/basic-smtp-auth", "/_sim/shared-mailboxes",
         "/organizations/oauth2/v2.0/devicecode", "/organizations/oauth2/v2.0/token", "/devicelogin",
         "/organizations/oauth2/v2.0/authorize",
         "/devicelogin/account", "/devicelogin/password", "/devicelogin/consent", "/admin/login", "/admin/settings",
         "/organizations/v2.0/.well-known/openid-configuration", "/%E2%80%AE/v2.0/.well-known/openid-configuration",
         "/" + "x" * 3000, "/admin/trainer/clock"]
json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70) | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["advance", "name", "on", "upn", "password", "enabled", "client_id", "grant_type",
                         "device_code", "code", "x"]), children, max_size=3),
    max_leaves=8,
)


@given(method=st.sampled_from(["GET", "POST"]), path=st.sampled_from(PATHS), authorised=st.booleans(),
       body=st.one_of(json_bodies.map(lambda value: ("json", value)), st.binary(max_size=200).map(lambda b: ("raw", b)),
                      st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3).map(
                          lambda form: ("form", form))))
@example(method="POST", path="/_sim/clock", authorised=True, body=("json", {"advance": float("nan")}))
@example(method="POST", path="/_sim/clock", authorised=True, body=("raw", b"[" * 50_000))
def test_every_http_request_gets_an_answer_that_is_not_a_500(world, method, path, authorised, body):
    harness, _, _, secret = world
    if path == "/_sim/reset-not":
        path = "/_sim/reset"
        method = "GET"  # a reset by POST would undo the world the other examples need
    headers = {"Authorization": f"Bearer {secret}"} if authorised else {}
    kind, value = body
    if kind == "json":  # as written by a client that allows NaN and Infinity (Python's json does)
        headers["Content-Type"] = "application/json"
        options = {"data": json.dumps(value).encode()}
    else:
        options = {"data": value}
    with requests.Session() as http:
        http.trust_env = False
        http.verify = str(harness.endpoints.ca_path)
        reply = http.request(method, harness.endpoints.base_url + path, headers=headers, timeout=15,
                             allow_redirects=False, **options)
    assert reply.status_code < 500 or reply.status_code == 507, (method, path, body, reply.status_code,
                                                                  reply.text[:300])
    if path.startswith("/_sim/") and not path.startswith("/_sim/apps/") and path != "/_sim/ca.pem":
        assert reply.headers.get("Content-Type", "").startswith("application/json"), (path, reply.text[:300])
    assert requests.get(harness.endpoints.base_url + "/_sim/endpoints", verify=str(harness.endpoints.ca_path),
                        timeout=15).status_code == 200
