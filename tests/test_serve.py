"""`panel-tui serve`: the panel in a real headless Chromium through textual-serve, on loopback.

Chromium comes from Debian (``apt-get install chromium``) and is driven by Playwright for
Python through ``executable_path``, as in tests/sim/test_browser.py; without it the browser
test is skipped with that instruction as the reason. The terminal is drawn on a canvas, so
the test reads what the panel sent to the page over its websocket (the bytes xterm.js
draws) and checks that the page's terminal received them.
"""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import os
import re
import selectors
import shlex
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from rich.cells import cell_len

from panel_tui import serve
from panel_tui.ui import glyphs
from panel_tui.ui.sim_catalog import _oauth_settings
from panel_tui.ui.webconfig.signin_screen import SignInWithMicrosoftScreen
from tests.helpers.processes import ANSI, CHROMIUM_ARGS, chromium_path, stop_home_simulator
from tests.helpers.textual_internals import rendered_strips

HOME_WORD = {"en": "Settings", "ro": "Setări"}
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


@contextmanager
def serving(home: Path, lang: str):
    """`python -m panel_tui.serve` on a free loopback port with PANEL_TUI_HOME=`home`; yields its URL."""
    port = _free_port()
    env = {**os.environ, "PANEL_TUI_HOME": str(home), "TEXTUAL_ANIMATIONS": "none"}
    process = subprocess.Popen(
        [sys.executable, "-m", "panel_tui.serve", "--port", str(port), "--lang", lang],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
        cwd=Path(__file__).parents[1],
    )
    try:
        _wait_for_line(process, "Ctrl+C", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        stop_home_simulator(home)  # the served panel started the home's simulator


@pytest.fixture
def served(tmp_path, request):
    """The served panel with its own PANEL_TUI_HOME, in the language of the test's parameter."""
    lang = request.param
    with serving(tmp_path / "home", lang) as url:
        yield url, lang


@pytest.mark.browser
@pytest.mark.parametrize("served", ["en", "ro"], indirect=True)
def test_the_panel_home_screen_appears_in_a_browser(served, tmp_path):
    url, lang = served
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: pip install playwright")
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


@pytest.mark.browser
@pytest.mark.parametrize("served", ["en"], indirect=True)
def test_keys_typed_before_any_click_reach_the_panel(served):
    """A trainer types at once (J for Job/Status) without clicking the page first: the panel gets it."""
    url, lang = served
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: pip install playwright")
    received: list[bytes] = []

    def terminal_text() -> str:
        return ANSI.sub("", b"".join(received).decode("utf-8", "replace"))

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(
                payload if isinstance(payload, bytes) else payload.encode("utf-8"))))
            with page.expect_websocket(timeout=30_000) as opened:
                page.goto(url)
            ws = opened.value
            page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=60_000)
            if HOME_WORD[lang] not in terminal_text():
                ws.wait_for_event("framereceived", predicate=lambda _: HOME_WORD[lang] in terminal_text(),
                                  timeout=60_000)
            page.keyboard.press("j")  # no click on the page before
            ws.wait_for_event("framereceived", predicate=lambda _: "No jobs yet" in terminal_text()
                              or "Job Status" in terminal_text(), timeout=30_000)
        finally:
            browser.close()
    assert "Job Status" in terminal_text()


def test_loopback_is_the_default_and_other_hosts_need_the_printed_key(monkeypatch, capsys):
    served = []

    class FakeServer:
        def __init__(self, host, access, announce):
            self.host, self.page, self.announce = host, access[1], announce

        def serve(self):
            served.append(self)
            print(self.announce)

    monkeypatch.setattr(serve, "make_server",
                        lambda command, host, port, access, announce: FakeServer(host, access, announce))
    assert serve.serve(command="true") == 0
    out = capsys.readouterr()
    assert served[0].host == "127.0.0.1" and served[0].page.key is None and out.err == ""
    assert "http://127.0.0.1:8000/\n" in out.out
    assert serve.serve("192.0.2.7", 8000, command="true") == 0  # a fake server: nothing listens
    out = capsys.readouterr()
    key = served[1].page.key
    assert key and len(key) >= 32
    assert f"http://192.0.2.7:8000/?key={key}" in out.out  # the address students use, with its key
    assert "only the browser that opens the address above" in out.err
    assert serve.serve("127.0.0.1", 0, command="true") == 2


def test_the_panel_command_is_quoted_word_by_word():
    command = serve.panel_command(profile="room 12;rm -rf x", lang="ro", sim_url="https://127.0.0.1:8443/?a=$b")
    words = shlex.split(command)
    assert words[:3] == [sys.executable, "-m", "panel_tui"]
    assert words[3:] == ["--profile", "room 12;rm -rf x", "--lang", "ro", "--sim-url", "https://127.0.0.1:8443/?a=$b"]


def test_the_served_page_links_nothing_outside(tmp_path):
    """The page template without textual-serve's web font link (the browser test loads it for real)."""
    pytest.importorskip("textual_serve", reason="textual-serve is missing: pip install textual-serve")
    server = serve.make_server("true", "127.0.0.1", 8000)

    async def page() -> tuple[int, str]:
        async with TestClient(TestServer(await server._make_app())) as client:
            reply = await client.get("/")
            return client.port, await reply.text()

    port, text = asyncio.run(page())
    assert "googleapis" not in text
    # the Host the browser asked for (the test client's), not the port the server was told
    assert re.findall(r"(?:href|src)=\"(https?://[^\"]+)\"", text) == [
        f"http://127.0.0.1:{port}/static/css/xterm.css", f"http://127.0.0.1:{port}/static/js/textual.js"]


# -- what the browser draws equals what the app draws -----------------------------------------

# textual.js keeps its xterm.js Terminal in a closure; the test's copy of the script (routed
# through Playwright, nothing changed on disk) also leaves it on `window` to read its buffer.
_EXPOSE_TERMINAL = ("this.terminal.open(e),", "this.terminal.open(e),window.panelTerminal=this.terminal,")
_BUFFER_LINES = """() => { const t = window.panelTerminal, b = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) lines.push(b.getLine(b.viewportY + y).translateToString(false));
  return lines; }"""
# Cell by cell: the second cell of a wide character is NUL. A character the browser's terminal
# counts one cell wide and the app two (☰ before Unicode 16) moves the rest of its line.
WIDE_TAIL = "\0"
_BUFFER_CELLS = """() => { const t = window.panelTerminal, b = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y); let text = '';
    for (let x = 0; x < t.cols; x++) {
      const cell = line.getCell(x);
      text += cell.getWidth() === 0 ? '\\0' : (cell.getChars() || ' ');
    }
    lines.push(text);
  }
  return lines; }"""
# The screenshot's pixels inside each blank cell (1 px in from its edges) against the colour the
# app gave that cell: a stray block, or a line drawn one cell off, leaves other colours there.
_CELLS_OFF_COLOUR = """async ([png, cells, cols, rows]) => {
  const image = new Image(); image.src = 'data:image/png;base64,' + png; await image.decode();
  const canvas = document.createElement('canvas'); canvas.width = image.width; canvas.height = image.height;
  const g = canvas.getContext('2d'); g.drawImage(image, 0, 0);
  const r = document.querySelector('.xterm-screen').getBoundingClientRect();
  const cw = r.width / cols, ch = r.height / rows, off = [];
  for (const [x, y, rgb] of cells) {
    const x0 = Math.ceil(r.left + x * cw) + 1, y0 = Math.ceil(r.top + y * ch) + 1;
    const x1 = Math.floor(r.left + (x + 1) * cw) - 1, y1 = Math.floor(r.top + (y + 1) * ch) - 1;
    const d = g.getImageData(x0, y0, x1 - x0, y1 - y0).data;
    let worst = 0;
    for (let i = 0; i < d.length; i += 4)
      worst = Math.max(worst, Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]));
    if (worst > 24) off.push([x, y, worst]);
  }
  return off; }"""


class AppScreen:
    """One screen as the app itself draws it in a Pilot: text lines and the colour of each blank cell."""

    def __init__(self, strips, masks=()) -> None:
        self.lines = ["".join(char + WIDE_TAIL * (cell_len(char) - 1) for char in strip.text) for strip in strips]
        self.blank_cells: list[tuple[int, int, tuple[int, int, int]]] = []
        for y, strip in enumerate(strips):
            x = 0
            for segment in strip:
                style = segment.style
                for char in segment.text:
                    if (char == " " and style is not None and style.bgcolor is not None
                            and not (style.reverse or style.underline or style.strike or style.overline)):
                        self.blank_cells.append((x, y, tuple(style.bgcolor.get_truecolor())))
                    x += cell_len(char)
        self.masks = list(masks)  # regions whose text changes by itself (a code, a countdown)
        self.masked = {(x, y) for region in self.masks
                       for y in range(region.y, region.bottom) for x in range(region.x, region.right)}
        self.blank_cells = [cell for cell in self.blank_cells if cell[:2] not in self.masked]
        self.tabs = 0

    def comparable(self, lines: list[str]) -> list[str]:
        """`lines` (one character a cell) without what differs between two runs: the clock's digits
        and the masked regions."""
        out = []
        for y, line in enumerate(lines):
            if y == 0:
                line = re.sub(r"\d", "0", line)  # the status bar's clock
            for region in self.masks:
                if region.y <= y < region.bottom:
                    line = line[:region.x] + " " * region.width + line[region.right:]
            out.append(line.rstrip())
        return out


def app_screen(make_app, lang: str, size: tuple[int, int], steps=None, start_backend: bool = False) -> AppScreen:
    """Run the app in a Pilot at `size` (in a thread: Playwright's loop runs in this one), then `steps`."""
    found: dict = {}

    async def run() -> None:
        app = make_app(lang, start_backend=start_backend)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            masks, tabs = (await steps(pilot)) if steps else ((), 0)
            await pilot.pause()
            found["screen"] = AppScreen(rendered_strips(app.screen), masks)
            found["screen"].tabs = tabs

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            found["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=120)
    if "error" in found:
        raise found["error"]
    assert "screen" in found, "the Pilot did not finish within 120 s"
    return found["screen"]


async def _to_the_sign_in_code(pilot):
    """Web Config (W), Tab to Sign In, Enter, Enter on "Sign in with Microsoft": the code step.

    Returns the regions that change by themselves (the code, the countdown) and the Tabs taken."""
    app = pilot.app
    await pilot.press("w")
    await pilot.pause()
    chain = app.screen.focus_chain
    tabs = chain.index(app.screen.query_one("#email_server-signin")) - chain.index(app.focused)
    await pilot.press(*["tab"] * tabs, "enter")
    await pilot.pause()
    modal = app.screen
    assert isinstance(modal, SignInWithMicrosoftScreen)
    await pilot.press("enter")
    await pilot.pause()
    await modal.code_request.wait()
    await pilot.pause()
    assert modal.query_one("#signin-code-step").display
    return [modal.query_one(f"#signin-{name}").region for name in ("code", "countdown")], tabs


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "viewport"), [("en", (1280, 800)), ("ro", (740, 450))],
                         ids=["en-142x44", "ro-82x25"])  # each language, each size (a browser is costly)
def test_the_browser_draws_what_the_app_draws(make_app, panel_home, tmp_path, lang, viewport):
    """Home and Web Config's sign-in code, served to headless Chromium: xterm.js's cells hold the
    very text the app drew at the same size (no "eenter the code", nothing between the tiles),
    and the screenshot shows the app's colour in every blank cell (no stray blocks)."""
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: pip install playwright")
    # OAuth2 applied, as after the guide's first steps: Web Config shows Sign In.
    app = make_app(lang)
    app.printer.update(dataclasses.replace(app.printer.settings,
                                           email_server=_oauth_settings(app).email_server))
    t = app.t
    glyphs.use(glyphs.UNICODE)
    focused_tile = f"{glyphs.glyph('focus_left')}{t('menu.scan')}{glyphs.glyph('focus_right')}"
    open_url = t("webconfig.signin.open_url")

    def expose_terminal(route) -> None:
        reply = route.fetch()
        route.fulfill(response=reply, body=reply.text().replace(*_EXPOSE_TERMINAL))

    with serving(panel_home, lang) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.route("**/static/js/textual.js", expose_terminal)
            page.goto(url)
            page.wait_for_function("window.panelTerminal && document.body.classList.contains('-first-byte')",
                                   timeout=30_000)

            def lines() -> list[str]:
                return page.evaluate(_BUFFER_LINES)

            def wait_for(text: str, timeout: float = 60) -> None:
                try:
                    page.wait_for_function(f"({_BUFFER_LINES})().join('\\n').includes({text!r})",
                                           timeout=timeout * 1000)
                except sync_api.TimeoutError:
                    pytest.fail(f"{text!r} not on the browser's terminal within {timeout} s:\n" + "\n".join(lines()))

            def compare(screen: AppScreen, name: str) -> None:
                png = page.screenshot(path=str(tmp_path / f"serve-{name}-{lang}.png"))
                assert screen.comparable(page.evaluate(_BUFFER_CELLS)) == screen.comparable(screen.lines)
                off = page.evaluate(_CELLS_OFF_COLOUR, [base64.b64encode(png).decode(), screen.blank_cells,
                                                        size[0], size[1]])
                assert off == [], f"blank cells drawn in another colour (x, y, difference): {off[:20]}"

            wait_for(t("menu.scan"))  # Home is drawn
            # Keys reach the app through xterm.js's own text area (a click would tap a tile); the
            # app focuses its tiles when the terminal gains focus.
            page.focus(".xterm-helper-textarea")
            wait_for(focused_tile)
            size = tuple(page.evaluate("[window.panelTerminal.cols, window.panelTerminal.rows]"))
            compare(app_screen(make_app, lang, size), "home")

            # The same steps in a Pilot joined to the served home's simulator give the reference.
            signin = app_screen(make_app, lang, size, steps=_to_the_sign_in_code, start_backend=True)
            page.keyboard.press("w")
            wait_for(t("webconfig.signin_button"))
            for _ in range(signin.tabs):
                page.keyboard.press("Tab")
            dialog_word = t("webconfig.signin.intro").split()[-1]  # the dialog's first step ("... Accept.")
            assert dialog_word not in "\n".join(lines())
            page.keyboard.press("Enter")
            wait_for(dialog_word)
            page.keyboard.press("Enter")
            wait_for("/devicelogin")  # the code step (its words may wrap)
            text = "\n".join(lines())
            assert text.count(" ".join(open_url.split()[:3])) == 1, text
            if lang == "en":
                assert text.count("enter the code") == 1 and "eenter" not in text, text
            compare(signin, "signin")
        finally:
            browser.close()
