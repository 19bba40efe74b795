"""The panel never waits on the disk: a mail job's job-log writes and spool file happen on the
jobs' own loop, in a thread, so the panel answers keys while a write is held up."""
from __future__ import annotations

import threading

from panel_tui.device.joblog import JobLog
from panel_tui.ui.jobs import JobStatusScreen
from panel_tui.ui.screen_recipe import screens_loaded
from panel_tui.ui.send_screen import SendScreen
from tests.helpers.tenant import MEGAN

HELD_SECONDS = 10.0  # the longest a write is held: without the fix the panel is frozen that long


async def test_the_panel_answers_keys_while_a_jobs_write_is_held(make_e2e_app, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    held = {"now": False}
    original = JobLog.start

    def slow_start(self, *args, **kwargs):  # a job log on a slow disk: the first write hangs
        held["now"] = True
        entered.set()
        release.wait(HELD_SECONDS)
        held["now"] = False
        return original(self, *args, **kwargs)

    monkeypatch.setattr(JobLog, "start", slow_start)
    app = make_e2e_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for node in ("scan", "scan_to_email"):
            app.open_node(node)
            await pilot.pause()
        assert isinstance(app.screen, SendScreen)
        await pilot.press(*MEGAN.upn, "enter")
        while not entered.is_set():
            await pilot.pause(0.01)
        app.go_to_node("settings")  # the user walks on while the job log is held
        await pilot.pause()
        answered_while_held = held["now"] and app.screen.node_id == "settings"
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert answered_while_held, "the panel waited for the job log's write"
    jobs = app.printer.joblog.jobs(5)
    assert jobs and jobs[0].job_type == "scan_to_email" and jobs[0].result != "running"


async def test_job_status_reads_the_log_in_a_worker(make_app, monkeypatch):
    """Job Status opens at once, while its read of the log is held, and shows the rows when it is in."""
    app = make_app()
    job = app.printer.joblog.start("scan_to_email")
    app.printer.joblog.finish(job, "error", error_code=361)
    entered, release = threading.Event(), threading.Event()
    held = {"now": False}
    original = JobLog.jobs

    def slow_jobs(self, *args, **kwargs):
        held["now"] = True
        entered.set()
        release.wait(HELD_SECONDS)
        held["now"] = False
        return original(self, *args, **kwargs)

    monkeypatch.setattr(JobLog, "jobs", slow_jobs)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_node("job_status")
        while not entered.is_set():
            await pilot.pause(0.01)
        assert isinstance(app.screen, JobStatusScreen) and held["now"], "the screen waited for the read"
        release.set()
        await screens_loaded(pilot)
        assert app.screen.query_one("#jobs-table").row_count == 1
