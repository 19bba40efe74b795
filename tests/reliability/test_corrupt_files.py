"""Every file of a profile, corrupt or of the wrong kind: a clear message naming the file and the
problem, never a traceback; a broken job log breaks only the job commands."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from panel_tui.cli import main
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.device.status_sheet import NOT_SIGNED_IN
from panel_tui.mail.auth import OAuthSession
from panel_tui.mail.jobs import InvalidRequest, MailJobs
from panel_tui.mail.providers import Provider
from panel_tui.ui.jobs import JobStatusScreen
from panel_tui.ui.screen_recipe import screens_loaded

DEEP = "[" * 100_000 + "]" * 100_000


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _paths():
    return resolve_paths("default")


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


# (file, content, what the message says)
SETTINGS_CASES = [
    ("settings_file", b"\xff\xfe garbage", "not UTF-8"),
    ("settings_file", "{not json", "not valid JSON"),
    ("settings_file", DEEP, "nested too deeply"),
    ("settings_file", "[]", "not a panel-tui settings file"),
    ("settings_file", json.dumps({"schema": 1, "settings": {"email_server": []}}), "expected an object"),
    ("settings_file", json.dumps({"schema": 99, "settings": {}}), "newer panel-tui"),
    ("settings_file", json.dumps({"schema": 1, "settings": {"time_difference_minutes": 1e308}}), "expected a number"),
    ("secrets_file", "[]", "expected a JSON object"),
    ("secrets_file", DEEP, "nested too deeply"),
]


@pytest.mark.parametrize(("name", "content", "problem"), SETTINGS_CASES,
                         ids=[f"{n}-{p}" for n, _, p in SETTINGS_CASES])
def test_a_broken_settings_file_is_named_with_its_problem(capsys, name, content, problem):
    path = getattr(_paths(), name)
    if name == "secrets_file":  # the secrets are read with a settings file
        _write(_paths().settings_file, json.dumps({"schema": 1, "settings": {"email_server": {}}}))
    _write(path, content)
    code, _, err = _cli(capsys, "config", "show")
    assert code == 1
    assert str(path) in err and problem in err


def _valid_job_log(path: Path) -> bytes:
    log = JobLog(path)
    log.finish(log.start("test_mail", "to megan"), "ok")
    data = path.read_bytes()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return data


def _garbage(path: Path) -> None:
    _write(path, b"this is not a database" * 100)


def _truncated(path: Path) -> None:
    _write(path, _valid_job_log(path)[:1000])


def _zeroed_header(path: Path) -> None:
    _write(path, b"\0" * 100 + _valid_job_log(path)[100:])


def _a_directory(path: Path) -> None:
    path.mkdir(parents=True)


def _wrong_schema(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, something TEXT)")


JOBLOG_CASES = [
    (_garbage, "damaged"),
    (_truncated, "damaged"),
    (_zeroed_header, "damaged"),
    (_a_directory, "cannot be opened"),
    (_wrong_schema, "cannot be used"),
]


@pytest.mark.parametrize(("spoil", "problem"), JOBLOG_CASES, ids=[f.__name__.strip("_") for f, _ in JOBLOG_CASES])
def test_a_broken_job_log_breaks_only_the_job_commands_and_repair_starts_a_new_one(capsys, spoil, problem):
    joblog_file = _paths().joblog_file
    spoil(joblog_file)
    code, out, _ = _cli(capsys, "config", "show")  # everything else keeps working
    assert code == 0 and "Email Server Settings" in out

    code, _, err = _cli(capsys, "jobs")
    assert code == 1
    assert str(joblog_file) in err and problem in err and "panel-tui jobs --repair" in err

    code, out, _ = _cli(capsys, "jobs", "--repair")
    assert code == 0 and "moved to" in out
    [aside] = [p for p in joblog_file.parent.glob("jobs.sqlite3.broken-*") if not p.name.endswith(("-wal", "-shm"))]
    assert str(aside) in out  # kept for whoever wants to look at it
    code, out, _ = _cli(capsys, "jobs", "--json")
    assert (code, out) == (0, "")  # a new, empty job log
    code, out, _ = _cli(capsys, "jobs", "--repair")
    assert code == 0 and "nothing to repair" in out


TOKEN_CACHE_CASES = ["[]", '"a string"', "42", '{"AccessToken": 5}', '{"RefreshToken": {"k": []}}', DEEP, "{broken"]


@pytest.mark.parametrize("content", TOKEN_CACHE_CASES, ids=["list", "string", "number", "section-number",
                                                            "entry-list", "deep", "not-json"])
def test_a_token_cache_of_the_wrong_kind_reads_as_not_signed_in_and_is_kept_aside(content):
    cache_file = _paths().token_cache_file
    _write(cache_file, content)
    provider = Provider(name="test", authority="https://login.example.invalid/organizations",
                        smtp_host="smtp.example.invalid", smtp_port=587,
                        client_id="00000000-0000-0000-0000-000000000000")
    session = OAuthSession(provider, cache_file)
    assert session.accounts() == [] and session.signin_info() == NOT_SIGNED_IN
    assert not cache_file.exists()
    assert cache_file.with_name(cache_file.name + ".unreadable").read_text(encoding="utf-8") == content


def test_a_garbage_stored_request_makes_retry_refuse_clearly():
    printer = Printer.open(_paths())
    job_id = printer.joblog.start("test_mail")
    printer.joblog.finish(job_id, "error", error_code=313)
    jobs = MailJobs(printer, lambda settings: None)
    for garbage in (DEEP, "[]", '{"job_type": "test_mail", "recipients": 5}', b"\xff"):
        with closing(sqlite3.connect(printer.paths.joblog_file)) as conn, conn:
            conn.execute("UPDATE jobs SET request = ? WHERE id = ?", (garbage, job_id))
        with pytest.raises(InvalidRequest) as refused:
            asyncio.run(jobs.retry(job_id))
        assert refused.value.key == "job.retry_not_possible"


async def test_the_panel_shows_a_broken_job_log_on_job_status_and_keeps_running(make_app):
    _garbage(_paths().joblog_file)
    app = make_app("en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        assert isinstance(app.screen, JobStatusScreen)
        await screens_loaded(pilot)  # Job Status reads the log in a worker
        text = str(app.screen.query_one("#jobs-empty").render())
        assert "jobs.sqlite3" in text and "damaged" in text and "panel-tui jobs --repair" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, JobStatusScreen)
