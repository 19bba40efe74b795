"""One simulator, several tenants (a class: one per seat). Each has its own domain, users,
policies, consent and sign-ins; the IdP, the sign-in pages, the admin center, SMTP and the
control API each work on the tenant a request names (path, account's domain, token, header).
One clock and one set of faults serve them all."""
from __future__ import annotations

import asyncio

import aiosmtplib
import jwt
import pytest

from panel_tui.sim.client import GLOBAL_ADMIN, SimControlError
from panel_tui.sim.state import SimState

SEAT1, SEAT2 = "contoso-seat01.onmicrosoft.com", "contoso-seat02.onmicrosoft.com"
PASSWORD = "Seat-Password-2024"


@pytest.fixture
def seats(sim):
    """Two seat tenants, each with its own global administrator (and mailbox)."""
    controls = {}
    for index, domain in enumerate((SEAT1, SEAT2), 1):
        tenant = sim.control.add_tenant(domain, f"Contoso seat{index:02d}")
        control = sim.control.for_tenant(domain)
        control.add_user(f"seat{index:02d}@{domain}", f"Seat {index:02d}", PASSWORD, roles=[GLOBAL_ADMIN])
        controls[domain] = (tenant, control)
    yield controls
    for _, control in controls.values():
        control.close()


def _consent(state: dict) -> bool:
    return any(app["admin_consent"] for app in state["apps"])


def test_a_seats_consent_and_settings_stay_in_its_own_tenant(sim, seats):
    (tenant1, control1), (_, control2) = seats[SEAT1], seats[SEAT2]
    control1.set_security_defaults(False)
    control1.set_smtp_auth_org(True)
    signin = sim.sign_in(f"seat01@{SEAT1}", password=PASSWORD, consent_for_org=True,
                         authority=f"{sim.endpoints.base_url}/{SEAT1}")
    assert signin.page["signed_in"], signin.page
    claims = jwt.decode(signin.access_token, options={"verify_signature": False})
    assert claims["tid"] == tenant1["id"] and claims["upn"] == f"seat01@{SEAT1}"

    one, two, home = control1.state(), control2.state(), sim.control.state()
    assert one["tenant"]["domain"] == SEAT1 and _consent(one)
    assert not one["policies"]["security_defaults"] and one["policies"]["smtp_auth_org"]
    assert two["tenant"]["domain"] == SEAT2 and not _consent(two)  # seat02 did nothing
    assert two["policies"]["security_defaults"] and not two["policies"]["smtp_auth_org"]
    assert [u["upn"] for u in two["users"]] == [f"seat02@{SEAT2}"]
    assert not _consent(home) and home["policies"]["security_defaults"]
    assert {t["domain"] for t in sim.control.tenants()} == {"contoso.onmicrosoft.com", SEAT1, SEAT2}


def test_organizations_signs_a_user_into_their_own_tenant_and_a_named_tenant_refuses_others(sim, seats):
    (_, _), (tenant2, control2) = seats[SEAT1], seats[SEAT2]
    signin = sim.sign_in(f"seat02@{SEAT2}", password=PASSWORD, consent_for_org=True,
                         authority=f"{sim.endpoints.base_url}/organizations")
    assert signin.page["signed_in"], signin.page
    assert jwt.decode(signin.access_token, options={"verify_signature": False})["tid"] == tenant2["id"]
    assert _consent(control2.state()) and not _consent(seats[SEAT1][1].state())
    # seat02's account at a code of seat01's tenant: not an account of that tenant
    app = sim.msal_app(f"{sim.endpoints.base_url}/{SEAT1}")
    flow = sim.start_flow(app)
    page = sim.control.approve_device_code(flow["user_code"], f"seat02@{SEAT2}", PASSWORD)
    assert page["page"] == "account" and not page["signed_in"]


def test_smtp_works_on_the_tenant_of_the_signed_in_mailbox(sim, seats):
    (_, control1), (_, control2) = seats[SEAT1], seats[SEAT2]
    control1.set_security_defaults(False)
    control1.set_smtp_auth_org(True)
    token = sim.sign_in(f"seat01@{SEAT1}", password=PASSWORD, consent_for_org=True,
                        authority=f"{sim.endpoints.base_url}/{SEAT1}").access_token

    async def send(user: str) -> str:
        client = aiosmtplib.SMTP(hostname=sim.endpoints.smtp_host, port=sim.endpoints.smtp_port,
                                 tls_context=sim.tls_context(), start_tls=True)
        await client.connect()
        try:
            try:
                await client.auth_xoauth2(user, token)
            except aiosmtplib.SMTPAuthenticationError as error:
                return f"{error.code} {error.message}"
            await client.sendmail(user, [user], f"From: {user}\r\nTo: {user}\r\nSubject: own\r\n\r\nhi\r\n")
            return "sent"
        finally:
            client.close()

    assert asyncio.run(send(f"seat01@{SEAT1}")) == "sent"  # its tenant allows SMTP AUTH
    assert asyncio.run(send(f"seat02@{SEAT2}")).startswith("535 5.7.3")  # another tenant's mailbox
    assert [m["subject"] for m in control1.mailbox(f"seat01@{SEAT1}")] == ["own"]
    # seat02's own tenant still refuses SMTP AUTH: off for its organisation (and, for Basic,
    # security defaults, which do not refuse OAuth)
    seat2_user = control2.state()["users"][0]
    assert (seat2_user["smtp_auth_refusal"], seat2_user["basic_refusal"]) == ("tenant", "security_defaults")


def test_admin_center_works_on_the_administrators_tenant_and_leaves_the_class_controls_to_the_trainer(sim, seats):
    session = sim.http()
    login = session.post(f"{sim.endpoints.admin_url}/login", data={"upn": f"seat01@{SEAT1}", "password": PASSWORD})
    assert login.status_code == 200 and SEAT1 in login.text
    assert 'href="/admin/trainer"' not in login.text  # the class's clock and faults: not a seat's page
    session.post(f"{sim.endpoints.admin_url}/settings", data={"setting": "smtp_auth_org", "value": "on"})
    assert seats[SEAT1][1].state()["policies"]["smtp_auth_org"]
    assert not seats[SEAT2][1].state()["policies"]["smtp_auth_org"]
    assert not sim.control.state()["policies"]["smtp_auth_org"]
    before = sim.control.now()
    moved = session.post(f"{sim.endpoints.admin_url}/trainer/clock", data={"seconds": "86400"})
    assert "only the trainer" in moved.text and sim.control.now() - before < 3600


def test_one_clock_for_every_tenant_and_an_unknown_tenant_is_refused(sim, seats):
    before = seats[SEAT2][1].now()
    sim.control.advance_clock(3600)
    assert seats[SEAT1][1].now() - before >= 3600 and seats[SEAT2][1].now() - before >= 3600
    with pytest.raises(SimControlError) as refused:
        sim.control.for_tenant("nobody.onmicrosoft.com").state()
    assert refused.value.status == 404 and "no such tenant" in str(refused.value)
    with pytest.raises(SimControlError):
        sim.control.add_tenant(SEAT1, "twice")


def test_a_seats_caller_cannot_switch_the_class_faults_or_reset_the_simulator(sim, seats):
    _, control1 = seats[SEAT1]
    for call in (lambda: control1.set_fault("smtp_down", True), control1.reset):
        with pytest.raises(SimControlError) as refused:
            call()
        assert refused.value.status == 403 and "whole class" in str(refused.value)
    assert sim.control.state()["faults"]["smtp_down"] is False
    assert {t["domain"] for t in sim.control.tenants()} >= {SEAT1, SEAT2}  # nothing was reset


def test_the_tenants_are_kept_across_a_restart(tmp_path):
    state = SimState.load(tmp_path / "state.json")
    seat = state.add_tenant(SEAT1, "Contoso seat01")
    with state.selecting(seat):
        state.add_user(f"seat01@{SEAT1}", "Seat 01", PASSWORD, roles=[GLOBAL_ADMIN])
        state.set_policies(security_defaults=False)
    again = SimState.load(tmp_path / "state.json")
    kept = again.find_tenant(SEAT1)
    assert kept is not None and kept.tenant_id == seat.tenant_id and not kept.policies.security_defaults
    assert list(kept.users) == [f"seat01@{SEAT1}"] and again.home.policies.security_defaults
    assert again.tenant_of_upn(f"SEAT01@{SEAT1.upper()}") is kept
