"""Who may use a served panel (panel_tui.web_access), through the real aiohttp app that
`panel-tui serve` and the class's web process run: the page's URLs name the Host the browser
asked for; beyond loopback a page needs its key once, then its cookie; a missing, wrong,
replayed or other seat's key, or a Host naming another machine, gets a clear page and nothing
of the panel. (tests/test_classroom_network.py does the same across a network namespace.)"""
from __future__ import annotations

import asyncio
import html
import re

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer

from panel_tui import serve
from panel_tui.i18n import Translator
from panel_tui.web_access import AccessPolicy, page_url, public_address

pytest.importorskip("textual_serve", reason="textual-serve is missing: pip install textual-serve")


def _class_policy(bind_host: str = "0.0.0.0", lang: str = "en"):
    policy = AccessPolicy(bind_host, Translator.load(language=lang).t, lang)
    seat01, seat02 = policy.add("seat01", "key-of-seat01"), policy.add("seat02", "key-of-seat02")
    return policy, seat01, seat02


def _run(policy, page, steps):
    """`steps(client, host)` against the served app of `page` (a TestServer on loopback)."""
    async def go():
        server = serve.make_server("true", policy.bind_host, 8000, access=(policy, page))
        async with TestClient(TestServer(await server._make_app())) as client:
            return await steps(client, f"127.0.0.1:{client.port}")

    return asyncio.run(go())


def test_beyond_loopback_a_seat_needs_its_key_once_then_its_cookie():
    policy, seat01, _ = _class_policy()

    async def steps(client, host):
        seen = {}
        for path in ("/", "/static/js/textual.js", "/ws"):
            reply = await client.get(path)
            seen[path] = (reply.status, await reply.text())
        joined = await client.get("/?key=key-of-seat01", allow_redirects=False)
        seen["join"] = (joined.status, joined.headers.get("Location"), joined.headers.get("Set-Cookie", ""))
        page = await client.get("/")
        seen["page"] = (page.status, await page.text())
        asset = await client.get("/static/js/textual.js")
        seen["asset"] = asset.status
        return seen

    seen = _run(policy, seat01, steps)
    for path in ("/", "/static/js/textual.js", "/ws"):
        status, text = seen[path]
        assert status == 401, path
        assert "seat01 needs its join link" in text and "textual" not in text.lower()
    status, location, cookie = seen["join"]
    assert (status, location) == (303, "/")  # the key leaves the address bar
    assert "panel_tui_seat01=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert seen["page"][0] == 200 and seen["asset"] == 200
    assert "textual" in seen["page"][1]


def test_the_page_names_the_host_the_browser_asked_for_never_the_bound_address():
    policy, seat01, _ = _class_policy("0.0.0.0")

    async def steps(client, host):
        await client.get("/?key=key-of-seat01")
        return host, await (await client.get("/")).text()

    host, text = _run(policy, seat01, steps)
    urls = re.findall(r"(?:href|src)=\"([a-z]+://[^\"]+)\"", text) + re.findall(r"\"(wss?://[^\"]+)\"", text)
    assert sorted(urls) == sorted([f"http://{host}/static/css/xterm.css", f"http://{host}/static/js/textual.js",
                                   f"ws://{host}/ws"])
    assert "0.0.0.0" not in text


def test_replayed_wrong_and_other_seats_keys_are_refused_and_change_nothing():
    policy, seat01, seat02 = _class_policy(lang="ro")

    async def steps(client, host):
        first = await client.get("/?key=key-of-seat01", allow_redirects=False)
        out = {"first": first.status}
        url = f"http://{host}"
        async with ClientSession() as other_browser:  # a second browser, no cookie
            for name, query in (("replayed", "key-of-seat01"), ("wrong", "guess"), ("other", "key-of-seat02")):
                reply = await other_browser.get(f"{url}/?key={query}", allow_redirects=False)
                out[name] = (reply.status, await reply.text(), reply.headers.get("Set-Cookie"))
        return out

    out = _run(policy, seat01, steps)
    assert out["first"] == 303
    status, text, cookie = out["replayed"]
    assert status == 403 and cookie is None and "a fost deja folosit" in text
    assert out["wrong"][0] == 403 and "nu deschide seat01" in out["wrong"][1]
    assert out["other"][0] == 403 and "seat02" in out["other"][1]
    assert seat01.sessions and len(seat01.sessions) == 1 and not seat02.used  # nothing changed by them


def test_a_seats_cookie_does_not_open_another_seat():
    policy, seat01, seat02 = _class_policy()
    policy.add("dashboard", "key-of-the-dashboard")
    seat01.used = True
    seat01.sessions.add("session-of-seat01")

    async def steps(client, host):
        client.session.cookie_jar.update_cookies({"panel_tui_seat01": "session-of-seat01"})
        reply = await client.get("/")
        return reply.status, html.unescape(await reply.text())

    status, text = _run(policy, seat02, steps)
    assert status == 403 and "This address is seat02's; your link or browser belongs to seat01" in text


def test_a_host_naming_another_machine_is_refused_even_with_a_cookie():
    policy, seat01, _ = _class_policy()
    loopback = AccessPolicy("127.0.0.1", Translator.load().t)
    panel = loopback.add("panel8000", "unused")
    assert panel.key is None  # loopback: no key

    async def with_cookie(client, host):
        await client.get("/?key=key-of-seat01")
        port = host.rsplit(":", 1)[1]
        out = []
        for name in ("attacker.example", "192.0.2.99", "10.9.9.9"):
            reply = await client.get("/", headers={"Host": f"{name}:{port}"})
            out.append((reply.status, await reply.text()))
        return out

    for status, text in _run(policy, seat01, with_cookie):
        assert status == 403 and "does not answer for" in text and "textual" not in text

    async def rebinding(client, host):
        port = host.rsplit(":", 1)[1]
        evil = await client.get("/", headers={"Host": f"attacker.example:{port}"})
        local = await client.get("/", headers={"Host": f"localhost:{int(port) + 1}"})  # an SSH tunnel's port
        socket_from_a_site = await client.get("/ws", headers={"Origin": "http://attacker.example"})
        return evil.status, local.status, socket_from_a_site.status

    assert _run(loopback, panel, rebinding) == (403, 200, 403)


def test_printed_urls_name_an_address_students_can_reach():
    assert public_address("192.0.2.7") == "192.0.2.7"
    assert public_address("0.0.0.0") not in ("0.0.0.0", "127.0.0.1", "")
    assert page_url("192.0.2.7", 8123, "abc") == "http://192.0.2.7:8123/?key=abc"
    assert page_url("fd00::7", 8123) == "http://[fd00::7]:8123/"


def test_a_new_key_replaces_the_old_link_and_its_browsers():
    kept = {"seat01": "first-key"}
    policy = AccessPolicy("0.0.0.0", Translator.load().t, keys=lambda: dict(kept))
    seat01 = policy.add("seat01", "first-key")

    async def steps(client, host):
        joined = await client.get("/?key=first-key", allow_redirects=False)
        kept["seat01"] = "second-key"  # `classroom link seat01`
        out = {"joined": joined.status, "old_cookie": (await client.get("/")).status}
        async with ClientSession() as browser:
            out["old_key"] = (await browser.get(f"http://{host}/?key=first-key", allow_redirects=False)).status
            out["new_key"] = (await browser.get(f"http://{host}/?key=second-key", allow_redirects=False)).status
        return out

    assert _run(policy, seat01, steps) == {"joined": 303, "old_cookie": 401, "old_key": 403, "new_key": 303}
