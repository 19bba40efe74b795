"""Job/Status > Job Status: the durable job log, and one job's error code explained."""
from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import DataTable, Label, Static

from panel_tui.device.joblog import Job, JobLogError
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.dialogs import ConfirmScreen, NoticeScreen
from panel_tui.ui.formatting import format_datetime
from panel_tui.ui.frame import PanelScreen
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.mail_jobs import start_mail_job
from panel_tui.ui.marked_widgets import MarkedDataTable
from panel_tui.ui.screen_recipe import LOAD_GROUP


class JobStatusScreen(PanelScreen):
    """The job log, newest first; Enter opens a job's detail.

    The log is read in a worker thread (the panel never waits on the disk): the body is drawn
    when the rows are in, and read again when a job starts or ends, or the screen comes back."""

    FOCUS = "#jobs-table"

    def __init__(self) -> None:
        super().__init__(name="job-status")
        self._jobs: list[Job] | None = None  # None until the first read is in
        self._log_error: JobLogError | None = None

    @property
    def reading(self) -> bool:
        """The first read of the log is not in yet."""
        return self._jobs is None and self._log_error is None

    def breadcrumb(self) -> list[str]:
        t = panel_app(self).t
        return [t("menu.job_status"), t("screen.jobs.title")]

    def hints(self):
        return (("↑↓", "key.move"), ("Enter", "key.detail"), ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        if self._log_error is not None:  # only this screen needs the job log: say which file and why
            error = self._log_error
            hint = t("job.disk_full_hint" if error.disk_full else "job.repair_hint")
            problem = t("job.log_unusable", path=error.path, problem=error.problem)
            yield Static(escape(f"{problem}\n{hint}"), id="jobs-empty")
            return
        if self._jobs is None:  # being read
            return
        if not self._jobs:
            yield Static(t("screen.jobs.empty"), id="jobs-empty")
            return
        table: DataTable[str] = MarkedDataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
        # The key columns first (the error code is what the guide looks up); the long type last.
        table.add_column(t("screen.jobs.col_time"), key="time")
        table.add_column(t("screen.jobs.col_code"), key="code")
        table.add_column(t("screen.jobs.col_result"), key="result")
        table.add_column(t("screen.jobs.col_type"), key="type")
        settings = panel_app(self).printer.settings
        for job in self._jobs:
            table.add_row(
                format_datetime(job.started_at, settings),
                str(job.error_code) if job.error_code else glyph("none"),
                t(job.result_key),
                t(job.job_type_key),
                key=str(job.id),
            )
        yield table

    async def _read_log(self) -> None:
        joblog = panel_app(self).printer.joblog
        try:
            jobs, error = await asyncio.to_thread(joblog.jobs), None
        except JobLogError as failure:
            jobs, error = [], failure
        if (jobs, error) != (self._jobs, self._log_error):
            self._jobs, self._log_error = jobs, error
            super().relabel()

    def reload(self, _change: object = None) -> None:
        """Read the log again (in a worker); the body is redrawn if it changed."""
        self.run_worker(self._read_log(), group=LOAD_GROUP, exclusive=True)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        job = panel_app(self).printer.joblog.get(int(str(event.row_key.value)))
        if job is not None:
            self.app.push_screen(JobDetailScreen(job.id))

    def on_mount(self) -> None:
        self.reload()
        # A job that starts or ends changes the log it shows.
        self.watch(panel_app(self), "running_jobs", self.reload, init=False)

    def on_screen_resume(self) -> None:
        self.reload()  # the job log may have grown while a detail was open


def retry_refusal(job: Job) -> str | None:
    """Why `job` cannot be sent again (a locale key taking {id} and {new}), or None if it can."""
    if job.retried_by is not None:
        return "screen.jobs.retry_reason.retried"
    if job.job_type == "connection_check":
        return "screen.jobs.retry_reason.connection_check"
    if job.result == "ok":
        return "screen.jobs.retry_reason.completed"
    if job.result == "running":
        return "screen.jobs.retry_reason.running"
    return None


class JobDetailScreen(PanelScreen):
    """One job: times, result and, for an error, the situation, solution and who can fix it."""

    FOCUS = "#job-detail"
    BINDINGS = [("r", "retry", "Send again")]

    def __init__(self, job_id: int) -> None:
        super().__init__(name=f"job:{job_id}")
        self.job_id = job_id

    def _retryable(self) -> bool:
        job = panel_app(self).printer.joblog.get(self.job_id)
        return job is not None and job.retryable

    def action_retry(self) -> None:
        """Send a failed or interrupted job again (a new job; the old row stays as it ended).

        A job that cannot be sent again says why; an unconfirmed one asks first, since its
        message may already have arrived.
        """
        app = panel_app(self)
        job = app.printer.joblog.get(self.job_id)
        if job is None:
            return
        t = app.t
        reason = retry_refusal(job)
        if reason is not None:
            app.push_screen(NoticeScreen(t("screen.jobs.retry_refused_title", id=job.id),
                                         t(reason, id=job.id, new=job.retried_by or "")))
            return
        if app.backend is None:
            return
        if job.result == "unconfirmed":
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._send_again()

            app.push_screen(ConfirmScreen(t("screen.jobs.retry_unconfirmed_title", id=job.id),
                                          t("screen.jobs.retry_unconfirmed", message_id=job.message_id or "?"),
                                          yes_key="key.retry"), confirmed)
            return
        self._send_again()

    def _send_again(self) -> None:
        app, job_id = panel_app(self), self.job_id

        async def job():
            jobs = await app.mail_jobs()
            return await jobs.retry(job_id)

        async def open_new_job(outcome) -> None:
            # The old job stays as it ended; the new one is what the user now follows.
            if app.screen is self and outcome.job.id != job_id:
                await app.switch_screen(JobDetailScreen(outcome.job.id))

        start_mail_job(app, job, before_notice=open_new_job)

    def breadcrumb(self) -> list[str]:
        t = panel_app(self).t
        return [t("menu.job_status"), t("screen.jobs.detail_title", id=self.job_id)]

    def hints(self):
        if self._retryable():
            return (("↑↓", "key.scroll"), ("R", "key.retry"), ("Esc", "key.back"))
        return (("↑↓", "key.scroll"), ("Esc", "key.back"))

    def compose_body(self) -> ComposeResult:
        t = panel_app(self).t
        job = panel_app(self).printer.joblog.get(self.job_id)
        if job is None:  # the log was cleared (trainer reset) while this was open
            yield Static(t("screen.jobs.empty"), classes="job-text")
            return
        settings = panel_app(self).printer.settings
        rows = [
            (t("screen.jobs.col_type"), t(job.job_type_key)),
            (t("screen.jobs.detail_started"), format_datetime(job.started_at, settings)),
            (t("screen.jobs.detail_ended"), format_datetime(job.ended_at, settings)),
            (t("screen.jobs.col_result"), t(job.result_key)),
        ]
        with VerticalScroll(id="job-detail"):
            for label, value in rows:
                with Horizontal(classes="status-row"):
                    yield Label(label, classes="status-label")
                    yield Label(value, classes="status-value")
            trouble = job.trouble  # what the outcome dialog said when the job ended
            if trouble is not None:
                yield Static(f"{t('screen.jobs.detail_code')}: {trouble.code}", classes="error-code")
                yield Static(f"[b]{t('screen.jobs.detail_situation')}[/b]\n{escape(t(trouble.message_key))}",
                             classes="job-text")
                yield Static(f"[b]{t('screen.jobs.detail_solution')}[/b]\n{escape(t(trouble.fix_key))}",
                             classes="job-text")
                yield Static(f"[b]{t('screen.jobs.detail_fixer')}[/b]: {t(trouble.fixer_key)}", classes="job-text")
            elif job.result == "ok":
                yield Static(t("screen.jobs.detail_none"), classes="job-text")
            if job.result == "unconfirmed":
                yield Static(t("job.unconfirmed_note"), classes="job-text")
            if job.detail:
                yield Static(f"[b]{t('screen.jobs.detail_record')}[/b]\n{escape(job.detail)}", classes="job-text")
            if self._retryable():
                yield Static(t("screen.jobs.retry_hint"), classes="edit-hint")

