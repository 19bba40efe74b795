"""The trainer's console: simulator clock, faults, tenant switches, sessions and scenarios.

Every action goes to the shared test simulator for real, and the panel then reacts as a
real printer would (+91 days and the next send fails with 361; SMTP down is 313). No
sleeps: the tests wait for the screen's workers.
"""
from __future__ import annotations

import pytest

from panel_tui import scenarios
from panel_tui.assembly import build_app
from panel_tui.backend import BackendOptions
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from panel_tui.ui.dialogs import ConfirmScreen
from panel_tui.ui.trainer import CONTROLS, TrainerScreen
from tests.helpers.panel import open_trainer, send_scan, settle
from tests.helpers.screen import dialog_text, text_of

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS
SIZE = (100, 30)


async def confirm_yes(app, pilot) -> None:
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("tab", "enter")  # No has the focus: move to Yes
    await settle(app, pilot)


def row(screen, option_id: str) -> str:
    return str(screen.query_one("#trainer-controls").get_option(option_id).prompt)


async def apply_scenario(app, pilot, name: str) -> None:
    """Tab to the scenario list, walk to `name` with the arrows, Enter, confirm."""
    screen = app.screen
    await pilot.press("tab")
    options = screen.query_one("#trainer-scenarios")
    assert screen.focused is options
    while options.highlighted_option.id != f"scenario:{name}":
        await pilot.press("down")
    assert text_of(screen, "#trainer-detail") == app.t(scenarios.load_scenario(name).description_key)
    await pilot.press("enter")
    await confirm_yes(app, pilot)
    assert isinstance(app.screen, TrainerScreen)
    await pilot.press("tab")  # back to the controls


# -- what the console shows ----------------------------------------------------------------


async def test_every_control_is_reachable_with_the_arrows_and_shows_its_key(make_e2e_app):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        controls = screen.query_one("#trainer-controls")
        assert screen.focused is controls
        seen = [controls.highlighted_option.id]
        for _ in CONTROLS:
            await pilot.press("down")
            seen.append(controls.highlighted_option.id)
        wanted = [c.id for c in CONTROLS if c.kind != "header"]
        assert list(dict.fromkeys(seen)) == wanted
        keys = [c.key for c in CONTROLS if c.kind != "header"]
        assert len(set(keys)) == len(keys)
        for control in CONTROLS:
            if control.kind != "header":
                assert row(screen, control.id).startswith(f" {control.key.upper()} ")


async def test_shows_the_simulators_state_and_clock(make_e2e_app):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        assert "Simulated time: 2026-03-14 09:26 (+0 d 0 h)" in text_of(screen, "#trainer-clock")
        assert "Scenario: none" in text_of(screen, "#trainer-clock")
        assert row(screen, "policy-sd").endswith("● On")
        assert row(screen, "policy-org").endswith("○ Off")
        assert row(screen, "mailbox").endswith("◐ As org.")
        assert row(screen, "fault-idp_down").endswith("○ Off")


# -- actions change what the panel does ------------------------------------------------------


async def test_91_days_later_the_next_send_fails_with_361(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "signed-in")
        assert "Scenario: signed-in" in text_of(screen, "#trainer-clock")
        assert app.printer.signin_info().state == "signed_in"
        await pilot.press("9")
        await settle(app, pilot)
        assert sim_control.state()["clock"]["offset"] == 91 * 86400
        assert "(+91 d 0 h)" in text_of(screen, "#trainer-clock")
        text = dialog_text(await send_scan(app, pilot, MEGAN.upn))
        assert "361" in text
    assert app.printer.signin_info().state == "expired"


async def test_smtp_down_is_313_and_switching_it_back_sends(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "signed-in")
        await pilot.press("m")
        await settle(app, pilot)
        assert sim_control.state()["faults"]["smtp_down"] is True
        assert row(screen, "fault-smtp_down").endswith("● On")
        assert "313" in dialog_text(await send_scan(app, pilot, MEGAN.upn))
        await pilot.press("enter", "escape", "escape")  # close the outcome, back to the console
        assert app.screen is screen
        controls = screen.query_one("#trainer-controls")
        while controls.highlighted_option.id != "fault-smtp_down":
            await pilot.press("down")
        await pilot.press("enter")  # the same switch with the arrows and Enter
        await settle(app, pilot)
        assert sim_control.state()["faults"]["smtp_down"] is False
        assert (await app.backend.jobs.scan_to_email(MEGAN.upn)).ok
    assert len(sim_control.mailbox(MEGAN.upn)) == 1


async def test_tenant_switches_and_the_mailbox_cycle(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        await pilot.press("c", "a", "e")
        await settle(app, pilot)
        assert sim_control.state()["policies"] == {"security_defaults": False, "smtp_auth_org": True,
                                                   "conditional_access_block": True,
                                                   "basic_smtp_auth": None, "basic_final_removal": False}
        assert row(screen, "policy-ca").endswith("● On")
        seen = []
        for _ in range(3):
            await pilot.press("b")
            await settle(app, pilot)
            user = next(u for u in sim_control.state()["users"] if u["upn"] == PRINTER.upn)
            seen.append(user["smtp_auth"])
        assert seen == [True, False, None]  # On, Off, as the organisation
        for fault, key in (("idp_down", "d"), ("idp_5xx", "5"), ("smtp_drop_mid_data", "x"), ("slow_down", "o")):
            await pilot.press(key)
            await settle(app, pilot)
            assert sim_control.state()["faults"][fault] is True


async def test_smtp_auth_off_for_the_mailbox_then_on_again(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "signed-in")
        await pilot.press("b", "b")  # As org. -> On -> Off
        await settle(app, pilot)
        outcome = await app.backend.jobs.scan_to_email(MEGAN.upn)
        assert (outcome.job.error_code, outcome.error.cause_name) == (312, "smtp_auth_disabled_mailbox")
        await pilot.press("b")  # Off -> As org. (the organisation allows it)
        await settle(app, pilot)
        assert (await app.backend.jobs.scan_to_email(MEGAN.upn)).ok


async def test_switches_pressed_in_quick_succession_each_move_on(make_e2e_app, sim_control):
    """Two presses before the first one's request is done: each takes the state the one before left
    (it took the state shown when the key was pressed, so the second press repeated the first)."""
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "signed-in")
        screen.action_activate("mailbox")  # As org. -> On
        screen.action_activate("mailbox")  # On -> Off, though the first has not answered yet
        screen.action_activate("fault-smtp_down")
        screen.action_activate("fault-smtp_down")  # on, then off again
        await settle(app, pilot)
        state = sim_control.state()
        assert next(u["smtp_auth"] for u in state["users"] if u["upn"] == PRINTER.upn) is False
        assert state["faults"]["smtp_down"] is False
        assert row(screen, "mailbox").endswith("○ Off")


async def test_revoking_the_printers_sessions_expires_it_at_the_next_refresh(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "signed-in")
        await pilot.press("v", "1")  # revoke, then an hour later the access token needs a refresh
        await settle(app, pilot)
        outcome = await app.backend.jobs.scan_to_email(MEGAN.upn)
        assert (outcome.job.error_code, outcome.error.cause_name) == (361, "signin_revoked")


async def test_revoke_a_chosen_user(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        assert "Megan Bowen" in row(screen, "revoke-user")
        await pilot.press("right")
        assert "Alex Wilber" in row(screen, "revoke-user")
        await pilot.press("left", "left")
        assert "Contoso Administrator" in row(screen, "revoke-user")
        await pilot.press("u", "u")
        assert "Alex Wilber" in row(screen, "revoke-user")
        await pilot.press("g")
        await settle(app, pilot)
        users = {u["upn"]: u["tokens_valid_from"] for u in sim_control.state()["users"]}
        assert users[ALEX.upn] > 0 and users[MEGAN.upn] == 0
        assert "Alex Wilber" in text_of(screen, "#trainer-detail")


async def test_reset_everything(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        await apply_scenario(app, pilot, "token-expired")
        await pilot.press("m")
        await settle(app, pilot)
        await pilot.press("r")
        await pilot.press("escape")  # No: nothing happens
        await settle(app, pilot)
        assert sim_control.state()["faults"]["smtp_down"] is True
        await pilot.press("r")
        await confirm_yes(app, pilot)
        state = sim_control.state()
        assert state["faults"]["smtp_down"] is False and state["clock"]["offset"] == 0
        assert state["policies"]["smtp_auth_org"] is False
        assert app.printer.signin_info().state == "not_signed_in"
        assert app.printer.settings.email_server.auth_method.value == "off"
        assert "Scenario: none" in text_of(screen, "#trainer-clock")
        assert text_of(screen, "#trainer-detail").splitlines()[0] == app.t("trainer.status.reset_done")


async def test_live_mode_says_there_is_no_simulator(fixed_clock):
    app = build_app(lang="en", clock=fixed_clock, start_backend=False, options=BackendOptions(live=True))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_trainer(app, pilot)
        assert text_of(screen, "#trainer-detail") == app.t("trainer.status.live")
        await pilot.press("m")
        await settle(app, pilot)
        assert text_of(screen, "#trainer-detail") == app.t("trainer.status.live")


async def test_language_switch_redraws_the_console(make_e2e_app):
    app = make_e2e_app("en")
    async with app.run_test(size=SIZE) as pilot:
        await open_trainer(app, pilot)
        app.set_language("ro")
        await settle(app, pilot)
        screen = app.screen
        assert text_of(screen, "#trainer-title") == "Consola formatorului: simulator Microsoft 365"
        assert row(screen, "policy-sd").endswith("● Activat")
        assert screen.focused is screen.query_one("#trainer-controls")


# -- snapshots (fixed display clock; the simulator's offset is exact) ------------------------


async def _open_console(pilot) -> None:
    pilot.app.push_screen(TrainerScreen())
    await settle(pilot.app, pilot)
    pilot.app.screen.fix_urls_for_snapshot()


async def _token_expired_applied(pilot) -> None:
    await _open_console(pilot)
    await apply_scenario(pilot.app, pilot, "token-expired")


# The console itself is in the shared catalog (panel_tui/ui/sim_catalog.py: trainer_console).


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_snapshot_console_after_token_expired(snap_compare, make_e2e_app, lang):
    assert snap_compare(make_e2e_app(lang), terminal_size=SIZE, run_before=_token_expired_applied)
