"""`panel-tui classroom start | status | stop` as a trainer types them: the simulator and the
web process are detached, every seat's page and the dashboard answer on loopback, the
passwords are printed once and nowhere else, and `stop` ends both processes (by pid)."""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from panel_tui.classroom.processes import pid_alive
from panel_tui.sim import service
from tests.helpers.processes import ANSI, CHROMIUM_ARGS, chromium_path

ROOT = Path(__file__).resolve().parents[1]


def _run(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANEL_TUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "panel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


def _kill(pid) -> None:
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)


def _page_text(browser, url: str, word: str) -> str:
    """What the page's terminal received (escape sequences removed), once `word` arrived."""
    received: list[bytes] = []

    def text() -> str:
        return ANSI.sub("", b"".join(received).decode("utf-8", "replace"))

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(
        payload if isinstance(payload, bytes) else payload.encode("utf-8"))))
    with page.expect_websocket(timeout=30_000) as opened:
        page.goto(url)
    if word not in text():
        opened.value.wait_for_event("framereceived", predicate=lambda _: word in text(), timeout=60_000)
    page.close()
    return text()


def _in_browser(urls: list[str], words: list[str]) -> list[str]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            return [_page_text(browser, url, word) for url, word in zip(urls, words, strict=True)]
        finally:
            browser.close()


def test_start_status_stop(panel_home):
    class_file = panel_home / "data" / "@classroom" / "class.json"
    try:
        started = _run(panel_home, "classroom", "start", "--seats", "2", "--lang", "ro")
        assert started.returncode == 0, started.stderr
        out = started.stdout
        assert "Sala de curs a pornit: 2 locuri" in out
        lines = {m.group(1): m.group(0) for m in re.finditer(r"^(seat0[12]) .*$", out, re.M)}
        assert set(lines) == {"seat01", "seat02"}
        assert "panel-tui --profile seat01" in lines["seat01"]
        passwords = json.loads((panel_home / "data" / "@classroom" / "passwords.json").read_text())
        for seat, line in lines.items():
            assert passwords[seat] in line  # printed once, here
        urls = {seat: re.search(r"http://127\.0\.0\.1:\d+/", line).group(0) for seat, line in lines.items()}
        dashboard = re.search(r"http://127\.0\.0\.1:\d+/", out.split("\n\n")[-1]).group(0)
        for url in [*urls.values(), dashboard]:
            with urllib.request.urlopen(url, timeout=20) as response:  # textual-serve's page
                assert response.status == 200
                assert b"textual" in response.read().lower()
        # in a browser: the dashboard and a seat's panel, in the class's language
        seen = _in_browser([dashboard, urls["seat01"]], ["Sală de curs: 2 locuri", "Setări"])
        assert "seat01" in seen[0] and "seat02" in seen[0]

        status = _run(panel_home, "classroom", "status")
        assert status.returncode == 0, status.stderr
        assert "simulator: pornit   web: pornit" in status.stdout  # the class's language
        assert status.stdout.count("pași 0/7") == 2
        for password in passwords.values():
            assert password not in status.stdout + status.stderr

        roster = json.loads(class_file.read_text())
        assert pid_alive(roster["sim_pid"]) and pid_alive(roster["web_pid"])
        # The simulator's control secret stays in its 0600 file: never in the class's logs.
        secret = (panel_home / "simulator" / "control-secret").read_text().strip()
        assert secret
        for log in (panel_home / "data" / "@classroom").glob("*.log"):
            assert secret not in log.read_text(errors="replace"), log
        stopped = _run(panel_home, "classroom", "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert not pid_alive(roster["sim_pid"]) and not pid_alive(roster["web_pid"])
        again = _run(panel_home, "classroom", "start", "--seats", "2", "--no-serve")
        assert again.returncode == 0, again.stderr  # the mailboxes exist: new passwords, same seats
        assert "seat02@" in again.stdout
    finally:
        if class_file.exists():
            roster = json.loads(class_file.read_text())
            _kill(roster.get("web_pid"))
            _kill(roster.get("sim_pid"))


def test_status_after_stop_starts_nothing(panel_home):
    sim_dir = panel_home / "simulator"
    class_file = panel_home / "data" / "@classroom" / "class.json"
    try:
        started = _run(panel_home, "classroom", "start", "--seats", "2", "--no-serve")
        assert started.returncode == 0, started.stderr
        assert _run(panel_home, "classroom", "stop").returncode == 0
        assert not service.is_serving(sim_dir)
        status = _run(panel_home, "classroom", "status")
        assert status.returncode == 0, status.stderr
        assert not service.is_serving(sim_dir) and service.RuntimeInfo.read(sim_dir) is None
        assert "simulator: ended   web: ended" in status.stdout
        assert status.stdout.count("steps –/7") == 2  # not read: the simulator is not running
        assert status.stdout.count("idle –") == 2  # untouched seats: no activity (reading them is none)
    finally:
        if class_file.exists():
            roster = json.loads(class_file.read_text())
            _kill(roster.get("web_pid"))
            _kill(roster.get("sim_pid"))
