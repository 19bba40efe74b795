"""The guided lesson as a side panel: steps ticked from real state, troubleshooting when a job fails."""
from __future__ import annotations

import asyncio

from textual import work
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from panel_tui.lesson import BASIC_MIGRATION, STEPS, LessonProgress, observe
from panel_tui.ui.app_base import LessonObserved, panel_app
from panel_tui.ui.glyphs import glyph


class LessonPanel(VerticalScroll):
    """Docked beside the panel; re-reads the state every few seconds and after every job."""

    def compose(self):
        yield Static(id="lesson-body")

    def on_mount(self) -> None:
        self.progress: LessonProgress | None = panel_app(self).lesson_progress
        self.render_progress()
        self.refresh_progress()
        self.set_interval(3.0, self.refresh_progress)

    @work(exclusive=True, exit_on_error=False, group="lesson")
    async def refresh_progress(self) -> None:
        app = panel_app(self)
        if app.backend is None:
            return
        try:
            progress = await asyncio.to_thread(observe, app.printer, app.backend)
        except Exception:  # noqa: BLE001 - the lesson waits for the simulator quietly
            return
        self.post_message(LessonObserved(progress))  # up to the App, for the next panel opened
        if self.is_attached:
            self.progress = progress
            self.render_progress()

    def render_progress(self) -> None:
        t = panel_app(self).t
        progress = self.progress
        migrating = progress is not None and progress.path == BASIC_MIGRATION
        parts: list = [(t("lesson.basic_migration.title" if migrating else "lesson.title"), "bold $accent"), "\n\n"]
        if migrating:  # why this printer must move: Microsoft's dates, and the guide's words
            parts.extend([t("lesson.basic_migration.why"), "\n\n"])
        current = progress.current if progress else None
        for number, step in enumerate(progress.steps if progress else STEPS, 1):
            done = bool(progress and progress.done.get(step))
            mark = glyph("done") if done else (glyph("current") if step == current else glyph("todo"))
            style = "$success" if done else ("bold" if step == current else "$text-muted")
            parts.extend([(f"{mark} {number}. {t(f'lesson.step.{step}.title')}", style), "\n"])
            if step == current:
                parts.extend([(t(f"lesson.step.{step}.how"), "italic"), "\n"])
        if progress is None:
            parts.extend(["\n", (t("lesson.waiting"), "$text-muted")])
        elif current is None:
            parts.extend(["\n", (t("lesson.basic_migration.complete" if migrating else "lesson.complete"),
                                  "bold $success")])
        trouble = progress.trouble if progress else None
        if trouble is not None:  # the words the outcome dialog and Job Status show for that job
            parts.extend(["\n", (t("lesson.trouble.title", code=trouble.code), "bold $error"), "\n",
                          t(trouble.message_key), "\n",
                          f"{t('screen.jobs.detail_solution')}: {t(trouble.fix_key)}", "\n",
                          f"{t('screen.jobs.detail_fixer')}: {t(trouble.fixer_key)}"])
        self.query_one("#lesson-body", Static).update(Content.assemble(*parts))
