"""`panel-tui serve`: the panel in a real headless Chromium through textual-serve, on loopback.

Chromium comes from Debian (``apt-get install chromium``) and is driven by Playwright for
Python through ``executable_path``, as in tests/sim/test_browser.py; without it the browser
test is skipped with that instruction as the reason. The terminal is drawn on a canvas, so
the test reads what the panel sent to the page over its websocket (the bytes xterm.js
draws) and checks that the page's terminal received them.
"""
from __future__ import annotations

import os
import re
import selectors
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from panel_tui import serve
from tests.conftest import chromium_path, stop_home_simulator

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # nothing but loopback, whatever the page asks for
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
HOME_WORD = {"en": "Settings", "ro": "Setări"}
ANSI = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[()][0-9A-Za-z]|.)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_line(process: subprocess.Popen, needle: str, timeout: float) -> str:
    """Read the server's output until `needle` appears (bounded); the output so far otherwise fails."""
    seen = ""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while needle not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or process.poll() is not None:
                pytest.fail(f"`panel-tui serve` did not announce itself within {timeout} s:\n{seen}")
            if selector.select(timeout=left):
                chunk = os.read(process.stdout.fileno(), 4096).decode("utf-8", "replace")
                if not chunk:
                    process.wait(timeout=5)
                    continue
                seen += chunk
    return seen


@pytest.fixture
def served(tmp_path, request):
    """`python -m panel_tui.serve` on a free loopback port, with its own PANEL_TUI_HOME."""
    lang = request.param
    port = _free_port()
    env = {**os.environ, "PANEL_TUI_HOME": str(tmp_path / "home"), "TEXTUAL_ANIMATIONS": "none"}
    process = subprocess.Popen(
        [sys.executable, "-m", "panel_tui.serve", "--port", str(port), "--lang", lang],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=Path(__file__).parents[1],
    )
    try:
        _wait_for_line(process, "Press Ctrl+C", timeout=60)
        yield f"http://127.0.0.1:{port}", lang
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        stop_home_simulator(tmp_path / "home")  # the served panel started the home's simulator


@pytest.mark.browser
@pytest.mark.parametrize("served", ["en", "ro"], indirect=True)
def test_the_panel_home_screen_appears_in_a_browser(served, tmp_path):
    url, lang = served
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is missing: pip install playwright")
    word = HOME_WORD[lang]
    received: list[bytes] = []
    requested: list[str] = []

    def terminal_text() -> str:
        return ANSI.sub("", b"".join(received).decode("utf-8", "replace"))

    def on_websocket(ws) -> None:
        ws.on("framereceived", lambda payload: received.append(
            payload if isinstance(payload, bytes) else payload.encode("utf-8")))

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requested.append(r.url))
            page.on("websocket", on_websocket)
            with page.expect_websocket(timeout=30_000) as opened:
                page.goto(url)
            ws = opened.value
            if word not in terminal_text():
                ws.wait_for_event("framereceived", predicate=lambda _: word in terminal_text(), timeout=60_000)
            # the page's terminal took the bytes and drew them
            page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=30_000)
            assert page.locator(".textual-terminal .xterm-screen").count() == 1
            page.screenshot(path=str(tmp_path / f"serve-{lang}.png"))
        finally:
            browser.close()
    assert word in terminal_text()
    outside = [u for u in requested if not u.startswith((url, url.replace("http", "ws", 1), "data:"))]
    assert outside == []  # the page fetched nothing from outside this host


def test_loopback_is_the_default_and_other_hosts_are_warned(monkeypatch, capsys):
    served = []

    class FakeServer:
        def __init__(self, host):
            self.host = host

        def serve(self):
            served.append(self.host)

    monkeypatch.setattr(serve, "make_server", lambda command, host, port: FakeServer(host))
    assert serve.serve(command="true") == 0
    assert served == ["127.0.0.1"] and capsys.readouterr().err == ""
    assert serve.serve("192.0.2.7", 8000, command="true") == 0  # a fake server: nothing listens
    assert "not loopback" in capsys.readouterr().err
    assert serve.serve("127.0.0.1", 0, command="true") == 2


def test_the_panel_command_is_quoted_word_by_word():
    command = serve.panel_command(profile="room 12;rm -rf x", lang="ro", sim_url="https://127.0.0.1:8443/?a=$b")
    words = shlex.split(command)
    assert words[:3] == [sys.executable, "-m", "panel_tui"]
    assert words[3:] == ["--profile", "room 12;rm -rf x", "--lang", "ro", "--sim-url", "https://127.0.0.1:8443/?a=$b"]


def test_the_served_page_links_nothing_outside(tmp_path):
    """The page template without textual-serve's web font link (the browser test loads it for real)."""
    pytest.importorskip("textual_serve", reason="textual-serve is missing: pip install textual-serve")
    import asyncio

    server = serve.make_server("true", "127.0.0.1", 8000)

    async def page() -> str:
        from aiohttp.test_utils import TestClient, TestServer

        async with TestClient(TestServer(await server._make_app())) as client:
            reply = await client.get("/")
            return await reply.text()

    text = asyncio.run(page())
    assert "googleapis" not in text
    assert re.findall(r"(?:href|src)=\"(https?://[^\"]+)\"", text) == [
        "http://127.0.0.1:8000/static/css/xterm.css", "http://127.0.0.1:8000/static/js/textual.js"]
