"""A scriptable command run as the program collects no garbage (it lives a second or less) and
freezes its objects before the interpreter ends, so the final collections skip msal's, requests'
and aiosmtplib's; called in-process (tests, the classroom) it leaves the garbage collector alone."""
from __future__ import annotations

import gc
import os
import subprocess
import sys

from panel_tui.cli import main

AS_THE_PROGRAM = """
import atexit, gc, sys
atexit.register(lambda: print("frozen" if gc.get_freeze_count() else "not frozen",
                              "collecting" if gc.isenabled() else "not collecting", flush=True))
sys.argv = ["panel-tui", "jobs", "--json"]
from panel_tui.cli import main
raise SystemExit(main())
"""


def test_a_command_run_as_the_program_ends_with_its_objects_frozen(panel_home):
    done = subprocess.run([sys.executable, "-c", AS_THE_PROGRAM], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PANEL_TUI_HOME": str(panel_home)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "frozen not collecting"


def test_a_command_called_in_process_leaves_the_garbage_collector_alone(capsys):
    before = gc.get_freeze_count()
    assert main(["jobs", "--json"]) == 0
    assert gc.get_freeze_count() == before and gc.isenabled()
