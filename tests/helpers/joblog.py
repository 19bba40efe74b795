"""Arranging a job log as another process left it."""
from __future__ import annotations

import sqlite3
import subprocess
import sys


def orphan_running_jobs(db_path) -> int:
    """Make the running jobs look like a crashed process's: owned by a pid that has exited."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead_pid = int(finished.stdout)
    with sqlite3.connect(db_path) as conn:
        return conn.execute("UPDATE jobs SET owner_pid = ? WHERE result = 'running'", (dead_pid,)).rowcount
