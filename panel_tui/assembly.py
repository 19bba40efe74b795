"""The one place that assembles the app: the data files, the profile's printer and backend, the panel.

`cli.py` parses arguments and calls these; `gallery.py` and the tests build their apps here
too. A printer and its backend alone (scripting commands, the classroom, benchmarks) come
from `panel_tui.backend.open_backend`, which never imports the app: code the UI reaches
stays below it. The app (textual), the scenarios and the menu loader are imported inside the
functions that use them, so that `panel-tui --help` and the scripting commands stay cheap
(pyproject.toml lists the files allowed such imports).
"""
from __future__ import annotations

import dataclasses
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

# Opening a profile's printer and backend is the backend module's; open_backend and
# profile_backend_options are named here too, for the callers that assemble the app.
from panel_tui.backend import BackendOptions
from panel_tui.backend import open_backend as open_backend
from panel_tui.backend import profile_backend_options as profile_backend_options
from panel_tui.datafiles import data_dir
from panel_tui.device.settings_store import SettingsError
from panel_tui.i18n import LocaleError, Translator, check_locales

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.app import PanelApp
    from panel_tui.device.clock import Clock


class KnownNames(TypedDict):
    """What the menu file may refer to (the keyword arguments of `load_menu_tree`)."""

    screens: set[str]
    actions: set[str]
    settings: set[str]


def known_names() -> KnownNames:
    """What the menu file may refer to: screens, actions and settings the app implements."""
    from panel_tui.app import ACTIONS, NOT_EMULATED_SCREENS, SCREENS, SEND_SCREENS
    from panel_tui.ui.setting_binding import SETTING_BINDINGS

    return {
        "screens": set(SCREENS) | NOT_EMULATED_SCREENS | SEND_SCREENS,
        "actions": set(ACTIONS),
        "settings": set(SETTING_BINDINGS),
    }


def check_data(menus_dir: Path | None, locales_dir: Path | None) -> list[str]:
    """Every problem in the menu, locale and scenario files, as `file: node path: problem` lines."""
    from panel_tui.menus import MenuError, load_menu_tree, load_webconfig
    from panel_tui.scenarios import check_scenarios

    catalogs, problems = check_locales(locales_dir)
    label_keys = set().union(*(set(c) for c in catalogs.values())) if catalogs else set()
    english = catalogs.get("en") or label_keys
    try:
        load_menu_tree((menus_dir or data_dir("menus")) / "panel.toml", label_keys=set(english), use_cache=False,
                       **known_names())
    except MenuError as error:
        problems.extend(error.problems)
    try:
        load_webconfig((menus_dir or data_dir("menus")) / "webconfig.toml", label_keys=set(english))
    except MenuError as error:
        problems.extend(error.problems)
    problems.extend(check_scenarios(label_keys=set(english)))
    return problems


def backend_options(args: object) -> BackendOptions:
    """The backend options named by parsed arguments (--live, --sim-url, --sim-ca, --sim-fingerprint,
    --client-id, --tenant)."""
    return BackendOptions(live=bool(getattr(args, "live", False)), sim_url=getattr(args, "sim_url", None),
                          client_id=getattr(args, "client_id", None), tenant=getattr(args, "tenant", None),
                          sim_ca=getattr(args, "sim_ca", None), sim_fingerprint=getattr(args, "sim_fingerprint", None))


def build_app(profile: str = "default", lang: str | None = None, clock: Clock | None = None,
              menus_dir: Path | None = None, locales_dir: Path | None = None,
              options: BackendOptions | None = None, start_backend: bool = True) -> PanelApp:
    """Open the profile's printer and build the panel app (used by `panel-tui`, the gallery and tests)."""
    from panel_tui.app import PanelApp
    from panel_tui.menus import load_menu_tree

    printer, backend = open_backend(profile, options, clock)
    if lang and printer.settings.language != lang:
        printer.update(dataclasses.replace(printer.settings, language=lang))
    # Only the language on screen is read at start; `panel-tui check` and the tests compare them all.
    translator = Translator.load(locales_dir, printer.settings.language)
    tree = load_menu_tree((menus_dir or data_dir("menus")) / "panel.toml",
                          label_keys=translator.keys(), **known_names())
    return PanelApp(printer, translator, tree, printer.clock, backend=backend, start_backend=start_backend)


def run_panel(profile: str, lang: str | None, options: BackendOptions, scenario_name: str | None = None,
              reset: bool = False) -> int:
    """Start the panel (after preparing `scenario_name` on a fresh profile); returns the exit code.

    A scenario's profile that has work in it (jobs, sheets, a sign-in) is wiped only with
    `reset`, or when the trainer confirms it on a terminal; otherwise exit 2 saying so.
    """
    # No garbage collection before the first frame (start-up builds, it frees little): the app
    # freezes what start-up built and re-enables collection once Home is on screen. Whatever way
    # this returns (a refused scenario, broken data files), collection is on again after it.
    gc.disable()
    try:
        return _run_panel(profile, lang, options, scenario_name, reset)
    finally:
        gc.enable()


def _run_panel(profile: str, lang: str | None, options: BackendOptions, scenario_name: str | None,
               reset: bool) -> int:
    scenario = None
    if scenario_name:
        from panel_tui.scenarios import ScenarioError, load_scenario, profile_work, wipe_profile

        if options.live:
            print("panel-tui: --scenario needs the simulator; it cannot be used with --live", file=sys.stderr)
            return 2
        try:
            scenario = load_scenario(scenario_name)
            work = [] if reset else profile_work(profile)
        except (ScenarioError, ValueError) as error:
            print(f"panel-tui: {error}", file=sys.stderr)
            return 2
        if work and not _confirm_wipe(profile, scenario.name, work, lang):
            return 2
        wipe_profile(profile)  # a fresh profile: empty, or its wipe confirmed

    from panel_tui.menus import MenuError

    try:
        app = build_app(profile, lang, options=options)
    except (MenuError, LocaleError) as error:
        print("panel-tui cannot start: the data files are broken:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (SettingsError, ValueError) as error:
        print(f"panel-tui cannot start: {error}", file=sys.stderr)
        return 1
    backend = app.cloud
    if scenario is not None:
        from panel_tui.scenarios import run_scenario, simulator_work

        # The scenario resets the home's simulator, which every profile shares (the default
        # profile's prepared tenant and sign-ins live there): never silently either.
        shared = [] if reset else simulator_work(backend.control().state())
        if shared and not _confirm_wipe(profile, scenario.name, shared, lang, shared_simulator=True):
            backend.stop()
            return 2
        print(f"panel-tui: preparing scenario {scenario.name} ...", file=sys.stderr)
        try:
            run_scenario(scenario, app.printer, backend)
        except Exception as error:  # noqa: BLE001 - ScenarioError or BackendError, said plainly
            backend.stop()
            print(f"panel-tui cannot start scenario {scenario.name}: {error}", file=sys.stderr)
            return 1
    try:
        app.run()
    finally:
        backend.stop()
    return 0


def _confirm_wipe(profile: str, scenario: str, work: list[str], lang: str | None,
                  shared_simulator: bool = False) -> bool:
    """Ask on a terminal whether to wipe `profile`'s work (or, `shared_simulator`, the work the
    home's simulator holds for every profile); without one, say to add --reset."""
    t = Translator.load(language=lang or "en").t
    what = "simulator_" if shared_simulator else ""
    said = t(f"scenario.start.{what}has_work", profile=profile, scenario=scenario,
             work=", ".join(t(f"scenario.start.work.{item}") for item in work))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(f"panel-tui: {said}\n{t(f'scenario.start.{what}reset_needed')}", file=sys.stderr)
        return False
    from panel_tui.ui.scenario_start import WipeConfirmApp

    if WipeConfirmApp(t, scenario, said).run():
        return True
    print(f"panel-tui: {t(f'scenario.start.{what}cancelled', scenario=scenario, profile=profile)}", file=sys.stderr)
    return False


def check_command(menus_dir: Path | None, locales_dir: Path | None) -> int:
    """`panel-tui check`: print every problem in the data files; exit code 1 if there is one."""
    problems = check_data(menus_dir, locales_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("menus and locales: OK")
    return 0
