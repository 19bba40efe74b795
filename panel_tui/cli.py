"""Command line: `panel-tui` starts the panel; subcommands check data files, run the simulator,
and script the printer (panel_tui.scripting: signin, send, jobs, config ...).

This module only parses arguments and dispatches; panel_tui.assembly builds the printer,
its backend and the app."""
from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import sys
from pathlib import Path

from panel_tui.device.paths import simulator_dir, validate_profile_name
from panel_tui.device.settings_store import SettingsError
from panel_tui.device.validation import FieldError, shown_value, validate_attachment_path, validate_listen_host
from panel_tui.i18n import LANGUAGES, Translator

# panel_tui.scripting.COMMANDS (a test keeps them equal): a plain start does not import scripting.
SCRIPT_COMMANDS = ("signin", "signout", "status", "send", "jobs", "sheet", "config")
COMMANDS = ("run", "check", "sim", "classroom", "gallery", "guide", "serve", "scenarios", "doctor", *SCRIPT_COMMANDS)
# Exit codes (README, "Exit codes"): 0 success, 1 failure, 2 usage error (argparse's), 3 `sim status`
# with none serving; these two come from main's funnel below.
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports a SIGINT death
EXIT_INTERNAL = 70  # an exception no command turned into words: a bug (EX_SOFTWARE)
DEBUG_ENV = "PANEL_TUI_DEBUG"  # set: a bug's traceback is shown instead of the one-line message


def _global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="emulated printer profile (separate settings, jobs, tokens); "
                                          "default: 'default', or the scenario's name with --scenario")
    parser.add_argument("--lang", choices=LANGUAGES,
                        help="language (the panel saves it in the profile; commands use it for their output)")
    parser.add_argument("--live", action="store_true",
                        help="use the real Microsoft cloud instead of the embedded simulator")
    parser.add_argument("--client-id", help="live mode: your app registration's application (client) ID")
    parser.add_argument("--tenant", help="live mode, Exchange Online: tenant ID or domain (default: organizations)")
    parser.add_argument("--scenario", metavar="NAME",
                        help="start in a named trainer scenario on its own profile, named after it unless "
                             "--profile is given (`panel-tui scenarios` lists them)")
    parser.add_argument("--reset", action="store_true",
                        help="with --scenario: wipe the scenario's profile even if it has work in it "
                             "(jobs, status sheets, a sign-in), and reset the home's shared simulator "
                             "even if it holds a prepared tenant, sign-ins or mail")
    parser.add_argument("--sim-url", metavar="URL",
                        help="join another home's or machine's simulator (`panel-tui sim` prints its URL); "
                             "by default the home's own simulator is joined, or started in the background")
    parser.add_argument("--sim-ca", metavar="FILE",
                        help="with --sim-url: trust that simulator's CA certificate file (`panel-tui sim` names it)")
    parser.add_argument("--sim-fingerprint", metavar="SHA256",
                        help="with --sim-url: pin that simulator's CA by its SHA-256 fingerprint "
                             "(`panel-tui sim` prints it)")


def build_start_parser() -> argparse.ArgumentParser:
    """The options of a plain start (no command): no subcommand tree to build."""
    parser = argparse.ArgumentParser(prog="panel-tui", add_help=False)
    _global_options(parser)
    parser.set_defaults(command=None)
    return parser


def build_parser(full: bool = True) -> argparse.ArgumentParser:
    from panel_tui import scripting

    parser = argparse.ArgumentParser(
        prog="panel-tui",
        description="Epson printer control panel and Web Config emulator for Exchange Online OAuth 2.0 email.",
        epilog=scripting.EPILOG,
    )
    _global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start the panel (the default)")
    check = sub.add_parser("check", help="validate the menu and locale files; exit 1 on any problem")
    check.add_argument("--menus", type=Path, help="folder holding panel.toml (default: the shipped one)")
    check.add_argument("--locales", type=Path, help="folder holding en.toml and ro.toml (default: the shipped one)")
    sub.add_parser("sim", help="the home's Microsoft 365 simulator: run it in the foreground, or start, "
                               "status, stop the background one (see `panel-tui sim --help`)", add_help=False)
    sub.add_parser("classroom", help="a class: seats on one simulator, the trainer's dashboard, a report "
                   "(see `panel-tui classroom --help`)", add_help=False)
    sub.add_parser("scenarios", help="list the named starting states for trainers (--scenario NAME)")
    doctor_parser = sub.add_parser(
        "doctor", help="check a setup step by step (sign-in service, tenant, app, SMTP, settings, token); exit 0/1")
    gallery_parser = sub.add_parser(
        "gallery", help="render every screen in every language as SVG plus index.html (for reviewers)")
    guide_parser = sub.add_parser(
        "guide", help="write the Exchange Online OAuth 2.0 handout (HTML, --pdf) with the emulator's screens")
    serve_parser = sub.add_parser(
        "serve", help="serve the panel in a web browser through textual-serve (loopback by default)")
    if full:  # their options only when asked for: the panel and the other commands do not import them
        from panel_tui import gallery, guide, serve

        _doctor_options(doctor_parser)
        gallery.add_arguments(gallery_parser)
        guide.add_arguments(guide_parser)
        serve.add_arguments(serve_parser)
    scripting.add_commands(sub)
    return parser


def _doctor_options(parser: argparse.ArgumentParser) -> None:
    """The doctor's own copies of the connection options, so they may follow the command (here, not
    in panel_tui.doctor: `--help` does not import the checks' libraries)."""
    parser.add_argument("--live", action="store_true", default=argparse.SUPPRESS,
                        help="check the real Microsoft cloud (with --client-id, and --tenant if needed)")
    parser.add_argument("--client-id", default=argparse.SUPPRESS,
                        help="your app registration's application (client) ID")
    parser.add_argument("--tenant", default=argparse.SUPPRESS, help="tenant ID or domain (default: organizations)")
    parser.add_argument("--sim-url", default=argparse.SUPPRESS, help="check against a standalone simulator")
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help="the report's language")


def main(argv: list[str] | None = None) -> int:
    """Run the command line `argv` (None: this process's own, which ends when main returns).

    The one place where what a command did not handle becomes words and an exit code, so no
    command (a new one included) can end in a traceback: a reader that left (`| head -1`) ends
    it quietly, Ctrl+C says "Interrupted.", a settings file, job log or disk problem names the
    file, and anything else is reported as a bug in one line (exit 70; PANEL_TUI_DEBUG=1 shows
    the traceback)."""
    process_ends = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            return _dispatch(argv, process_ends)
        finally:  # after argparse's SystemExit (--help) too
            if process_ends:
                sys.stdout.flush()  # here, not at the interpreter's exit, where a closed pipe cannot be caught
    except BrokenPipeError:
        return _reader_left(process_ends)
    except KeyboardInterrupt:
        _say(_words(argv, "cli.interrupted"))
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - the funnel: every command's last word
        if os.environ.get(DEBUG_ENV) and not isinstance(error, OSError):
            raise
        return _report(argv, error)


def _reader_left(process_ends: bool) -> int:
    """The reader of our output went away: stop writing, quietly, as the Python docs advise
    (stdout goes to /dev/null so the interpreter's last flush cannot fail again)."""
    if process_ends:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return 1


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed too: nobody to tell
        print(text, file=sys.stderr, flush=True)


def _words(argv: list[str], key: str, **params: object) -> str:
    """`key` in the command's language (--lang, else English); English if the locale files are broken."""
    language = "en"
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            language = argv[index + 1]
        elif word.startswith("--lang="):
            language = word.partition("=")[2]
    try:
        return Translator.load(language=language).t(key, **params)
    except Exception:  # noqa: BLE001 - the locale files themselves are broken: say it anyway
        return FALLBACK_WORDS[key].format(**params)


FALLBACK_WORDS = {
    "cli.interrupted": "Interrupted.",
    "cli.storage.disk_full": "the disk is full (no space left on the device)",
    "cli.failed": "panel-tui: {problem}",
    "cli.internal_error": "panel-tui: unexpected error (a bug in panel-tui): {error}. "
                          "Run again with PANEL_TUI_DEBUG=1 to see where, and report it.",
    "job.log_unusable": "The job log cannot be used: {path}: {problem}",
    "job.repair_hint": "To move it aside and start a new job log: panel-tui jobs --repair",
    "job.disk_full_hint": "Free some disk space, then try again.",
}


def _report(argv: list[str], error: Exception) -> int:
    """An exception as a message: the file and the problem when it is about a file, else a bug."""
    from panel_tui.device.joblog import JobLogError

    if isinstance(error, JobLogError):
        _say(_words(argv, "job.log_unusable", path=error.path, problem=error.problem))
        _say(_words(argv, "job.disk_full_hint" if error.disk_full else "job.repair_hint"))
        return 1
    if isinstance(error, SettingsError):
        _say(_words(argv, "cli.failed", problem=str(error)))
        return 1
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            problem = _words(argv, "cli.storage.disk_full")
        else:
            problem = error.strerror or str(error)
        where = f"{error.filename}: " if error.filename else ""
        _say(_words(argv, "cli.failed", problem=f"{where}{problem}"))
        return 1
    _say(_words(argv, "cli.internal_error", error=f"{type(error).__name__}: {error}"))
    return EXIT_INTERNAL


FILE_OPTIONS = ("sim_ca", "menus", "locales", "out", "compare")  # options naming a file or folder


def _check_file_names(argv: list[str], args: argparse.Namespace) -> None:
    """A usage error (exit 2) for a file name no system can open (NUL, control characters, too long)."""
    for name in FILE_OPTIONS:
        value = getattr(args, name, None)
        if value is None:
            continue
        try:
            validate_attachment_path(str(value))
        except FieldError as error:
            build_parser(full=False).error(_words(argv, "cli.bad_file_option", option="--" + name.replace("_", "-"),
                                                  path=shown_value(str(value)),
                                                  rule=_words(argv, error.key, **error.params)))


def _check_profile(profile: str) -> None:
    """A usage error (exit 2) for a --profile that cannot name a folder, before any command uses it."""
    try:
        validate_profile_name(profile)
    except ValueError as error:
        build_parser(full=False).error(f"argument --profile: {error}")


def _check_host(argv: list[str], host: str) -> None:
    """A usage error (exit 2) for a --host nobody can listen on: "", "..", "../../x", U+202E ..."""
    try:
        validate_listen_host(host)
    except FieldError as error:
        build_parser(full=False).error(
            _words(argv, "cli.bad_host", host=shown_value(host), rule=_words(argv, error.key, **error.params)))


def _dispatch(argv: list[str], process_ends: bool) -> int:
    own = _dispatch_own_options(argv)
    if own is not None:
        return own
    args = _parse(argv)
    if args.command in SCRIPT_COMMANDS:
        return _run_script_command(args, process_ends)
    return _run_command(argv, args)


def _dispatch_own_options(argv: list[str]) -> int | None:
    """`sim` and `classroom` take their own options: split them off before the main parser sees
    them and run the command (its exit code); None for any other command."""
    for index, word in enumerate(argv):
        if word == "sim":
            from panel_tui.sim.cli import main as sim_main

            return sim_main(argv[index + 1:], data_dir=simulator_dir())
        if word == "classroom":
            from panel_tui.classroom_command import main as classroom_main

            return classroom_main(argv[index + 1:], lang=build_start_parser().parse_args(argv[:index]).lang)
        if not word.startswith("-") and word in COMMANDS:
            break
    return None


def _parse(argv: list[str]) -> argparse.Namespace:
    """The arguments of a plain start or a command, checked (a usage error exits 2)."""
    args, rest = build_start_parser().parse_known_args(argv)
    if rest or args.command is None and set(argv) & {*COMMANDS, "-h", "--help"}:
        # A command, help or a mistake: the full parser (it explains mistakes).
        full = bool({"gallery", "guide", "serve", "doctor", "-h", "--help"} & set(argv))
        args = build_parser(full=full).parse_args(argv)
    # A scenario starts on its own profile: never on (and never wiping) the default one unasked.
    args.profile = args.profile or (args.scenario if args.scenario and args.command in (None, "run") else "default")
    if (args.sim_ca or args.sim_fingerprint) and not args.sim_url:
        build_parser(full=False).error(
            "--sim-ca and --sim-fingerprint trust the simulator named by --sim-url; give its URL too")
    _check_file_names(argv, args)
    if args.scenario is not None and not args.scenario.strip():  # not a plain start in disguise
        build_parser(full=False).error("argument --scenario: give a scenario's name (`panel-tui scenarios` lists them)")
    _check_profile(args.profile)
    return args


def _run_script_command(args: argparse.Namespace, process_ends: bool) -> int:
    from panel_tui import scripting

    if process_ends and args.command != "signin":  # signin waits minutes for a person: it collects
        gc.disable()  # a command of a second or less: its garbage goes with the process
    try:
        return scripting.run(args)
    finally:
        if process_ends:
            # Its last garbage collections would walk every object of msal, requests and
            # aiosmtplib (~20 ms); frozen ones are skipped. Nothing is lost: the command saved
            # and closed what it uses, and atexit handlers still run.
            gc.freeze()


def _run_command(argv: list[str], args: argparse.Namespace) -> int:
    """A command other than the scripting ones, or the panel (no command, or `run`)."""
    if args.command == "check":
        from panel_tui.assembly import check_command

        return check_command(args.menus, args.locales)
    if args.command == "gallery":
        from panel_tui import gallery

        return gallery.command(args)
    if args.command == "guide":
        from panel_tui import guide

        return guide.command(args)
    if args.command == "serve":
        from panel_tui import serve

        _check_host(argv, args.host)
        return serve.command(args)
    if args.command == "doctor":
        from panel_tui.doctor import command as doctor_command

        return doctor_command(args)
    if args.command == "scenarios":
        from panel_tui.scenarios import print_scenarios

        return print_scenarios(args.lang, args.profile)
    from panel_tui.assembly import backend_options, run_panel

    return run_panel(args.profile, args.lang, backend_options(args), args.scenario, reset=args.reset)
