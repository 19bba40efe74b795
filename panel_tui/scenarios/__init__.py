"""Named starting states for trainers: `scenarios/<name>.toml`, loaded, validated and run.

A scenario is data: a name, a description key (locale) and a list of steps. The runner
reaches its state only through real operations: the simulator's control API (tenant
policies, faults, clock), device code sign-ins performed for real (MSAL starts the flow,
`SimControl.approve_device_code` plays the person in the browser), settings applied as
Web Config's OK does, the simulator's CA imported as Web Config > CA Certificate does.

    scenario = load_scenario("token-expired")        # ScenarioError: `file: step N: problem`
    wipe_profile("default")                          # before the printer is opened (--scenario)
    run_scenario(scenario, printer, backend)         # blocking: call it from a thread worker

The modules: `model` (Scenario, Step, ScenarioError), `validation` (what a file may say),
`loading` (files, `extends`), `trainer_file` (the profile's stored trainer state), `profile`
(wipe, reset), `runner` (the steps, performed), `listing` (`panel-tui scenarios`).
Problems are reported as `file: step N: problem`. No textual here.
"""
from __future__ import annotations

from panel_tui.scenarios.listing import list_scenarios, print_scenarios, scenario_lines
from panel_tui.scenarios.loading import check_scenarios, load_scenario, load_scenarios
from panel_tui.scenarios.model import Scenario, ScenarioError, Step, seeded_account
from panel_tui.scenarios.profile import profile_work, reset_profile, simulator_work, wipe_profile
from panel_tui.scenarios.runner import run_scenario
from panel_tui.scenarios.trainer_file import TRAINER_FILE, forget_scenario, trainer_state
from panel_tui.scenarios.validation import FAULTS, SIGNIN_OUTCOMES, SIGNIN_SECTIONS, STEP_KINDS

__all__ = [
    "FAULTS", "SIGNIN_OUTCOMES", "SIGNIN_SECTIONS", "STEP_KINDS", "TRAINER_FILE", "Scenario", "ScenarioError", "Step",
    "check_scenarios", "forget_scenario", "list_scenarios", "load_scenario", "load_scenarios", "print_scenarios",
    "profile_work", "reset_profile", "run_scenario", "scenario_lines", "seeded_account", "simulator_work",
    "trainer_state", "wipe_profile",
]
