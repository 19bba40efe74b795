"""Running mail jobs from the panel: a worker per job, the job indicator, the outcome dialog.

A job runs on an event loop of its own, in a thread (`JobLoop`): its job-log writes, its token
refresh and its SMTP session never hold the App's event loop, so a key pressed during a send is
answered at once (`bench/menu_latency.py --during-sends`).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from panel_tui.backend import BackendError
from panel_tui.ui.app_base import MailJobsChanged, PanelAppBase
from panel_tui.ui.dialogs import NoticeScreen

T = TypeVar("T")


class JobLoop:
    """One event loop in a daemon thread, started on first use, that runs the panel's mail jobs."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="panel-mail-jobs", daemon=True).start()
                self._loop = loop
            return self._loop

    async def run(self, job: Coroutine[Any, Any, T]) -> T:
        """Await `job` run on the jobs' loop. Cancelling the caller (Stop, leaving the panel)
        cancels the job there and waits until it has recorded how far it got."""
        loop = self._running_loop()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        task: list[asyncio.Task[T]] = []

        def start() -> None:
            if done.cancelled():  # cancelled before it began
                job.close()
                return
            task.append(loop.create_task(job))
            task[0].add_done_callback(lambda ended: _settle(ended, done))

        loop.call_soon_threadsafe(start)
        try:
            return await asyncio.shield(asyncio.wrap_future(done))
        except asyncio.CancelledError:
            loop.call_soon_threadsafe(lambda: task[0].cancel() if task else done.cancel())
            await asyncio.wait([asyncio.wrap_future(done)])
            raise


def _settle(task: asyncio.Task[T], done: concurrent.futures.Future[T]) -> None:
    """Copy a finished task's result, error or cancellation to the future the panel awaits."""
    if task.cancelled():
        done.cancel()
    elif (error := task.exception()) is not None:
        done.set_exception(error)
    else:
        done.set_result(task.result())


JOB_LOOP = JobLoop()


def outcome_text(app: PanelAppBase, outcome) -> tuple[str, str]:
    """(title, body) of the dialog that ends a job, in the panel's words."""
    t = app.t
    job = outcome.job
    title = t(job.job_type_key)
    if outcome.ok:
        if job.job_type == "connection_check":
            return title, t("screen.result.connection_ok")
        return title, t("screen.result.sent", id=job.id)
    trouble = job.trouble  # stored with the job when it ended: Job Status and the CLI show the same
    if trouble is None:  # the job failed outside the error table (a bug): it stays retryable
        return title, t("screen.result.failed_unknown", id=job.id)
    body = "\n".join((
        t("screen.result.error_code", code=trouble.code),
        t(trouble.message_key),
        "",
        f"{t('screen.jobs.detail_solution')}: {t(trouble.fix_key)}",
        f"{t('screen.jobs.detail_fixer')}: {t(trouble.fixer_key)}",
    ))
    return title, body


def not_started_text(app: PanelAppBase, error: Exception) -> str:
    """Why a job could not even start (bad request, no cloud, live mode not configured)."""
    from panel_tui.mail.jobs import InvalidRequest
    from panel_tui.mail.providers import LiveConfigError

    if isinstance(error, InvalidRequest):
        return app.t(error.key)
    if isinstance(error, LiveConfigError):
        return str(error)
    if isinstance(error, BackendError):
        return app.t("screen.result.backend_unavailable", detail=str(error))
    return app.t("screen.result.not_started", detail=type(error).__name__)


def start_mail_job(app: PanelAppBase, make_job: Callable[[], Coroutine[Any, Any, Any]], after: Callable | None = None,
                   before_notice: Callable | None = None) -> None:
    """Run `make_job()` (a MailJobs coroutine) in a worker; show the outcome when it ends.

    `before_notice(outcome)` runs before the outcome dialog opens (to open the new job under
    it); `after(outcome)` once it is open.

    The job is in the durable job log from its first step, so leaving the screen or
    pressing Stop never loses it: it ends as error or interrupted and can be retried.
    """
    async def work() -> None:
        app.post_message(MailJobsChanged(+1))
        try:
            outcome = await JOB_LOOP.run(make_job())
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            app.push_screen(NoticeScreen(app.t("screen.result.title"), not_started_text(app, error)))
            return
        finally:
            app.post_message(MailJobsChanged(-1))
        if before_notice is not None:
            await before_notice(outcome)
        title, body = outcome_text(app, outcome)
        app.push_screen(NoticeScreen(title, body, classes="" if outcome.ok else "-error"))
        if after is not None:
            after(outcome)

    app.run_worker(work(), group="mail-jobs", exit_on_error=False)
