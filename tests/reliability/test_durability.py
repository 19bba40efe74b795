"""Faults of the disk and bad input: a full disk loses no sign-in and gives a clear message;
bad values are refused up front; the job log and the profile's folders are private."""
from __future__ import annotations

import errno
import json
import math
import sqlite3
import stat
from datetime import timedelta

import pytest

from panel_tui.cli import main
from panel_tui.device import settings_store
from panel_tui.device.clock import OffsetClock, SystemClock, checked_offset
from panel_tui.device.joblog import JobLog
from panel_tui.device.paths import resolve_paths, simulator_dir
from panel_tui.mail import token_cache
from panel_tui.mail.errors import MailError
from tests.reliability.conftest import MEGAN


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", str(args[0]) if args else None)


def _paths():
    return resolve_paths("default")


def _refresh_tokens(text: str) -> set[str]:
    return {entry["secret"] for entry in json.loads(text).get("RefreshToken", {}).values()}


# ---- a full disk ---------------------------------------------------------------------------


def test_config_set_on_a_full_disk_says_so_and_changes_nothing(capsys, monkeypatch):
    monkeypatch.setattr(settings_store, "write_atomically", _disk_full)
    code, _, err = _cli(capsys, "config", "set", "smtp_port", "2525")
    assert code == 1 and "the disk is full" in err and "secrets.json" in err
    monkeypatch.undo()
    code, out, _ = _cli(capsys, "config", "show")
    assert code == 0 and "2525" not in out


def test_a_job_log_on_a_full_disk_fails_only_the_job_commands(capsys, monkeypatch):
    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(JobLog, "_raw_connect", full)
    code, _, err = _cli(capsys, "jobs")
    assert code == 1 and "jobs.sqlite3" in err and "the disk is full" in err and "Free some disk space" in err
    assert "--repair" not in err  # moving the file would not help
    code, _, _ = _cli(capsys, "config", "show")
    assert code == 0


def test_a_token_refresh_on_a_full_disk_keeps_the_rotated_refresh_token(home_world, monkeypatch):
    """The refresh works; the new tokens stay in memory, the save is retried and then lands."""
    world = home_world
    session = world.backend.session_for(world.printer.settings.email_server)
    cache_file = session.cache_path
    before = _refresh_tokens(cache_file.read_text(encoding="utf-8"))
    world.backend.advance_clock(3500)  # under the 600 s margin: the next send refreshes
    monkeypatch.setattr(token_cache, "write_atomically", _disk_full)
    assert session.acquire_token_for_send()  # the send can go on
    assert session.cache_save_problem is not None and session.cache_save_problem.errno == errno.ENOSPC
    in_memory = {entry["secret"] for entry in session._cache_obj()._cache["RefreshToken"].values()}
    assert _refresh_tokens(cache_file.read_text(encoding="utf-8")) == before  # the disk has the old ones
    world.backend.advance_clock(3500)
    assert session.acquire_token_for_send()  # refreshes again from memory, not from the stale file
    in_memory = {entry["secret"] for entry in session._cache_obj()._cache["RefreshToken"].values()}
    assert not session.save_cache()  # still full: still kept
    monkeypatch.undo()
    assert session.save_cache() and session.cache_save_problem is None
    assert _refresh_tokens(cache_file.read_text(encoding="utf-8")) == in_memory


def test_send_with_a_full_config_disk_sends_and_warns_that_the_tokens_were_not_saved(home_world, monkeypatch,
                                                                                      capsys):
    world = home_world
    world.backend.advance_clock(3500)
    monkeypatch.setattr(token_cache, "write_atomically", _disk_full)
    code, out, err = _cli(capsys, "--sim-url", world.sim_url, "send", "--to", MEGAN.upn, "--subject", "Full disk")
    assert code == 0, err
    assert "could not be saved" in err and "the disk is full" in err and "token_cache.json" in err
    assert len(world.mailbox(subject="Full disk")) == 1


# ---- bad input refused up front --------------------------------------------------------------


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: eve@contoso.example", "line\nbreak", "bell\x07"])
def test_a_subject_that_is_not_one_line_is_refused_before_anything(capsys, subject):
    code, _, err = _cli(capsys, "send", "--to", MEGAN.upn, "--subject", subject)
    assert code == 1 and "one line of text" in err
    assert not _paths().joblog_file.exists()  # no job started, nothing reached the network


@pytest.mark.parametrize("job_id", ["99999999999999999999", "9223372036854775808", "0", "-1"])
def test_a_job_number_out_of_range_is_a_clear_refusal(capsys, job_id):
    code, _, err = _cli(capsys, "jobs", "retry", job_id)
    assert code == 1 and "job numbers go from 1 to" in err


def test_clock_values_that_are_not_a_time_are_refused_and_never_persisted(home_world):
    """NaN, infinity and 1e308 s: refused by the simulator's control API, never saved in its
    state; the printer's clocks refuse them too; an expired sign-in stays expired."""
    world = home_world
    before = world.control.now()
    for body in ('{"advance": NaN}', '{"advance": Infinity}', '{"advance": 1e308}'):
        reply = world.control._session.post(world.control.control_url + "/clock", data=body,
                                            headers={"Content-Type": "application/json"}, timeout=10)
        assert reply.status_code == 400, (body, reply.text)
    now = world.control.now()
    assert math.isfinite(now) and now - before < 60
    state = (simulator_dir() / "state.json").read_text(encoding="utf-8")
    assert "NaN" not in state and "Infinity" not in state

    for bad in (float("nan"), float("inf"), 1e308):
        with pytest.raises(ValueError):
            checked_offset(bad)
    clock = OffsetClock(SystemClock())
    with pytest.raises(ValueError):
        clock.advance(timedelta(days=200 * 365))
    assert abs(clock.offset) < timedelta(seconds=1)  # unchanged

    world.backend.advance_clock(91 * 86400)  # 90 days without use: the refresh token is dead
    session = world.backend.session_for(world.printer.settings.email_server)
    with pytest.raises(MailError) as expired:
        session.acquire_token_for_send()
    assert expired.value.code == 361


# ---- private files ---------------------------------------------------------------------------


def test_job_log_is_0600_and_the_profiles_folders_0700(capsys):
    paths = _paths()
    code, _, _ = _cli(capsys, "jobs")
    assert code == 0
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for name in ("jobs.sqlite3", "jobs.sqlite3-wal", "jobs.sqlite3-shm"):
        file = paths.data_dir / name
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_an_old_world_readable_job_log_becomes_private(capsys):
    paths = _paths()
    JobLog(paths.joblog_file)
    paths.joblog_file.chmod(0o644)
    code, _, _ = _cli(capsys, "jobs")
    assert code == 0 and stat.S_IMODE(paths.joblog_file.stat().st_mode) == 0o600


def test_a_send_whose_job_cannot_be_recorded_says_which_file_and_leaves_nothing(home_world, monkeypatch, capsys):
    def full(self):
        raise sqlite3.OperationalError("database or disk is full")

    world = home_world
    monkeypatch.setattr(JobLog, "_raw_connect", full)
    code, _, err = _cli(capsys, "--sim-url", world.sim_url, "send", "--to", MEGAN.upn, "--subject", "No room")
    assert code == 1 and "jobs.sqlite3" in err and "the disk is full" in err
    assert world.mailbox(subject="No room") == []
    assert not (_paths().data_dir / "mail-spool").exists()  # no request left without its job
