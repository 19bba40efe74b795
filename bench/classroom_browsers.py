"""The students' browsers of bench/classroom.py: one headless Chromium, one context per student,
run inside the test network's namespace (`ip netns exec NS python bench/classroom_browsers.py`).

Reads JSON lines on stdin, answers JSON lines on stdout (each command runs as its own task):

    {"cmd": "join", "seat": "seat01", "url": "http://ADDR:PORT/?key=...", "timeout": seconds}
        -> {"seat", "join": seconds until the panel's Home is drawn, "ok", "foreign": [URLs elsewhere],
            "loopback": whether the page names 0.0.0.0 or 127.0.0.1}
    {"cmd": "signin", "seat", "url": "https://ADDR:PORT/devicelogin", "code", "upn", "password"}
        -> {"seat", "signin": seconds through the sign-in pages, "ok", "page"}
    {"cmd": "quit"}

The simulator's certificate: the context ignores HTTPS errors only after the caller checked the
CA's fingerprint (bench/classroom.py does, from the printed value).
"""
from __future__ import annotations

import asyncio
import json
import sys
import time

from playwright.async_api import async_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def foreign(requested: list[str], url: str) -> list[str]:
    """The URLs a joined page fetched from anywhere but the page's own origin."""
    origin = url.split("/?", 1)[0]
    return [u for u in requested if not u.startswith((origin, origin.replace("http", "ws", 1), "data:"))]


async def sign_in_pages(page, command: dict) -> str:
    """Through the device login pages as a student does (code, account, password, consent if
    asked); the name of the page reached (its data-page)."""
    await page.goto(command["url"])
    await page.fill("input[name=otc]", command["code"])
    await page.click("#next")
    await page.fill("input[name=loginfmt]", command["upn"])
    await page.click("#next")
    await page.fill("input[name=passwd]", command["password"])
    await page.click("#signin")
    if await page.locator("#accept").count():
        if await page.locator("#consent_org").count():
            await page.check("#consent_org")
        await page.click("#accept")
    return await page.get_attribute("main", "data-page") or "?"


async def main(executable: str, home_word: str) -> int:
    contexts: dict[str, object] = {}
    out_lock = asyncio.Lock()

    async def say(data: dict) -> None:
        async with out_lock:
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)

        async def context(seat: str):
            if seat not in contexts:
                contexts[seat] = await browser.new_context(viewport={"width": 1024, "height": 700},
                                                           ignore_https_errors=True)
            return contexts[seat]

        async def join(command: dict) -> None:
            seat, url = command["seat"], command["url"]
            received: list[bytes] = []
            requested: list[str] = []
            drawn = asyncio.Event()

            def frame(payload) -> None:
                received.append(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
                if home_word.encode() in b"".join(received[-40:]):
                    drawn.set()

            page = await (await context(seat)).new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.on("websocket", lambda ws: ws.on("framereceived", frame))
            started = time.perf_counter()
            limit = float(command.get("timeout", 120))
            ok, problem = True, ""
            try:
                await page.goto(url, timeout=limit * 1000)
                await asyncio.wait_for(drawn.wait(), max(1.0, limit - (time.perf_counter() - started)))
            except Exception as error:  # noqa: BLE001 - reported as not joined, with why
                ok, problem = False, f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
            elapsed = time.perf_counter() - started
            html = await page.content() if ok else ""
            await say({"seat": seat, "join": elapsed, "ok": ok, "foreign": foreign(requested, url), "problem": problem,
                       "loopback": "0.0.0.0" in html or "127.0.0.1" in html})

        async def signin(command: dict) -> None:
            seat = command["seat"]
            page = await (await context(seat)).new_page()
            started = time.perf_counter()
            name = "?"
            try:
                name = await sign_in_pages(page, command)
            except Exception as error:  # noqa: BLE001 - reported as failed
                name = f"error: {str(error).splitlines()[0][:200]}"
            finally:
                await page.close()
            await say({"seat": seat, "signin": time.perf_counter() - started, "ok": name == "signed-in",
                       "page": name})

        tasks = set()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            command = json.loads(line)
            if command["cmd"] == "quit":
                break
            handler = join if command["cmd"] == "join" else signin
            task = asyncio.create_task(handler(command))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks, return_exceptions=True)
        await browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "Settings")))
