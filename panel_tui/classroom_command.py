"""`panel-tui classroom [dashboard | start | stop | status | link | report]`: above the UI (the dashboard is a
Textual App), while the classroom package below it holds the class itself."""
from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from panel_tui.classroom.processes import pid_alive, simulator_fingerprint
from panel_tui.classroom.progress import SeatHandles, read_rows, simulator_serving, since
from panel_tui.classroom.report import write_report
from panel_tui.classroom.roster import ClassRoster, class_dir, load_keys, save_keys
from panel_tui.classroom.seats import ClassError, start_class, stop_class
from panel_tui.device.validation import FieldError, shown_value, validate_listen_host
from panel_tui.i18n import LANGUAGES, Translator
from panel_tui.lesson import STEPS
from panel_tui.scenarios import ScenarioError
from panel_tui.web_access import needs_key, new_key


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="panel-tui classroom",
        description="A class at once: seats on one simulator, the trainer's dashboard, a report.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=LANGUAGES,
                        help="language (start: the class's, for seats, dashboard and report)")
    parser.add_argument("--lang", choices=LANGUAGES, dest="top_lang", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("dashboard", parents=[common], help="the trainer's dashboard (the default)")
    start = sub.add_parser("start", parents=[common],
                           help="start a class: one simulator, N seats with their own mailboxes")
    start.add_argument("--seats", type=int, required=True, help="number of seats (profiles seat01..seatNN)")
    start.add_argument("--host", default="127.0.0.1", help="address the simulator and the seats' web pages listen on")
    start.add_argument("--scenario", metavar="NAME", help="start every seat in this scenario")
    start.add_argument("--no-serve", action="store_true", help="no web pages for the seats (SSH only)")
    sub.add_parser("stop", parents=[common], help="stop the class's web server and simulator")
    sub.add_parser("status", parents=[common], help="list the seats, their progress and the class's processes")
    link = sub.add_parser("link", parents=[common],
                          help="a new join link for one page (beyond loopback): the old one stops working")
    link.add_argument("page", metavar="SEAT", help="seat01 ... or dashboard")
    report = sub.add_parser("report", parents=[common],
                            help="write report.csv and report.html (steps, failures, times)")
    report.add_argument("--out", type=Path, required=True, help="folder for the report (created)")
    return parser


def main(argv: list[str], lang: str | None = None) -> int:
    args = build_parser().parse_args(argv)
    action = args.action or "dashboard"
    roster = ClassRoster.load()
    language = getattr(args, "lang", None) or args.top_lang or lang or (roster.lang if roster else "en")
    t = Translator.load(language=language).t
    if action == "start":
        try:
            validate_listen_host(args.host)
        except FieldError as error:  # as `serve --host`: a usage error with the rule, nothing started
            build_parser().error(t("cli.bad_host", host=shown_value(args.host), rule=t(error.key, **error.params)))
        return _start(args, language, t)
    if roster is None:
        print(t("classroom.no_class"), file=sys.stderr)
        return 1
    if action == "stop":
        stop_class()
        print(t("classroom.stopped"))
        return 0
    if action == "status":
        return _status(roster, t)
    if action == "link":
        return _link(roster, args.page, t)
    if action == "report":
        csv_path, html_path = write_report(roster, args.out, language)
        print(t("classroom.report.written", csv=csv_path, html=html_path))
        return 0
    from panel_tui.ui.classroom_screen import ClassroomApp

    ClassroomApp(roster, language).run()
    return 0


def _start(args, lang: str, t) -> int:
    if needs_key(args.host):
        print(t("classroom.warn_host", host=args.host), file=sys.stderr)
    try:
        roster, passwords = start_class(args.seats, host=args.host, lang=lang, scenario=args.scenario,
                                        serve=not args.no_serve)
    except (ClassError, ScenarioError, ValueError) as error:
        print(f"panel-tui classroom: {error}", file=sys.stderr)
        return 1
    print(t("classroom.started", seats=len(roster.seats), sim_url=roster.sim_url))
    if needs_key(args.host):  # students' browsers reach the simulator's pages: they must trust its CA
        fingerprint = simulator_fingerprint()
        if fingerprint:
            print(t("classroom.ca_page", url=f"{roster.sim_url}/ca", fingerprint=fingerprint))
    print(t("classroom.passwords_once", path=class_dir() / "passwords.json"))
    print()
    print(t("classroom.join_header"))
    extra = f" --sim-url {roster.seat_sim_url()}" if roster.seat_sim_url() else ""
    home = os.environ.get("PANEL_TUI_HOME")
    prefix = f"PANEL_TUI_HOME={shlex.quote(home)} " if home else ""  # the seat's profile lives in this home
    keys = load_keys()
    for seat in roster.seats:
        url = roster.url(seat.port, keys.get(seat.name)) or ""
        command = prefix + t("classroom.join_ssh", seat=seat.name) + extra
        print(f"{seat.name:<8} {seat.upn:<37} {passwords[seat.name]:<24} {command}  {url}".rstrip())
    print()
    print(t("classroom.dashboard", url=roster.url(roster.dashboard_port, keys.get("dashboard")) or "–"))
    return 0


def _link(roster, page: str, t) -> int:
    """A new key for one page of a running class beyond loopback; prints its join URL once."""
    ports = {seat.name: seat.port for seat in roster.seats} | {"dashboard": roster.dashboard_port}
    if page not in ports:
        print(t("classroom.link_unknown", page=page, pages=", ".join(ports)), file=sys.stderr)
        return 2
    keys = load_keys()
    if not needs_key(roster.host) or not pid_alive(roster.web_pid) or page not in keys:
        print(t("classroom.link_not_needed"), file=sys.stderr)
        return 1
    keys[page] = new_key()
    save_keys(keys)
    print(t("classroom.link_new", page=page, url=roster.url(ports[page], keys[page])))
    return 0


def _status(roster, t) -> int:
    """The class's processes and each seat's row; starts nothing (a stopped class stays stopped)."""
    serving = simulator_serving(roster)
    sim = t("classroom.running") if serving else t("classroom.ended")
    web = t("classroom.running") if pid_alive(roster.web_pid) else t("classroom.ended")
    print(t("classroom.status.processes", sim=sim, web=web))
    handles = SeatHandles(roster)
    try:
        rows = read_rows(roster, handles, simulator=serving)
    finally:
        handles.close()
    for seat, row in zip(roster.seats, rows, strict=True):
        glyph, _ = row.job_glyph
        job = f"{glyph} {row.job_code}" if row.job_code else glyph
        url = roster.url(seat.port) if pid_alive(roster.web_pid) else None
        done = row.steps_done if serving else "–"  # the tenant's steps are read from the simulator
        line = t("classroom.status.line", seat=row.seat, upn=row.upn, done=done, total=len(STEPS),
                 job=job, idle=since(row.last_activity))
        print(f"{line}  {url}" if url else line)
    return 0
