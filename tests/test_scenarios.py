"""Scenarios: the shipped files load and validate; each one starts on a fresh profile against
the shared simulator and shows its status and, after one send, its job outcome.

The runner is exercised for real (MSAL sign-ins approved through the sign-in pages, settings
applied, the simulator's control API); nothing waits on wall-clock time.
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest

from panel_tui import scenarios
from panel_tui.backend import BackendOptions, open_backend, profile_backend_options
from panel_tui.device.ca_store import import_ca_certificate
from panel_tui.device.paths import resolve_paths
from panel_tui.device.settings import DeviceSettings
from panel_tui.device.settings_store import SettingsStore
from panel_tui.i18n import Translator
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from tests.helpers.panel import send_scan
from tests.helpers.screen import dialog_text

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS
REQUIRED = ("fresh", "ready", "signed-in", "saved-but-not-applied", "token-expired", "conditional-access",
            "smtp-auth-off-mailbox", "wrong-sender", "untrusted-certificate", "to-my-email-first-use",
            "fax-server", "basic-cutoff")


# -- loading and validation --------------------------------------------------------------


def english_keys() -> set[str]:
    return set(Translator.load().catalogs["en"])


def test_shipped_scenarios_load_with_known_description_keys():
    loaded = scenarios.load_scenarios(label_keys=english_keys())
    assert set(REQUIRED) <= set(loaded)
    assert scenarios.check_scenarios(label_keys=english_keys()) == []
    # `extends` puts the base's steps first
    kinds = [s.kind for s in loaded["token-expired"].steps]
    assert kinds == ["security_defaults", "smtp_auth_org", "admin_consent", "sign_in", "apply_settings",
                     "advance_clock"]
    assert loaded["fresh"].steps == ()


def write(directory, name: str, body: str):
    path = directory / f"{name}.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_problems_name_the_file_and_the_step(tmp_path):
    bad = write(tmp_path, "bad", """
        name = "bad"
        description_key = "scenario.fresh"
        colour = "red"

        [[steps]]
        kind = "teleport"

        [[steps]]
        kind = "fault"
        name = "printer_on_fire"
        on = "yes"
        extra = 1

        [[steps]]
        kind = "sign_in"

        [[steps]]
        kind = "apply_settings"
        values = { "email_server.auth_method" = "oauth3", "email_server.colour" = "red" }

        [[steps]]
        kind = "revoke_sessions"
        account = "mallory"

        [[steps]]
        kind = "advance_clock"
    """)
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.load_scenarios(tmp_path, label_keys={"scenario.fresh"})
    problems = caught.value.problems
    assert f"{bad}: unknown key 'colour'; expected description_key, extends, name, steps" in problems
    assert any(p.startswith(f"{bad}: step 1: unknown step kind 'teleport'") for p in problems)
    assert f"{bad}: step 2: fault: unknown field 'extra'; expected name, on" in problems
    assert any(p.startswith(f"{bad}: step 2: fault: name: expected one of") for p in problems)
    assert f"{bad}: step 2: fault: on: expected true or false" in problems
    assert f"{bad}: step 3: sign_in: missing field 'account'" in problems
    assert any(p.startswith(f"{bad}: step 4: apply_settings: email_server.auth_method: invalid value 'oauth3'")
               for p in problems)
    assert f"{bad}: step 4: apply_settings: unknown setting 'email_server.colour'" in problems
    assert any(p.startswith(f"{bad}: step 5: revoke_sessions: account: expected a seeded account") for p in problems)
    assert f"{bad}: step 6: advance_clock: give days, hours, seconds or until" in problems


def test_names_descriptions_and_extends_are_checked(tmp_path):
    write(tmp_path, "one", 'name = "uno"\ndescription_key = "missing.key"\n')
    write(tmp_path, "loop-a", 'name = "loop-a"\ndescription_key = "k"\nextends = "loop-b"\n')
    write(tmp_path, "loop-b", 'name = "loop-b"\ndescription_key = "k"\nextends = "loop-a"\n')
    write(tmp_path, "orphan", 'name = "orphan"\ndescription_key = "k"\nextends = "nowhere"\n')
    problems = scenarios.check_scenarios(tmp_path, label_keys={"k"})
    assert f"{tmp_path / 'one.toml'}: name must be 'one' (the file name), not 'uno'" in problems
    assert f"{tmp_path / 'one.toml'}: description_key: 'missing.key' is not in the locale files" in problems
    assert any("extends: cycle loop-a -> loop-b -> loop-a" in p for p in problems)
    assert f"{tmp_path / 'orphan.toml'}: extends: no scenario 'nowhere'" in problems


def test_an_unknown_scenario_names_the_choices():
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.load_scenario("nope")
    assert "no scenario 'nope'; choose one of: app-not-registered, app-public-flows-off, " in caught.value.problems[0]


@pytest.mark.parametrize(("lang", "fresh"), [
    ("en", "Factory defaults; tenant as shipped"),
    ("ro", "Setări implicite; tenant ca la livrare"),
])
def test_listing_is_one_line_per_scenario_in_the_language(lang, fresh):
    lines = scenarios.scenario_lines(lang)
    assert len(lines) == len(scenarios.load_scenarios())
    by_name = {line.split()[0]: line for line in lines}
    assert set(REQUIRED) <= set(by_name)
    assert fresh in by_name["fresh"]
    width = max(len(name) for name in by_name)
    assert all(line[width:width + 2] == "  " for line in lines)  # descriptions in one column


def test_print_scenarios_uses_the_profiles_language(capsys):
    SettingsStore(resolve_paths("default")).save(dataclasses.replace(DeviceSettings(), language="ro"))
    assert scenarios.print_scenarios(None, "default") == 0
    assert "Conectat, apoi 91 de zile" in capsys.readouterr().out
    assert scenarios.print_scenarios("en", "default") == 0
    assert "Signed in, then 91 days" in capsys.readouterr().out


# -- every scenario, for real ------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    signin: str  # printer.signin_info().state right after the scenario
    job: str = "scan_to_email"
    code: int | None = None  # None: the job succeeds
    cause: str | None = None
    after: str | None = None  # the sign-in state after the send, when it changes


EXPECTED = {
    "fresh": Expected("not_signed_in", code=360, cause="auth_method_not_oauth2"),
    "ready": Expected("not_signed_in", code=360, cause="auth_method_not_oauth2"),
    "signed-in": Expected("signed_in"),
    "saved-but-not-applied": Expected("signed_in", code=360, cause="auth_method_not_oauth2"),
    "token-expired": Expected("signed_in", code=361, cause="signin_expired", after="expired"),
    "conditional-access": Expected("not_signed_in", code=360, cause="not_signed_in"),
    "smtp-auth-off-mailbox": Expected("signed_in", code=312, cause="smtp_auth_disabled_mailbox"),
    "wrong-sender": Expected("signed_in", code=312, cause="send_as_not_permitted"),
    "untrusted-certificate": Expected("signed_in", code=313, cause="certificate_untrusted"),
    "to-my-email-first-use": Expected("signed_in", job="to_my_email", code=370, cause="user_signin_required"),
    "fax-server": Expected("not_signed_in", job="fax_email"),
    "basic-cutoff": Expected("not_signed_in", code=312, cause="basic_auth_disabled"),
}


def test_every_required_scenario_has_an_expectation():
    assert set(EXPECTED) == set(REQUIRED)


async def send(backend, job: str):
    if job == "to_my_email":
        return await backend.jobs.to_my_email(MEGAN.upn)
    if job == "fax_email":
        return await backend.jobs.fax_email(MEGAN.upn)
    return await backend.jobs.scan_to_email(MEGAN.upn)


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_scenario_starts_with_its_status_and_job_outcome(make_e2e_app, sim_control, name):
    expected = EXPECTED[name]
    app = make_e2e_app("en")
    printer, backend = app.printer, app.backend
    scenarios.run_scenario(name, printer, backend)
    assert printer.signin_info().state == expected.signin
    assert scenarios.trainer_state(printer.paths)["scenario"] == name
    outcome = await send(backend, expected.job)
    if expected.code is None:
        assert outcome.ok, outcome.error
        assert len(sim_control.mailbox(MEGAN.upn)) == 1
    else:
        assert (outcome.job.error_code, outcome.error.cause_name) == (expected.code, expected.cause)
        assert sim_control.mailbox(MEGAN.upn) == []
    assert printer.signin_info().state == (expected.after or expected.signin)


async def test_fresh_is_the_tenant_as_shipped(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    scenarios.run_scenario("ready", app.printer, app.backend)
    scenarios.run_scenario("fresh", app.printer, app.backend)
    state = sim_control.state()
    assert state["policies"] == {"security_defaults": True, "smtp_auth_org": False,
                                 "conditional_access_block": False, "basic_smtp_auth": None,
                                 "basic_final_removal": False}
    assert state["apps"][0]["admin_consent"] is False
    assert app.printer.settings.email_server.auth_method.value == "off"


async def test_conditional_access_blocks_the_sign_in(make_e2e_app):
    app = make_e2e_app("en")
    scenarios.run_scenario("conditional-access", app.printer, app.backend)
    session = app.backend.session_for(app.printer.settings.email_server)
    flow = session.start_device_flow()
    page = app.backend.control().approve_device_code(flow.user_code, PRINTER.upn, PRINTER.password)
    assert page["page"] == "blocked"
    result = session.wait_for_device_flow(flow)
    assert (result.outcome, result.aadsts, result.cause_name) == ("blocked", 53003, "conditional_access")


async def test_untrusted_certificate_sends_once_the_ca_is_imported(make_e2e_app, sim_thread):
    app = make_e2e_app("en")
    scenarios.run_scenario("untrusted-certificate", app.printer, app.backend)
    assert (await app.backend.jobs.scan_to_email(MEGAN.upn)).error.cause_name == "certificate_untrusted"
    import_ca_certificate(sim_thread.endpoints.ca_path, app.printer.paths.ca_dir)  # Web Config > CA Certificate
    assert (await app.backend.jobs.scan_to_email(MEGAN.upn)).ok


async def test_to_my_email_first_use_then_the_user_signs_in(make_e2e_app, sim_control):
    app = make_e2e_app("en")
    scenarios.run_scenario("to-my-email-first-use", app.printer, app.backend)
    assert (await app.backend.jobs.to_my_email(MEGAN.upn)).job.error_code == 370
    session = app.backend.session_for(app.printer.settings.email_server)
    flow = session.start_device_flow(role=None)
    sim_control.approve_device_code(flow.user_code, MEGAN.upn, MEGAN.password)
    assert session.wait_for_device_flow(flow).ok
    assert (await app.backend.jobs.to_my_email(MEGAN.upn)).ok
    assert MEGAN.upn in sim_control.mailbox(MEGAN.upn)[0]["from"]


async def test_fax_server_is_signed_in_for_its_own_role(make_e2e_app):
    app = make_e2e_app("en")
    scenarios.run_scenario("fax-server", app.printer, app.backend)
    assert app.backend.signin_info("fax_email_server").state == "signed_in"
    assert app.printer.settings.fax_email_server.auth_method.value == "oauth2"


async def test_switching_scenarios_starts_over_and_keeps_the_language(make_e2e_app, sim_control):
    app = make_e2e_app("ro")
    scenarios.run_scenario("untrusted-certificate", app.printer, app.backend)
    await app.backend.jobs.scan_to_email(MEGAN.upn)
    scenarios.run_scenario("fresh", app.printer, app.backend)
    printer = app.printer
    assert printer.joblog.jobs() == []
    assert printer.signin_info().state == "not_signed_in"
    assert app.backend.session_for(printer.settings.email_server).accounts() == []
    assert printer.settings.language == "ro"
    assert scenarios.trainer_state(printer.paths) == {"scenario": "fresh", "simulator_ca_trusted": True}
    assert app.backend.options.trust_sim_ca
    assert sim_control.state()["clock"]["offset"] == 0


async def test_a_step_that_does_not_go_as_written_names_itself(make_e2e_app, tmp_path):
    path = write(tmp_path, "blocked", """
        name = "blocked"
        description_key = "k"

        [[steps]]
        kind = "conditional_access_block"
        on = true

        [[steps]]
        kind = "sign_in"
        account = "printer"
    """)
    app = make_e2e_app("en")
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.run_scenario("blocked", app.printer, app.backend, directory=tmp_path)
    assert caught.value.problems == [
        f"{path}: step 2: sign_in as {PRINTER.upn}: blocked (page blocked), expected signed_in"]


# -- the command line's fresh profile ----------------------------------------------------


async def test_scenario_on_a_wiped_profile_and_its_trust_survives_a_restart(sim_thread, sim_control, fixed_clock):
    def start():
        options = profile_backend_options("classroom-1", BackendOptions())
        printer, backend = open_backend("classroom-1", options, fixed_clock)
        backend.use_endpoints(sim_thread.endpoints)
        return printer, backend

    printer, backend = start()
    scenarios.run_scenario("signed-in", printer, backend)
    assert (await backend.jobs.scan_to_email(MEGAN.upn)).ok
    backend.stop()

    paths = scenarios.wipe_profile("classroom-1")  # what --scenario does before opening the printer
    assert not paths.settings_file.exists() and not paths.token_cache_file.exists()
    assert not paths.joblog_file.exists()
    printer, backend = start()
    assert printer.joblog.jobs() == [] and printer.signin_info().state == "not_signed_in"
    scenarios.run_scenario("untrusted-certificate", printer, backend)
    backend.stop()

    printer, backend = start()  # panel-tui started again on that profile
    assert backend.options.trust_sim_ca is False
    assert (await backend.jobs.scan_to_email(MEGAN.upn)).error.cause_name == "certificate_untrusted"
    backend.stop()


# -- on the panel ------------------------------------------------------------------------

STATUS_PATH = ("settings", "general_settings", "network_settings", "network_status", "email_server_status")


async def open_email_server_status(app, pilot) -> dict[str, str]:
    app.action_home()
    for node in STATUS_PATH:
        app.open_node(node)
        await pilot.pause()
    return {str(r.query_one(".status-label").render()): str(r.query_one(".status-value").render())
            for r in app.screen.query(".status-row")}


async def test_token_expired_on_the_panel_signed_in_until_the_send_says_361(make_e2e_app):
    app = make_e2e_app("en")
    scenarios.run_scenario("token-expired", app.printer, app.backend)
    async with app.run_test(size=(100, 30)) as pilot:
        assert (await open_email_server_status(app, pilot))["Current Status"] == "Signed in"
        assert "361" in dialog_text(await send_scan(app, pilot, MEGAN.upn))
        await pilot.press("enter")
        assert (await open_email_server_status(app, pilot))["Current Status"] == "Sign-in expired"


async def _status_after_a_send(pilot) -> None:
    await pilot.app.backend.jobs.scan_to_email(MEGAN.upn)
    await open_email_server_status(pilot.app, pilot)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_snapshot_token_expired_status_after_one_send(snap_compare, make_e2e_app, lang):
    app = make_e2e_app(lang)
    scenarios.run_scenario("token-expired", app.printer, app.backend)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_status_after_a_send)


def test_cli_lists_scenarios_and_refuses_an_unknown_one(tmp_path):
    env = {**os.environ, "PANEL_TUI_HOME": str(tmp_path / "home")}
    listed = subprocess.run([sys.executable, "-m", "panel_tui", "--lang", "ro", "scenarios"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert {"fresh", "ready", "signed-in", "saved-but-not-applied", "token-expired", "conditional-access",
            "smtp-auth-off-mailbox", "wrong-sender", "untrusted-certificate", "to-my-email-first-use",
            "fax-server"} <= set(names)
    assert "tenant" in listed.stdout  # Romanian descriptions
    unknown = subprocess.run([sys.executable, "-m", "panel_tui", "--scenario", "no-such-thing"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert unknown.returncode == 2 and "no-such-thing" in unknown.stderr
    live = subprocess.run([sys.executable, "-m", "panel_tui", "--live", "--scenario", "fresh"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert live.returncode == 2 and "--live" in live.stderr
