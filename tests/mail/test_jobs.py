"""Jobs that send mail, end to end: the job log, the simulator's mailboxes and every failure."""
from __future__ import annotations

import email
import email.policy
import os
import threading

import pytest

from panel_tui.device.joblog import JobLog
from panel_tui.mail.jobs import SPOOL_DIR_NAME, InvalidRequest, MailJobs, MailRequest
from tests.helpers.joblog import orphan_running_jobs

from .conftest import ADMIN, ALEX, MEGAN, PRINTER

DAY = 86400


def _raw(world, upn, message_id) -> email.message.EmailMessage:
    return email.message_from_bytes(world.control.raw_message(upn, message_id), policy=email.policy.default)


async def test_scan_to_email_delivers_the_scanned_pdf(world):
    world.ready()
    outcome = await world.jobs.scan_to_email(MEGAN.upn, subject="Quarterly report")
    assert outcome.ok, outcome.error
    job = world.printer.joblog.get(outcome.job_id)
    assert (job.job_type, job.result, job.error_code) == ("scan_to_email", "ok", None)
    [message] = world.control.mailbox(MEGAN.upn)
    assert (message["subject"], message["from"]) == ("Quarterly report", PRINTER.upn)
    [attachment] = message["attachments"]
    assert attachment["content_type"] == "application/pdf" and attachment["filename"].endswith(".pdf")
    raw = _raw(world, MEGAN.upn, message["id"])
    [part] = list(raw.iter_attachments())
    assert part.get_content().startswith(b"%PDF-1.4")
    assert world.jobs.pending_retries() == []  # nothing left in the spool


async def test_a_subject_body_and_file_name_outside_ascii_arrive_as_written(world, tmp_path):
    """The message is built with compat32 classes (a tenth of EmailMessage's cost): words outside
    ASCII still travel as RFC 2047/2231 encoded words and arrive as they were written."""
    world.ready()
    page = tmp_path / "pagină scanată.pdf"
    page.write_bytes(b"%PDF-1.4 scanned")
    subject, body = " ".join(["Document scanat — încercare de trimitere"] * 3), "Șablon: ăâîșț, ΑΒΓ."
    outcome = await world.jobs.run(MailRequest("scan_to_email", (MEGAN.upn,), subject, body, (str(page),)))
    assert outcome.ok, outcome.error
    [message] = world.control.mailbox(MEGAN.upn)
    raw = _raw(world, MEGAN.upn, message["id"])
    assert raw["subject"] == subject and raw["x-mailer"].endswith("(panel_tui)")
    text, [attachment] = raw.get_body(("plain",)), list(raw.iter_attachments())
    assert text.get_content().rstrip("\n") == body
    assert attachment.get_filename() == "pagină scanată.pdf" and attachment.get_content() == b"%PDF-1.4 scanned"


async def test_job_details_never_show_tokens(world):
    world.ready()
    await world.jobs.test_mail(MEGAN.upn)
    world.control.set_smtp_auth_org(False)
    failed = await world.jobs.test_mail(MEGAN.upn)
    assert failed.error is not None
    cache = world.printer.paths.token_cache_file.read_text()
    details = " ".join(job.detail for job in world.printer.joblog.jobs())
    token = world.session.acquire_token_for_send()
    assert token in cache and token not in details
    assert "eyJ" not in details and token not in str(failed.error)
    kept = " ".join(str(world.printer.joblog.request_of(job.id)) for job in world.printer.joblog.jobs())
    assert failed.job_id in world.jobs.pending_retries() and "megan" in kept.lower()
    assert "eyJ" not in kept and PRINTER.password not in kept


async def test_connection_check_and_test_mail(world):
    world.ready()
    check = await world.jobs.connection_check()
    assert check.ok and world.printer.joblog.get(check.job_id).job_type == "connection_check"
    assert world.control.mailbox(MEGAN.upn) == []  # a check sends nothing
    sent = await world.jobs.test_mail([MEGAN.upn, ALEX.upn])
    assert sent.ok
    assert len(world.control.mailbox(MEGAN.upn)) == len(world.control.mailbox(ALEX.upn)) == 1


async def test_not_signed_in_fails_with_360_before_connecting(world):
    world.open_smtp()
    world.apply_oauth()
    world.import_ca()
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert not outcome.ok
    assert (outcome.error.cause_name, outcome.job.error_code, outcome.job.result) == ("not_signed_in", 360, "error")
    assert outcome.error.message_key == "cause.not_signed_in.message"


async def test_signed_in_but_settings_never_applied_is_the_guides_360(world):
    world.open_smtp()
    world.control.grant_admin_consent(world.endpoints.client_id)
    assert world.sign_in(PRINTER).ok  # Web Config shows Signed in ... but OK was never clicked
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("auth_method_not_oauth2", 360)
    assert "not oauth2" in outcome.job.detail
    world.apply_oauth()
    world.import_ca()
    assert (await world.jobs.scan_to_email(MEGAN.upn)).ok


async def test_expired_sign_in_fails_the_job_with_361(world):
    world.ready()
    world.advance(91 * DAY)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("signin_expired", 361)
    assert world.printer.signin_info().state == "expired"


@pytest.mark.parametrize("where", ["tenant", "mailbox"])
async def test_smtp_auth_disabled(world, where):
    world.ready()
    if where == "tenant":
        world.control.set_smtp_auth_org(False)
    else:
        world.control.set_smtp_auth_mailbox(PRINTER.upn, False)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == (f"smtp_auth_disabled_{where}", 312)
    assert outcome.error.cause.fixer == "tenant_admin"
    assert "5.7.139" in outcome.job.detail and ("Mailbox" in outcome.job.detail) == (where == "mailbox")


async def test_wrong_sender_is_send_as_not_permitted(world):
    world.ready()
    world.apply_oauth(sender=ADMIN.upn)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("send_as_not_permitted", 312)
    assert world.control.mailbox(MEGAN.upn) == []


async def test_untrusted_certificate_until_the_ca_is_imported(world):
    world.open_smtp()
    world.control.grant_admin_consent(world.endpoints.client_id)
    assert world.sign_in(PRINTER).ok
    world.apply_oauth()
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("certificate_untrusted", 313)
    world.apply_oauth(cert_validation=False)  # the administrator's (warned) choice also works
    assert (await world.jobs.test_mail(MEGAN.upn)).ok
    world.apply_oauth(cert_validation=True)
    world.import_ca()
    assert (await world.jobs.scan_to_email(MEGAN.upn)).ok


@pytest.mark.parametrize(("field", "value", "cause", "code"), [
    ("smtp_server", "smtp.example.invalid", "dns_failure", 311),
    ("secure_connection", "ssl_tls", "secure_connection_mismatch", 313),
    ("secure_connection", "none", "secure_connection_mismatch", 313),
])
async def test_server_settings_that_cannot_work(world, field, value, cause, code):
    world.ready()
    world.apply_oauth(**{field: value})
    outcome = await world.jobs.connection_check()
    assert (outcome.error.cause_name, outcome.job.error_code) == (cause, code)


async def test_smtp_server_down_is_a_communication_error(world):
    world.ready()
    world.control.set_fault("smtp_down", True)
    try:
        outcome = await world.jobs.test_mail(MEGAN.upn)
    finally:
        world.control.set_fault("smtp_down", False)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("connection_failed", 313)


async def test_identity_provider_down_fails_the_job_with_a_cause(world):
    world.ready()
    world.advance(3600)
    world.control.set_fault("idp_down", True)
    outcome = await world.jobs.scan_to_email(MEGAN.upn)
    assert outcome.error.cause_name == "idp_unavailable" and outcome.job.result == "error"
    world.control.set_fault("idp_down", False)
    assert (await world.jobs.retry(outcome.job_id)).ok


async def test_connection_dropped_mid_data_loses_nothing_and_retry_sends_it(world):
    world.ready()
    world.control.set_fault("smtp_drop_mid_data", True)
    failed = await world.jobs.scan_to_email(MEGAN.upn, subject="Contract")
    world.control.set_fault("smtp_drop_mid_data", False)
    # The data went out and no reply came: from the printer's side the message may have arrived.
    assert (failed.job.result, failed.job.error_code, failed.error.cause_name) == (
        "unconfirmed", 313, "connection_failed")
    assert failed.unconfirmed and failed.job.stage == "data_sent" and "may have arrived" in failed.job.detail
    assert world.control.mailbox(MEGAN.upn) == []
    assert world.jobs.pending_retries() == [failed.job_id]

    retried = await world.jobs.retry(failed.job_id)
    assert retried.ok and retried.job_id != failed.job_id and retried.job.stage == "accepted"
    assert f"retry of #{failed.job_id}" in retried.job.detail
    [message] = world.control.mailbox(MEGAN.upn)
    assert message["subject"] == "Contract" and len(message["attachments"]) == 1
    assert message["message_id"] == failed.job.message_id == retried.job.message_id  # recognisable
    assert world.jobs.pending_retries() == []
    history = world.printer.joblog.get(failed.job_id)
    assert history.result == "unconfirmed" and history.retried_by == retried.job_id  # the history stays
    with pytest.raises(InvalidRequest):
        await world.jobs.retry(retried.job_id)
    with pytest.raises(InvalidRequest) as twice:
        await world.jobs.retry(failed.job_id)
    assert twice.value.key == "job.already_retried"


async def test_a_job_interrupted_by_a_crash_can_be_retried(world):
    world.ready()
    request = MailRequest("test_mail", (MEGAN.upn,), "Before the crash", "body")
    job_id = world.printer.joblog.start("test_mail", request.summary(), request=request.to_json())
    # the process died here, mid-send
    orphan_running_jobs(world.printer.paths.joblog_file)
    reopened = JobLog(world.printer.paths.joblog_file, world.clock)
    assert reopened.recovered == 1 and reopened.get(job_id).result == "interrupted"
    outcome = await world.jobs.retry(job_id)
    assert outcome.ok
    assert [m["subject"] for m in world.control.mailbox(MEGAN.upn)] == ["Before the crash"]


async def test_a_send_never_waits_for_the_disk_and_its_job_is_flushed_on_the_job_logs_thread(world, monkeypatch):
    """Every commit is in the WAL when it returns (a kill -9 loses nothing); what a power cut must
    not undo is flushed to the disk on the job log's own thread, asked for when the message data
    goes out and when the job ends: a disk as slow as this test makes it never holds the send."""
    world.ready()
    released, flushed, events = threading.Event(), [], []
    real_flush, real_set_stage, real_sync_soon = os.fdatasync, JobLog.set_stage, JobLog.sync_soon

    def fdatasync(fd):
        if os.readlink(f"/proc/self/fd/{fd}") == f"{world.printer.paths.joblog_file}-wal":
            released.wait(60)
            flushed.append(threading.current_thread().name)
        real_flush(fd)

    def set_stage(self, job_id, stage):
        real_set_stage(self, job_id, stage)
        events.append(stage)

    def sync_soon(self):
        events.append("flush asked")
        return real_sync_soon(self)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    monkeypatch.setattr(JobLog, "set_stage", set_stage)
    monkeypatch.setattr(JobLog, "sync_soon", sync_soon)
    outcome = await world.jobs.test_mail(MEGAN.upn)
    assert outcome.ok and flushed == []  # sent and recorded while the flush still waits for the disk
    assert events == ["data_sent", "flush asked", "flush asked"]  # the job's only other commits: its start, its end
    released.set()
    world.printer.joblog.sync_soon().result(timeout=60)
    assert flushed and set(flushed) == {"joblog-flush"}


async def test_requests_an_older_version_kept_in_files_move_into_the_job_log(world):
    """A home from before requests were stored with their jobs: the file of an interrupted job, and
    the one of a job killed before it was numbered, move into their rows (retry sends both); the
    file of a send killed before its job existed is removed, and with the files their folder."""
    world.ready()
    joblog = world.printer.joblog
    kept, unnumbered, orphan = (
        MailRequest("test_mail", (MEGAN.upn,), subject, "body", message_id=f"<{n}@contoso.com>")
        for n, subject in enumerate(("Kept in a file", "Killed before its number", "Never started")))
    ids = [joblog.start("test_mail", request.summary(), request.message_id) for request in (kept, unnumbered)]
    for job_id in ids:
        joblog.finish(job_id, "interrupted")
    folder = world.printer.paths.data_dir / SPOOL_DIR_NAME
    folder.mkdir()
    (folder / f"job-{ids[0]}.json").write_text(kept.to_json())
    for request in (unnumbered, orphan):
        (folder / f"pending-{request.message_id.encode().hex()}.json").write_text(request.to_json())
    assert world.jobs.pending_retries() == []
    jobs = MailJobs(world.printer, world.jobs.session_factory, timeout=10)
    assert not folder.exists() and jobs.pending_retries() == ids
    for job_id in ids:
        assert (await jobs.retry(job_id)).ok
    assert sorted(m["subject"] for m in world.control.mailbox(MEGAN.upn)) == ["Kept in a file",
                                                                              "Killed before its number"]


async def test_to_my_email_needs_each_users_own_sign_in(world):
    world.ready()
    missing = await world.jobs.to_my_email(MEGAN.upn)
    assert (missing.error.cause_name, missing.job.error_code) == ("user_signin_required", 370)
    assert missing.job.job_type == "to_my_email"
    # The administrator consents for the organisation once (from the panel's To My Email) ...
    assert world.sign_in(ADMIN, role=None, consent_for_org=True).ok
    # ... then each user signs in the first time.
    assert world.sign_in(MEGAN, role=None).ok
    sent = await world.jobs.to_my_email(MEGAN.upn, subject="My scan")
    assert sent.ok, sent.error
    [message] = world.control.mailbox(MEGAN.upn)
    assert (message["from"], message["subject"]) == (MEGAN.upn, "My scan")
    other = await world.jobs.to_my_email(ALEX.upn)
    assert other.job.error_code == 370
    world.advance(91 * DAY)  # Megan's sign-in died: she must sign in again (370, not 361)
    assert (await world.jobs.to_my_email(MEGAN.upn)).job.error_code == 370


async def test_fax_uses_its_own_email_server_sign_in(world):
    world.ready()
    not_yet = await world.jobs.fax_email("fax-4021234567@" + "contoso.onmicrosoft.com")
    assert (not_yet.error.cause_name, not_yet.job.error_code) == ("auth_method_not_oauth2", 360)
    world.apply_oauth(section="fax_email_server", sender=PRINTER.upn)
    assert (await world.jobs.fax_email(MEGAN.upn)).job.error_code == 360  # fax server not signed in
    assert world.sign_in(PRINTER, role="fax_email_server").ok
    sent = await world.jobs.fax_email(MEGAN.upn)
    assert sent.ok and sent.job.job_type == "fax_email"


async def test_addresses_are_validated_before_a_job_starts(world):
    with pytest.raises(InvalidRequest) as raised:
        await world.jobs.scan_to_email("not-an-address")
    assert raised.value.key == "rule.email_format"
    assert world.printer.joblog.jobs() == []


async def test_a_send_opens_the_job_log_once(world, connections_opened):
    world.ready()
    assert world.printer.joblog.recovered == 0  # opened (and recovered) before the job, as the panel and commands do
    opened = connections_opened
    opened.clear()  # only the send's openings count
    outcome = await world.jobs.test_mail(MEGAN.upn)
    assert outcome.ok, outcome.error
    assert len(opened) == 1
    assert world.printer.joblog.get(outcome.job_id).stage == "accepted"
