"""Trainer console: the simulator's clock, faults, tenant policies, sessions and scenarios.

Not a screen of the emulated printer: it is what a trainer changes behind the scenes,
drawn apart from the panel frame. Every action goes through the simulator's control API
(`app.backend.control()`) or `backend.advance_clock` in a worker, one at a time, and the
simulator's state is read again after each one. Keyboard first: arrows and Enter in both
lists, Tab between them, and one key per control shown on its row.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from panel_tui.backend import BackendError
from panel_tui.scenarios import (
    forget_scenario,
    load_scenarios,
    reset_profile,
    run_scenario,
    seeded_account,
    trainer_state,
)
from panel_tui.ui.app_base import panel_app
from panel_tui.ui.dialogs import ConfirmScreen
from panel_tui.ui.formatting import format_clock
from panel_tui.ui.frame import SCREENS_CSS
from panel_tui.ui.glyphs import glyph, key_cap
from panel_tui.ui.help_screen import simulator_urls
from panel_tui.ui.marked_widgets import MarkedOptionList

PRINTER_MAILBOX = "printer"
REVOKABLE_USERS = ("megan", "alex", "admin")  # seeded accounts besides the printer's mailbox
POLICY_SETTERS = {"security_defaults": "set_security_defaults", "smtp_auth_org": "set_smtp_auth_org",
                  "conditional_access_block": "set_conditional_access_block"}
MAILBOX_CYCLE = {True: False, False: None, None: True}  # On -> Off -> as the organisation -> On


@dataclass(frozen=True)
class TrainerControl:
    """One row of the console: `kind` says what Enter (or `key`) does with `arg`."""

    id: str
    label_key: str
    kind: str  # header, clock, fault, policy, mailbox, revoke, revoke_user, reset
    key: str = ""
    arg: Any = None


CONTROLS: tuple[TrainerControl, ...] = (
    TrainerControl("h-clock", "trainer.section.clock", "header"),
    TrainerControl("clock-hour", "trainer.clock.hour", "clock", "1", 3600),
    TrainerControl("clock-day", "trainer.clock.day", "clock", "2", 86400),
    TrainerControl("clock-91", "trainer.clock.days91", "clock", "9", 91 * 86400),
    TrainerControl("h-faults", "trainer.section.faults", "header"),
    TrainerControl("fault-idp_down", "trainer.fault.idp_down", "fault", "d", "idp_down"),
    TrainerControl("fault-idp_5xx", "trainer.fault.idp_5xx", "fault", "5", "idp_5xx"),
    TrainerControl("fault-smtp_down", "trainer.fault.smtp_down", "fault", "m", "smtp_down"),
    TrainerControl("fault-smtp_drop", "trainer.fault.smtp_drop_mid_data", "fault", "x", "smtp_drop_mid_data"),
    TrainerControl("fault-slow_down", "trainer.fault.slow_down", "fault", "o", "slow_down"),
    TrainerControl("h-tenant", "trainer.section.tenant", "header"),
    TrainerControl("policy-ca", "trainer.tenant.conditional_access", "policy", "c", "conditional_access_block"),
    TrainerControl("policy-org", "trainer.tenant.smtp_auth_org", "policy", "a", "smtp_auth_org"),
    TrainerControl("mailbox", "trainer.tenant.smtp_auth_mailbox", "mailbox", "b", PRINTER_MAILBOX),
    TrainerControl("policy-sd", "trainer.tenant.security_defaults", "policy", "e", "security_defaults"),
    TrainerControl("h-sessions", "trainer.section.sessions", "header"),
    TrainerControl("revoke-printer", "trainer.revoke.printer", "revoke", "v", PRINTER_MAILBOX),
    TrainerControl("revoke-user", "trainer.revoke.user", "revoke_user", "g"),
    TrainerControl("reset", "trainer.reset", "reset", "r"),
)
CONTROLS_BY_ID = {c.id: c for c in CONTROLS}


def _account(name: str):
    return seeded_account(name)


class TrainerScreen(Screen):
    """The trainer's console (key T, command palette); Esc goes back to the panel."""

    CSS_PATH = SCREENS_CSS

    CSS = """
    TrainerScreen { background: $background-darken-1; }
    #trainer-title { height: 1; background: $warning; color: $background; text-style: bold; padding: 0 1; }
    #trainer-clock { height: 1; padding: 0 1; background: $warning 20%; }
    #trainer-panes { height: 1fr; }
    #trainer-controls { width: 1fr; height: 1fr; border: none; border-right: vkey $warning 50%;
                        background: transparent; padding: 0; }
    #trainer-scenarios { width: 27; height: 1fr; border: none; background: transparent; padding: 0; }
    #trainer-detail { height: auto; min-height: 2; max-height: 6; padding: 0 1; color: $text-muted; }
    #trainer-hints { height: 1; background: $warning 20%; padding: 0 1; }
    """
    BINDINGS = [
        *(Binding(c.key, f"activate('{c.id}')", show=False) for c in CONTROLS if c.key),
        Binding("u,right", "choose_user(1)", show=False),
        Binding("left", "choose_user(-1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(name="trainer")
        self.sim_state: dict | None = None
        self.user_index = 0
        self._lock: asyncio.Lock | None = None
        self._language = ""
        self._status: tuple[str, dict[str, object]] = ("trainer.not_on_panel", {})
        self._scenarios: dict = {}
        self._urls: tuple[str, str] | None = None  # (admin center, sign-in page) once the simulator answers

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        t = panel_app(self).t
        self._language = panel_app(self).translator.language
        self._scenarios = load_scenarios()
        yield Static(t("trainer.title"), id="trainer-title")
        yield Static(id="trainer-clock")
        with Horizontal(id="trainer-panes"):
            # A control starts with its key cap's blank (" K "); a scenario with its ✓, which stays.
            yield MarkedOptionList(*self._control_options(), id="trainer-controls", over_first_cell=True)
            yield MarkedOptionList(*self._scenario_options(), id="trainer-scenarios")
        yield Static(id="trainer-detail")
        hints = (("↑↓", "key.move"), ("Enter", "trainer.hint.toggle"), ("Tab", "key.switch"),
                 ("←→", "trainer.hint.user"), ("Esc", "key.back"))
        parts = (part for cap, key in hints for part in ((key_cap(cap), "bold"), f" {t(key)}  "))
        yield Static(Content.assemble(*parts), id="trainer-hints")

    def on_mount(self) -> None:
        panel_app(self).language_changed_signal.subscribe(self, self.relabel)
        self._lock = asyncio.Lock()
        self.query_one("#trainer-controls", OptionList).focus()
        self._show_header()
        self._show_status()
        self._run(None, None)  # read the simulator's state

    def relabel(self, _language: object = None) -> None:
        """Redraw in the current language (on the App's language signal; shown again if hidden)."""
        if panel_app(self).translator.language != self._language:
            self.refresh(recompose=True)
            self.call_after_refresh(self._after_recompose)

    def _after_recompose(self) -> None:
        self.query_one("#trainer-controls", OptionList).focus()
        self._show_state()

    # -- rows ------------------------------------------------------------------------
    def _value(self, control: TrainerControl) -> str:
        """The row's current value (On/Off/As org.) from the simulator's state; "" for actions."""
        t = panel_app(self).t
        state = self.sim_state
        if control.kind not in ("fault", "policy", "mailbox"):
            return ""
        if state is None:
            return t("trainer.value.busy")
        if control.kind == "fault":
            on = state["faults"].get(control.arg)
        elif control.kind == "policy":
            on = state["policies"].get(control.arg)
        else:
            on = self._mailbox_setting(state)
            if on is None:
                return f"{glyph('partial')} {t('trainer.value.org')}"
        if on:
            return f"{glyph('radio_on')} {t('trainer.value.on')}"
        return f"{glyph('radio_off')} {t('trainer.value.off')}"

    @staticmethod
    def _mailbox_setting(state: dict) -> bool | None:
        upn = _account(PRINTER_MAILBOX).upn
        return next((u.get("smtp_auth") for u in state.get("users", []) if u.get("upn") == upn), None)

    def _label(self, control: TrainerControl) -> str:
        if control.kind == "revoke_user":
            user = _account(REVOKABLE_USERS[self.user_index])
            return panel_app(self).t(control.label_key, user=f"{glyph('back')} {user.display_name} {glyph('forward')}")
        return panel_app(self).t(control.label_key)

    def _label_width(self) -> int:
        """Labels of the rows that show a value are padded to one column (per language)."""
        return max(len(self._label(c)) for c in CONTROLS if c.kind in ("fault", "policy", "mailbox"))

    def _prompt(self, control: TrainerControl) -> Content:
        if control.kind == "header":
            return Content.styled(panel_app(self).t(control.label_key), "bold $warning")
        label = self._label(control)
        value = self._value(control)
        if value:
            label = f"{label.ljust(self._label_width())} {value}"
        return Content.assemble((f" {control.key.upper()} ", "bold reverse"), f" {label}")

    def _control_options(self) -> list[Option]:
        return [Option(self._prompt(c), id=c.id, disabled=c.kind == "header") for c in CONTROLS]

    def _scenario_options(self) -> list[Option]:
        current = trainer_state(panel_app(self).printer.paths)["scenario"]
        options: list[Option] = [Option(Content.styled(panel_app(self).t("trainer.section.scenarios"), "bold $warning"),
                                        id="h-scenarios", disabled=True)]
        for name in self._scenarios:
            mark = glyph("ok") + " " if name == current else "  "
            options.append(Option(Content(f"{mark}{name}"), id=f"scenario:{name}"))
        return options

    def _show_state(self) -> None:
        controls = self.query_one("#trainer-controls", OptionList)
        for control in CONTROLS:
            controls.replace_option_prompt(control.id, self._prompt(control))
        scenarios = self.query_one("#trainer-scenarios", OptionList)
        highlighted = scenarios.highlighted
        scenarios.set_options(self._scenario_options())
        scenarios.highlighted = highlighted
        self._show_header()
        self._show_status()

    def _show_header(self) -> None:
        app = panel_app(self)
        t = app.t
        clock = t("trainer.clock_line_unknown")
        if self.sim_state is not None:
            offset = int(self.sim_state["clock"].get("offset", 0))
            days, rest = divmod(max(offset, 0), 86400)
            moved = t("trainer.offset", days=days, hours=rest // 3600)
            # The app's clock is the printer's (simulated) time; tests freeze it.
            clock = t("trainer.clock_line", time=format_clock(app.clock.now(), app.printer.settings), offset=moved)
        scenario = trainer_state(app.printer.paths)["scenario"]
        current = t("trainer.scenario_current", name=scenario) if scenario else t("trainer.scenario_none")
        self.query_one("#trainer-clock", Static).update(Content(f"{clock}   {current}"))

    def fix_urls_for_snapshot(self) -> None:
        """Snapshots: the simulator's random port shown as a fixed one (8443)."""
        if self._urls is not None:
            self._urls = (re.sub(r"//[^/]+/", "//127.0.0.1:8443/", self._urls[0]),
                          re.sub(r"//[^/]+/", "//127.0.0.1:8443/", self._urls[1]))
            self._show_status()

    def _show_status(self) -> None:
        key, params = self._status
        t = panel_app(self).t
        lines = [t(key, **params)]
        if self._urls is not None:  # where the simulator's pages are, for the trainer's browser
            lines += [t("trainer.admin_url", url=self._urls[0]), t("trainer.signin_url", url=self._urls[1])]
        self.query_one("#trainer-detail", Static).update(Content("\n".join(lines)))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.has_focus:
            self._describe(event.option_id)

    def on_descendant_focus(self, event) -> None:
        highlighted = getattr(event.widget, "highlighted_option", None)
        self._describe(highlighted.id if highlighted is not None else None)

    def on_descendant_blur(self) -> None:
        self._show_status()

    def _describe(self, option_id: str | None) -> None:
        """The highlighted scenario's description in the detail line (else the last status)."""
        if option_id and option_id.startswith("scenario:"):
            scenario = self._scenarios.get(option_id.split(":", 1)[1])
            if scenario is not None:
                self.query_one("#trainer-detail", Static).update(Content(panel_app(self).t(scenario.description_key)))
                return
        self._show_status()

    # -- actions ---------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option_id or ""
        if option_id.startswith("scenario:"):
            self.switch_scenario(option_id.split(":", 1)[1])
        else:
            self.action_activate(option_id)

    def action_choose_user(self, step: int) -> None:
        self.user_index = (self.user_index + step) % len(REVOKABLE_USERS)
        control = CONTROLS_BY_ID["revoke-user"]
        self.query_one("#trainer-controls", OptionList).replace_option_prompt(control.id, self._prompt(control))

    def action_activate(self, control_id: str) -> None:
        control = CONTROLS_BY_ID.get(control_id)
        if control is None or control.kind == "header":
            return
        label = self._label(control).replace(f"{glyph('back')} ", "").replace(f" {glyph('forward')}", "")
        # A switch's next value comes from the state the previous action left (read when this
        # action runs, under the worker lock), so keys pressed in quick succession each move it on.
        if control.kind == "clock":
            self._run(label, lambda backend: backend.advance_clock(control.arg))
        elif control.kind == "fault":
            self._run(label, lambda backend: backend.control().set_fault(
                control.arg, not (self.sim_state or {}).get("faults", {}).get(control.arg, False)))
        elif control.kind == "policy":
            self._run(label, lambda backend: getattr(backend.control(), POLICY_SETTERS[control.arg])(
                not (self.sim_state or {}).get("policies", {}).get(control.arg, False)))
        elif control.kind == "mailbox":
            upn = _account(control.arg).upn
            self._run(label, lambda backend: backend.control().set_smtp_auth_mailbox(
                upn, MAILBOX_CYCLE[self._mailbox_setting(self.sim_state)] if self.sim_state else True))
        elif control.kind in ("revoke", "revoke_user"):
            upn = _account(control.arg or REVOKABLE_USERS[self.user_index]).upn
            self._run(label, lambda backend: backend.control().revoke_sessions(upn))
        elif control.kind == "reset":
            self._confirm("trainer.confirm.reset_title", "trainer.confirm.reset_body", {}, self.reset_everything)

    def _confirm(self, title_key: str, body_key: str, params: dict, then) -> None:
        t = panel_app(self).t
        self.app.push_screen(ConfirmScreen(t(title_key), t(body_key, **params)), lambda yes: then() if yes else None)

    def switch_scenario(self, name: str) -> None:
        """Ask, then apply scenario `name` (the simulator and this printer are reset first)."""
        def apply() -> None:
            self._run(name, lambda backend: run_scenario(name, panel_app(self).printer, backend),
                      done=("trainer.status.scenario_applied", {"name": name}))

        self._confirm("trainer.confirm.scenario_title", "trainer.confirm.scenario_body", {"name": name}, apply)

    def reset_everything(self) -> None:
        """The simulator back to its seeded tenant, this printer back to a fresh profile."""
        def reset(backend) -> None:
            backend.control().reset()
            backend.sync_clock()
            reset_profile(panel_app(self).printer, backend)
            forget_scenario(panel_app(self).printer.paths)

        self._run(panel_app(self).t("trainer.reset"), reset, done=("trainer.status.reset_done", {}))

    def _run(self, label: str | None, action, done: tuple[str, dict] | None = None) -> None:
        """Perform `action(backend)` off the UI thread, then re-read and show the simulator's state."""
        self.run_worker(self._perform(label, action, done), group="trainer",
                        exit_on_error=False)

    async def _perform(self, label, action, done) -> None:
        backend = panel_app(self).cloud
        assert self._lock is not None
        async with self._lock:
            if label is not None:
                self._status = ("trainer.status.working", {})
                self._show_status()

            def work() -> dict:
                if action is not None:
                    action(backend)
                return backend.control().state()

            try:
                self.sim_state = await asyncio.to_thread(work)
                if self._urls is None:
                    self._urls = await asyncio.to_thread(simulator_urls, backend)
            except BackendError as error:
                live = backend.options.live
                self._status = ("trainer.status.live", {}) if live else \
                    ("trainer.status.unavailable", {"detail": str(error)})
            except Exception as error:  # noqa: BLE001 - the trainer sees what went wrong
                # The whole cause, wrapped in the detail lines: never cut at the screen's edge.
                detail = " ".join(str(error).split()) or type(error).__name__
                self._status = ("trainer.status.failed", {"action": label or "", "detail": detail})
                await self._reread_state(backend)
            else:
                if label is not None:
                    self._status = done or ("trainer.status.done", {"action": label})
            self._show_state()

    async def _reread_state(self, backend) -> None:
        with contextlib.suppress(Exception):  # noqa: BLE001 - the status line already says what failed
            self.sim_state = await asyncio.to_thread(lambda: backend.control().state())
