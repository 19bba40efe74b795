"""Command line: `panel-tui` starts the panel; subcommands check data files, run the simulator,
and script the printer (panel_tui.scripting: signin, send, jobs, config ...)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from panel_tui import scripting

COMMANDS = ("run", "check", "sim", "gallery", "serve", "scenarios", *scripting.COMMANDS)


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="panel-tui",
        description="Epson printer control panel and Web Config emulator for Exchange Online OAuth 2.0 email.",
        epilog=scripting.EPILOG,
    )
    parser.add_argument("--profile", default="default", help="emulated printer profile (separate settings, jobs, tokens)")
    parser.add_argument("--lang", choices=["en", "ro"], help="language (the panel saves it in the profile; commands use it for their output)")
    parser.add_argument("--live", action="store_true",
                        help="use the real Microsoft cloud instead of the embedded simulator")
    parser.add_argument("--client-id", help="live mode: your app registration's application (client) ID")
    parser.add_argument("--tenant", help="live mode, Exchange Online: tenant ID or domain (default: organizations)")
    parser.add_argument("--scenario", metavar="NAME",
                        help="start in a named trainer scenario on a fresh profile (`panel-tui scenarios` lists them)")
    parser.add_argument("--sim-url", help="use a standalone simulator (`panel-tui sim` prints its URL)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the panel (the default)")
    check = sub.add_parser("check", help="validate the menu and locale files; exit 1 on any problem")
    check.add_argument("--menus", type=Path, help="folder holding panel.toml (default: the shipped one)")
    check.add_argument("--locales", type=Path, help="folder holding en.toml and ro.toml (default: the shipped one)")
    sub.add_parser("sim", help="run the embedded Microsoft 365 simulator alone (see `panel-tui sim --help`)", add_help=False)
    sub.add_parser("scenarios", help="list the named starting states for trainers (--scenario NAME)")
    gallery_parser = sub.add_parser(
        "gallery", help="render every screen in every language as SVG plus index.html (for reviewers)")
    serve_parser = sub.add_parser(
        "serve", help="serve the panel in a web browser through textual-serve (loopback by default)")
    if full:  # their options only when asked for: starting the panel does not import them
        from panel_tui import gallery, serve

        gallery.add_arguments(gallery_parser)
        serve.add_arguments(serve_parser)
    scripting.add_commands(sub)
    return parser


def known_names() -> dict[str, set[str]]:
    """What the menu file may refer to: screens, actions and settings the app implements."""
    from panel_tui.app import ACTIONS, NOT_EMULATED_SCREENS, SCREENS, SEND_SCREENS
    from panel_tui.ui.setting_binding import SETTING_BINDINGS

    return {
        "screens": set(SCREENS) | NOT_EMULATED_SCREENS | SEND_SCREENS,
        "actions": set(ACTIONS),
        "settings": set(SETTING_BINDINGS),
    }


def check_data(menus_dir: Path | None, locales_dir: Path | None) -> list[str]:
    """Every problem in the menu and locale files, as `file: node path: problem` lines."""
    from panel_tui.datafiles import data_dir
    from panel_tui.i18n import check_locales
    from panel_tui.menus import MenuError, load_menu_tree, load_webconfig

    catalogs, problems = check_locales(locales_dir)
    label_keys = set().union(*(set(c) for c in catalogs.values())) if catalogs else set()
    english = catalogs.get("en") or label_keys
    try:
        load_menu_tree((menus_dir or data_dir("menus")) / "panel.toml", label_keys=set(english), **known_names())
    except MenuError as error:
        problems.extend(error.problems)
    try:
        load_webconfig((menus_dir or data_dir("menus")) / "webconfig.toml", label_keys=set(english))
    except MenuError as error:
        problems.extend(error.problems)
    from panel_tui.scenarios import check_scenarios

    problems.extend(check_scenarios(label_keys=set(english)))
    return problems


def backend_options(args) -> "BackendOptions":
    from panel_tui.backend import BackendOptions

    return BackendOptions(live=bool(getattr(args, "live", False)), sim_url=getattr(args, "sim_url", None),
                          client_id=getattr(args, "client_id", None), tenant=getattr(args, "tenant", None))


def open_backend(profile: str = "default", options=None, clock=None):
    """Open the profile's printer and its backend (not started). Returns (printer, backend)."""
    from panel_tui.backend import Backend, BackendOptions
    from panel_tui.device.clock import OffsetClock, SystemClock
    from panel_tui.device.paths import resolve_paths, simulator_dir
    from panel_tui.device.printer import Printer
    from panel_tui.scenarios import profile_backend_options

    options = profile_backend_options(profile, options)  # an untrusted-certificate profile stays so
    session_clock = OffsetClock(SystemClock())
    # In production the printer shows simulated time too; tests pass a fixed display clock.
    printer = Printer.open(resolve_paths(profile), clock=clock or session_clock)
    backend = Backend(printer, options or BackendOptions(), simulator_dir(), session_clock=session_clock)
    return printer, backend


def build_app(profile: str = "default", lang: str | None = None, clock=None, menus_dir: Path | None = None,
              locales_dir: Path | None = None, options=None, start_backend: bool = True):
    """Open the profile's printer and build the panel app (used by `main` and by tests)."""
    import dataclasses

    from panel_tui.app import PanelApp
    from panel_tui.datafiles import data_dir
    from panel_tui.i18n import Translator
    from panel_tui.menus import load_menu_tree

    translator = Translator.load(locales_dir)
    tree = load_menu_tree((menus_dir or data_dir("menus")) / "panel.toml",
                          label_keys=translator.catalogs["en"].keys(), **known_names())
    printer, backend = open_backend(profile, options, clock)
    if lang and printer.settings.language != lang:
        printer.update(dataclasses.replace(printer.settings, language=lang))
    return PanelApp(printer, translator, tree, printer.clock, backend=backend, start_backend=start_backend)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(full=bool({"gallery", "serve", "-h", "--help"} & set(argv)))
    # `sim` takes its own options; split them off before the main parser sees them.
    for index, word in enumerate(argv):
        if word == "sim":
            from panel_tui.device.paths import simulator_dir
            from panel_tui.sim.cli import main as sim_main

            return sim_main(argv[index + 1:], data_dir=simulator_dir())
        if not word.startswith("-") and word in COMMANDS:
            break
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = check_data(args.menus, args.locales)
        for problem in problems:
            print(problem)
        if problems:
            print(f"{len(problems)} problem(s) found.", file=sys.stderr)
            return 1
        print("menus and locales: OK")
        return 0
    if args.command == "gallery":
        from panel_tui import gallery

        return gallery.command(args)
    if args.command == "serve":
        from panel_tui import serve

        return serve.command(args)
    if args.command in scripting.COMMANDS:
        return scripting.run(args)
    if args.command == "scenarios":
        from panel_tui.scenarios import print_scenarios

        return print_scenarios(args.lang, args.profile)
    scenario = None
    if args.scenario:
        from panel_tui.scenarios import ScenarioError, load_scenario, wipe_profile

        if args.live:
            print("panel-tui: --scenario needs the simulator; it cannot be used with --live", file=sys.stderr)
            return 2
        try:
            scenario = load_scenario(args.scenario)
            wipe_profile(args.profile)  # a fresh profile
        except (ScenarioError, ValueError) as error:
            print(f"panel-tui: {error}", file=sys.stderr)
            return 2

    from panel_tui.device.settings import SettingsError
    from panel_tui.i18n import LocaleError
    from panel_tui.menus import MenuError

    try:
        app = build_app(args.profile, args.lang, options=backend_options(args))
    except (MenuError, LocaleError) as error:
        print("panel-tui cannot start: the data files are broken:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (SettingsError, ValueError) as error:
        print(f"panel-tui cannot start: {error}", file=sys.stderr)
        return 1
    if scenario is not None:
        from panel_tui.scenarios import run_scenario

        print(f"panel-tui: preparing scenario {scenario.name} ...", file=sys.stderr)
        try:
            run_scenario(scenario, app.printer, app.backend)
        except Exception as error:  # noqa: BLE001 - ScenarioError or BackendError, said plainly
            app.backend.stop()
            print(f"panel-tui cannot start scenario {scenario.name}: {error}", file=sys.stderr)
            return 1
    try:
        app.run()
    finally:
        app.backend.stop()
    return 0
