"""The printer's SMTP-AUTH method (Basic authentication) against the simulator across
Microsoft's cutoff (MC786329), and Exchange Online's other answers as the printer reports
them: each its own cause, code, message and fixer; transient answers retried with backoff."""
from __future__ import annotations

import datetime as dt

import pytest

from panel_tui.device.errors import CAUSES
from panel_tui.i18n import Translator
from panel_tui.mail import jobs as jobs_module

from .conftest import MEGAN, PRINTER

CUTOFF = dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp()


def _apply_smtp_auth(world, password: str = PRINTER.password, sender: str = PRINTER.upn) -> None:
    """Web Config > Network > Email Server > Basic: SMTP-AUTH, account and password, OK."""
    def change(settings):
        for name, value in (("auth_method", "smtp_auth"), ("account", PRINTER.upn), ("password", password),
                            ("sender", sender), ("smtp_server", "smtp.office365.com"), ("smtp_port", 587),
                            ("secure_connection", "starttls")):
            settings = settings.with_field(f"email_server.{name}", value)
        return settings
    world.printer.update(change)
    world.import_ca()


def _past_the_cutoff(world) -> None:
    world.advance(max(0.0, CUTOFF - world.control.now()) + 3600)


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr(jobs_module, "TRANSIENT_RETRY_DELAYS", (0.0, 0.0))


async def test_smtp_auth_sends_with_the_password_in_december_2026(world):
    world.open_smtp()
    _apply_smtp_auth(world)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert outcome.ok, outcome.error
    assert [m["from"] for m in world.control.mailbox(MEGAN.upn)] == [PRINTER.upn]
    assert [(r["upn"], r["protocol"]) for r in world.control.smtp_auth_clients_report(7)] == [(PRINTER.upn, "Basic")]
    assert PRINTER.password not in outcome.job.detail


async def test_after_the_cutoff_the_job_names_basic_then_re_enable_then_oauth(world):
    world.open_smtp()
    _apply_smtp_auth(world)
    assert (await world.jobs.scan_to_email(MEGAN.upn)).ok
    _past_the_cutoff(world)
    failed = await world.jobs.scan_to_email(MEGAN.upn)
    assert (failed.error.cause_name, failed.job.error_code) == ("basic_auth_disabled", 312)
    assert failed.error.cause.fixer == "printer_admin"
    assert "basic authentication is disabled" in failed.job.detail
    # The Microsoft 365 administrator's stopgap: Basic back on for the tenant.
    world.control.set_basic_smtp_auth(True)
    assert (await world.jobs.scan_to_email(MEGAN.upn)).ok
    # The migration the guide teaches: OAuth 2.0; the report shows the printer moved.
    world.control.grant_admin_consent(world.endpoints.client_id)
    assert world.sign_in(PRINTER).ok
    world.apply_oauth()
    assert (await world.jobs.scan_to_email(MEGAN.upn)).ok
    report = {(r["upn"], r["protocol"]): r["messages"] for r in world.control.smtp_auth_clients_report(30)}
    assert report == {(PRINTER.upn, "Basic"): 2, (PRINTER.upn, "OAuth"): 1}


async def test_final_removal_is_its_own_cause(world):
    world.open_smtp()
    _apply_smtp_auth(world)
    world.control.set_basic_final_removal(True)
    failed = await world.jobs.scan_to_email(MEGAN.upn)
    assert (failed.error.cause_name, failed.job.error_code) == ("basic_auth_removed", 312)


async def test_wrong_password_is_auth_failed(world):
    world.open_smtp()
    _apply_smtp_auth(world, password="Not-The-Password-1")
    failed = await world.jobs.scan_to_email(MEGAN.upn)
    assert (failed.error.cause_name, failed.job.error_code) == ("auth_failed", 312)
    assert "Not-The-Password-1" not in failed.job.detail


async def test_send_as_a_shared_mailbox_once_granted(world):
    world.ready()
    shared = world.control.add_shared_mailbox("scans", "Scans")
    world.apply_oauth(sender=shared)
    refused = await world.jobs.scan_to_email(MEGAN.upn)
    assert (refused.error.cause_name, refused.job.error_code) == ("send_as_not_permitted", 312)
    assert refused.error.cause.fixer == "tenant_admin"
    world.control.set_send_as(shared, PRINTER.upn)
    sent = await world.jobs.scan_to_email(MEGAN.upn)
    assert sent.ok, sent.error
    assert world.control.mailbox(MEGAN.upn)[0]["from"] == shared


@pytest.mark.parametrize("verdict, cause", [
    ("restricted", "restricted_sender"),
    ("outbound_spam", "outbound_spam"),
    ("spam_abuse", "spam_abuse_detected"),
    ("banned", "banned_sender"),
])
async def test_each_sender_verdict_has_its_own_cause_never_313(world, verdict, cause):
    world.ready()
    world.control.set_sender_block(PRINTER.upn, verdict)
    failed = await world.jobs.scan_to_email(MEGAN.upn)
    assert (failed.error.cause_name, failed.job.error_code) == (cause, 312)
    assert failed.error.cause.fixer == "tenant_admin"


@pytest.mark.parametrize("fault, cause, reply", [
    ("smtp_busy", "server_busy", "451 4.7.500"),
    ("smtp_unavailable", "service_unavailable", "421 4.3.2"),
])
async def test_try_again_later_is_retried_with_backoff_then_named(world, no_waiting, fault, cause, reply):
    world.ready()
    world.control.set_fault(fault, True)
    failed = await world.jobs.scan_to_email(MEGAN.upn)
    assert (failed.error.cause_name, failed.job.error_code) == (cause, 313)
    assert reply in failed.job.detail and "after 3 attempts" in failed.job.detail
    assert failed.error.fix_key == f"cause.{cause}.fix"


async def test_a_busy_server_that_recovers_delivers_on_a_later_attempt(world, monkeypatch):
    world.ready()
    world.control.set_fault("smtp_busy", True)
    waited: list[float] = []

    async def recover_while_waiting(seconds: float) -> None:  # the wait is when the server recovers
        waited.append(seconds)
        world.control.set_fault("smtp_busy", False)

    monkeypatch.setattr(jobs_module.asyncio, "sleep", recover_while_waiting)
    sent = await world.jobs.scan_to_email(MEGAN.upn)
    assert sent.ok and waited == [jobs_module.TRANSIENT_RETRY_DELAYS[0]]
    assert len(world.control.mailbox(MEGAN.upn)) == 1


EXCHANGE_ANSWER_CAUSES = ("basic_auth_disabled", "basic_auth_removed", "smtp_auth_blocked", "send_as_not_permitted",
                          "send_as_denied", "outbound_spam", "spam_abuse_detected", "banned_sender",
                          "restricted_sender", "too_many_recipients", "server_busy", "service_unavailable",
                          "mfa_declined")


def test_each_answer_has_its_own_words_in_both_languages_and_no_network_fix():
    catalogs = Translator.load().catalogs
    for lang in ("en", "ro"):
        texts = catalogs[lang]
        messages = {texts[f"cause.{name}.message"] for name in EXCHANGE_ANSWER_CAUSES}
        fixes = {texts[f"cause.{name}.fix"] for name in EXCHANGE_ANSWER_CAUSES}
        assert len(messages) == len(fixes) == len(EXCHANGE_ANSWER_CAUSES), lang
        network_fix = texts["cause.connection_failed.fix"]
        assert network_fix not in fixes
    for name in EXCHANGE_ANSWER_CAUSES:
        cause = CAUSES[name]
        assert cause.code != 313 or name in ("server_busy", "service_unavailable"), name
    en = catalogs["en"]
    assert "end of December 2026" in en["cause.basic_auth_disabled.message"]
    fix = en["cause.basic_auth_disabled.fix"]
    assert "OAuth2" in fix and "second half of 2027" in fix
