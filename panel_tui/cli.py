"""Command line: `panel-tui` starts the panel; subcommands for the simulator and data checks."""
from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="panel-tui", description=__doc__)
    parser.add_argument("--profile", default="default", help="emulated printer profile name")
    parser.add_argument("--lang", choices=["en", "ro"], help="panel language for this run (persists)")
    sub = parser.add_subparsers(dest="command")
    sim = sub.add_parser("sim", help="run the embedded Microsoft 365 simulator alone", add_help=False)
    sim.add_argument("sim_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["sim"]:
        from panel_tui.device.paths import simulator_dir
        from panel_tui.sim.cli import main as sim_main

        return sim_main(argv[1:], data_dir=simulator_dir())
    parser = build_parser()
    args = parser.parse_args(argv)
    parser.print_help()
    return 0
