"""The trainer's dashboard: one row per seat, the guided lesson's steps ticked from each
seat's real state, the last job's code in colour and glyph, the time since the last activity.

Rows are read every second in a worker thread (panel_tui.classroom.progress, the lesson's
own `observe`); actions go to the selected seats (Space; A for all), else to the highlighted
one, through panel_tui.classroom.actions, one at a time.
"""
from __future__ import annotations

import asyncio
import contextlib
import time
from typing import cast

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from panel_tui.classroom.actions import CLASS_FAULTS, CLOCK_STEPS, SeatActions
from panel_tui.classroom.progress import SeatHandles, change_signature, read_rows, since
from panel_tui.i18n import Translator
from panel_tui.lesson import STEPS
from panel_tui.scenarios import load_scenarios
from panel_tui.ui.dialogs import ConfirmScreen
from panel_tui.ui.glyphs import glyph
from panel_tui.ui.marked_widgets import MarkedDataTable, MarkedOptionList

REFRESH_SECONDS = 1.0  # a full read at least this often
CHECK_SECONDS = 0.25  # how often the seats' files are looked at (a read when they changed)
_CODE_STYLES = {360: "bold red", 361: "bold red", 370: "bold magenta"}


class ChoiceScreen(ModalScreen[str | None]):
    """A short list to choose from (Enter), Esc to cancel."""

    BINDINGS = [Binding("escape", "dismiss_none", show=False)]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title")
            yield MarkedOptionList(*(Option(label, id=value) for value, label in self._choices), id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ClassroomScreen(Screen):
    BINDINGS = [
        Binding("space", "toggle_seat", show=False),
        Binding("a", "toggle_all", show=False),
        Binding("s", "scenario", show=False),
        Binding("f", "fault", show=False),
        Binding("c", "clock", show=False),
        Binding("v", "revoke", show=False),
        Binding("r", "reset", show=False),
        Binding("q", "app.quit", show=False),
    ]

    @property
    def classroom_app(self) -> ClassroomApp:
        """The App, typed (Posting's pattern): mypy follows `t` and the roster."""
        return cast("ClassroomApp", self.app)

    def __init__(self, roster, folder=None) -> None:
        super().__init__(name="classroom")
        self.roster = roster
        self.handles = SeatHandles(roster)
        self.actions = SeatActions(roster, self.handles, folder)
        self.selected: set[str] = set()
        self.rows: dict[str, object] = {}
        self.refreshed_at: float | None = None  # time.monotonic() of the last rows shown
        self.refresh_count = 0
        self._busy = False
        self._reading = False  # a read is under way (in its thread)
        self._read_again = False  # asked for while reading: read once more right after
        self._read_started: float | None = None
        self._signature: tuple = ()
        self.read_seconds: list[float] = []  # how long each read took (for the benchmark)
        self._lock: asyncio.Lock | None = None
        self._faults: dict[str, bool] = {}
        self._status: tuple[str, dict] = ("classroom.status.waiting", {})

    def compose(self) -> ComposeResult:
        t = self.classroom_app.t
        yield Static(t("classroom.title", seats=len(self.roster.seats)), id="class-title")
        # The seat under the cursor is marked with a glyph, not only a colour (projectors, 16 colours).
        table: DataTable = MarkedDataTable(id="class-seats", cursor_type="row", zebra_stripes=True)
        yield table
        legend = "   ".join(f"{n} {t(f'lesson.step.{step}.title')}" for n, step in enumerate(STEPS, 1))
        yield Static(Content(legend), id="class-legend")
        yield Static(id="class-status")
        hints = (("Space", "classroom.hint.select"), ("A", "classroom.hint.all"), ("S", "classroom.hint.scenario"),
                 ("F", "classroom.hint.fault"), ("C", "classroom.hint.clock"), ("V", "classroom.hint.revoke"),
                 ("R", "classroom.hint.reset"), ("Q", "classroom.hint.quit"))
        yield Static(Content.assemble(*(part for cap, key in hints for part in ((cap, "bold"), f" {t(key)}  "))),
                     id="class-hints")

    def on_mount(self) -> None:
        t = self.classroom_app.t
        table = self.query_one(DataTable)
        table.add_column(" ", key="mark", width=3)
        table.add_column(t("classroom.seat"), key="seat")
        for number, step in enumerate(STEPS, 1):
            table.add_column(str(number), key=step)
        table.add_column(t("classroom.last_job"), key="job")
        table.add_column(t("classroom.idle"), key="idle")
        for seat in self.roster.seats:
            table.add_row("", seat.name, *("·" for _ in STEPS), "", "", key=seat.name)
        table.focus()
        self._lock = asyncio.Lock()
        self._show_status()
        self.poll()
        self.set_interval(CHECK_SECONDS, self._tick)

    def on_unmount(self) -> None:
        self.handles.close()

    # -- reading ---------------------------------------------------------------------
    def _tick(self) -> None:
        """The timer: a read when the seats' files changed or a second has passed, unless one
        is still under way (a slow read is not queued behind)."""
        if self._reading:
            return
        signature = change_signature(self.roster, self.handles)
        due = self._read_started is None or time.monotonic() - self._read_started >= REFRESH_SECONDS
        if due or signature != self._signature:
            self._signature = signature
            self.poll()

    def poll(self) -> None:
        """Read the rows now; while a read is under way, once more as soon as it ends (never two at once)."""
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self._read_again = False
        self._read_started = time.monotonic()
        self._read()

    @work(thread=True, exit_on_error=False, group="class-poll")
    def _read(self) -> None:
        started = time.monotonic()
        try:
            rows = read_rows(self.roster, self.handles)
        except Exception:  # noqa: BLE001 - the rows say what they could not read; keep polling
            rows = None
        self.read_seconds.append(time.monotonic() - started)
        with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
            self.app.call_from_thread(self._after_read, rows)

    def _after_read(self, rows) -> None:
        self._reading = False
        if rows is not None:
            self.show_rows(rows)
        if self._read_again:
            self.poll()

    def show_rows(self, rows) -> None:
        table = self.query_one(DataTable)
        now = time.time()
        problem = None
        for row in rows:
            self.rows[row.seat] = row
            problem = problem or row.problem
            table.update_cell(row.seat, "mark", self._selection_mark(row.seat))
            for step in STEPS:
                done = row.done.get(step)
                cell = Content.styled(glyph("done"), "bold green") if done else Content(glyph("dot"))
                table.update_cell(row.seat, step, cell)
            table.update_cell(row.seat, "job", self._job_cell(row))
            table.update_cell(row.seat, "idle", since(row.last_activity, now))
        self.refreshed_at = time.monotonic()
        self.refresh_count += 1
        if problem and not self._busy:
            self._status = ("classroom.status.unreadable", {"detail": problem})
        elif not self._busy and self._status[0] in ("classroom.status.waiting", "classroom.status.unreadable"):
            self._status = ("classroom.status.refreshed", {"time": time.strftime("%H:%M:%S")})
        self._show_status()

    def _job_cell(self, row) -> Content:
        glyph, style = row.job_glyph
        if row.job_result is None:
            return Content(glyph)
        text = f"{glyph} {row.job_code}" if row.job_code is not None else glyph
        return Content.styled(text, _CODE_STYLES.get(row.job_code, f"bold {style}"))

    def _show_status(self) -> None:
        key, params = self._status
        text = self.classroom_app.t(key, **params)
        if self.selected:
            text = f"{self.classroom_app.t('classroom.selected', count=len(self.selected))}   {text}"
        self.query_one("#class-status", Static).update(Content(text))

    # -- choosing seats --------------------------------------------------------------
    def _cursor_seat(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return self.roster.seats[table.cursor_row].name

    def targets(self) -> list[str]:
        """The selected seats (in class order), else the highlighted one."""
        if self.selected:
            return [s.name for s in self.roster.seats if s.name in self.selected]
        seat = self._cursor_seat()
        return [seat] if seat else []

    def _selection_mark(self, seat: str) -> Content:
        """[x] for a selected seat, [ ] otherwise: a state shown by a glyph, never by colour alone
        (as Content: a string cell would be read as markup, and "[x]" is a tag)."""
        return Content(glyph("check_on") if seat in self.selected else glyph("check_off"))

    def _mark(self, seat: str) -> None:
        self.query_one(DataTable).update_cell(seat, "mark", self._selection_mark(seat))

    def action_toggle_seat(self) -> None:
        seat = self._cursor_seat()
        if seat is None:
            return
        self.selected.symmetric_difference_update({seat})
        self._mark(seat)
        self._show_status()

    def action_toggle_all(self) -> None:
        everyone = {s.name for s in self.roster.seats}
        self.selected = set() if self.selected == everyone else everyone
        for seat in everyone:
            self._mark(seat)
        self._show_status()

    # -- actions ---------------------------------------------------------------------
    def action_scenario(self) -> None:
        seats = self.targets()
        names = list(load_scenarios())
        title = self.classroom_app.t("classroom.choose.scenario", seats=", ".join(seats))

        def chosen(name: str | None) -> None:
            if name:
                label = self.classroom_app.t("classroom.action.scenario", name=name)
                self.push(label, seats, lambda: self.actions.start_scenario(seats, name))

        self.app.push_screen(ChoiceScreen(title, [(n, n) for n in names]), chosen)

    def action_fault(self) -> None:
        t = self.classroom_app.t
        seats = self.targets()
        state = dict(self._faults)
        choices = [("seat:on", t("classroom.action.seat_fault_on")), ("seat:off", t("classroom.action.seat_fault_off"))]
        for name in CLASS_FAULTS:
            mark = glyph("radio_on") if state.get(name) else glyph("radio_off")
            choices.append((f"class:{name}", f"{mark} " + t("classroom.action.class_fault",
                                                            fault=t(f"trainer.fault.{name}"))))

        def chosen(value: str | None) -> None:
            if not value:
                return
            scope, name = value.split(":", 1)
            if scope == "seat":
                on = name == "on"
                label = t("classroom.action.seat_fault_on" if on else "classroom.action.seat_fault_off")
                self.push(label, seats, lambda: self.actions.seat_fault(seats, on))
            else:
                on = not state.get(name, False)
                everyone = [s.name for s in self.roster.seats]
                self.push(t(f"trainer.fault.{name}"), everyone, lambda: self.actions.class_fault(name, on))

        self.app.push_screen(ChoiceScreen(t("classroom.choose.fault"), choices), chosen)

    def action_clock(self) -> None:
        t = self.classroom_app.t
        choices = [(name, t(f"trainer.clock.{name}")) for name in CLOCK_STEPS]

        def chosen(name: str | None) -> None:
            if name:
                everyone = [s.name for s in self.roster.seats]
                label = t("classroom.action.clock", amount=t(f"trainer.clock.{name}"))
                self.push(label, everyone, lambda: self.actions.move_clock(CLOCK_STEPS[name]))

        self.app.push_screen(ChoiceScreen(t("classroom.choose.clock"), choices), chosen)

    def action_revoke(self) -> None:
        seats = self.targets()
        self.push(self.classroom_app.t("classroom.action.revoke"), seats, lambda: self.actions.revoke(seats))

    def action_reset(self) -> None:
        t = self.classroom_app.t
        seats = self.targets()

        def answered(yes: bool | None) -> None:
            if yes:
                self.push(t("classroom.action.reset"), seats, lambda: self.actions.reset(seats))

        self.app.push_screen(ConfirmScreen(t("classroom.confirm.reset_title"),
                                           t("classroom.confirm.reset_body", seats=", ".join(seats))), answered)

    def push(self, label: str, seats: list[str], action) -> None:
        if seats:
            self.run_worker(self._perform(label, seats, action), group="class-action", exclusive=False,
                            exit_on_error=False)

    async def _perform(self, label: str, seats: list[str], action) -> None:
        assert self._lock is not None
        async with self._lock:  # one push at a time, in order
            self._busy = True
            self._status = ("classroom.status.working", {"action": label})
            self._show_status()
            try:
                problems = await asyncio.to_thread(action)
            except Exception as error:  # noqa: BLE001 - the trainer sees what failed
                problems = {seat: str(error) or type(error).__name__ for seat in seats}
            self._busy = False
        if problems:
            detail = "; ".join(f"{seat}: {problem}" for seat, problem in problems.items())
            self._status = ("classroom.status.failed",
                            {"action": label, "seats": ", ".join(problems), "detail": detail})
        else:
            self._status = ("classroom.status.done", {"action": label, "seats": ", ".join(seats)})
        self._show_status()
        await self._read_faults()
        self.poll()

    async def _read_faults(self) -> None:
        try:
            state = await asyncio.to_thread(lambda: self.handles.control().state())
            self._faults = dict(state.get("faults", {}))
        except Exception:  # noqa: BLE001 - the status line shows read problems
            pass


class ClassroomApp(App):
    """`panel-tui classroom`: the dashboard as an app of its own (also served in a browser)."""

    TITLE = "panel-tui classroom"
    CSS = """
    #class-title { height: 1; background: $warning; color: $background; text-style: bold; padding: 0 1; }
    #class-seats { height: 1fr; }
    #class-status { height: 2; padding: 0 1; color: $text-muted; }
    #class-legend { height: auto; padding: 0 1; color: $text-muted; }
    #class-hints { height: auto; background: $warning 20%; padding: 0 1; }
    ChoiceScreen, ConfirmScreen { align: center middle; }
    .dialog { width: 70; height: auto; max-height: 80%; border: thick $warning; background: $surface; padding: 1 2; }
    .dialog-title { text-style: bold; margin-bottom: 1; }
    .dialog-body { margin-bottom: 1; }
    .dialog-buttons { height: auto; align-horizontal: right; }
    .dialog-buttons Button { margin-left: 2; }
    #choices { height: auto; max-height: 16; }
    """

    def __init__(self, roster, lang: str = "en", folder=None) -> None:
        super().__init__()
        self.roster = roster
        self.folder = folder
        self.translator = Translator.load(language=lang)

    def t(self, key: str, **params) -> str:
        return self.translator.t(key, **params)

    def on_mount(self) -> None:
        self.push_screen(ClassroomScreen(self.roster, self.folder))
