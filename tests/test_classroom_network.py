"""A class bound to this host's end of a test network (a network namespace and a veth pair the
test makes and removes), used from a "student's machine" inside the namespace, as a real
class across a room: `classroom start --host ADDR` works, prints join URLs naming ADDR with a
key per page, a seat's printed URL loads in headless Chromium inside the namespace and its
page names no 0.0.0.0/127.0.0.1, and the same server refuses a visitor without the key, a
replayed key, another seat's key and a Host naming another machine.

Skipped when `ip netns` is not permitted here. Traffic only between the pair's two ends."""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.netns import NetnsUnavailable, veth_namespace
from tests.helpers.processes import chromium_path

ROOT = Path(__file__).resolve().parents[1]

# Run inside the namespace: what a student's machine asks of the class's pages (no browser).
VISITOR = textwrap.dedent("""
    import http.client, json, sys
    from urllib.parse import urlsplit
    host, port, key, other_key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

    def get(path, headers=None):
        c = http.client.HTTPConnection(host, port, timeout=20)
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        out = [r.status, r.read().decode("utf-8", "replace"), r.getheader("Set-Cookie") or "", r.getheader("Location")]
        c.close()
        return out

    seen = {"none": get("/"), "asset": get("/static/js/textual.js"), "wrong": get("/?key=guess"),
            "other": get("/?key=" + other_key)}
    seen["join"] = get("/?key=" + key)
    cookie = seen["join"][2].split(";")[0]
    seen["page"] = get("/", {"Cookie": cookie})
    seen["elsewhere"] = get("/", {"Cookie": cookie, "Host": "attacker.example:%d" % port})
    seen["replayed"] = get("/?key=" + key)
    print(json.dumps(seen))
""")

# Run inside the namespace: the simulator's pages as a student's machine reaches them. The CA
# page is read before trusting anything (as a browser's "proceed" would); then the downloaded
# certificate, checked against the printed fingerprint, verifies the sign-in page by name.
SIM_VISITOR = textwrap.dedent("""
    import hashlib, json, ssl, sys, urllib.request, urllib.error
    base, fingerprint = sys.argv[1], sys.argv[2]
    blind = ssl.create_default_context(); blind.check_hostname = False; blind.verify_mode = ssl.CERT_NONE
    def get(url, context, headers=None):
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), context=context,
                                        timeout=20) as reply:
                return reply.status, reply.read(), reply.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Content-Type")
    page = get(base + "/ca?lang=ro", blind)
    pem = get(base + "/ca.pem", blind)
    der = ssl.PEM_cert_to_DER_cert(pem[1].decode())
    digest = hashlib.sha256(der).hexdigest().upper()
    open("ca.pem", "wb").write(pem[1])
    trusted = ssl.create_default_context(cafile="ca.pem")
    print(json.dumps({"page": [page[0], page[1].decode()], "pem_type": pem[2],
                      "digest": ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)),
                      "signin": get(base + "/devicelogin", trusted)[0],
                      "admin": get(base + "/admin", trusted)[0],
                      "control": get(base + "/_sim/state", trusted, {"Authorization": "Bearer x"})[0],
                      "control_public": get(base + "/_sim/endpoints", trusted)[0]}))
""")

# Run inside the namespace: headless Chromium opens the printed URL; the panel must draw Home.
BROWSER = textwrap.dedent("""
    import json, re, sys
    from playwright.sync_api import sync_playwright
    executable, url, word = sys.argv[1], sys.argv[2], sys.argv[3]
    received, requested = [], []
    def text():
        return b"".join(received).decode("utf-8", "replace")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking", "--disable-component-update"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requested.append(r.url))
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(
                payload if isinstance(payload, bytes) else payload.encode("utf-8"))))
            with page.expect_websocket(timeout=60_000) as opened:
                page.goto(url)
            if word not in text():
                opened.value.wait_for_event("framereceived", predicate=lambda _: word in text(), timeout=90_000)
            html = page.content()
        finally:
            browser.close()
    print(json.dumps({"drawn": word in text(), "requested": requested, "html": html}))
""")


@pytest.fixture
def test_network():
    try:
        with veth_namespace() as net:
            yield net
    except NetnsUnavailable as error:
        pytest.skip(f"no test network namespace here: {error}")


def _panel_tui(home: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = {**os.environ, "PANEL_TUI_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "panel_tui", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


def _stop_class(home: Path) -> None:
    class_file = home / "data" / "@classroom" / "class.json"
    if class_file.exists():
        _panel_tui(home, "classroom", "stop", timeout=60)
        roster = json.loads(class_file.read_text())
        for pid in (roster.get("web_pid"), roster.get("sim_pid")):
            if pid:
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)


def test_a_class_on_a_test_network_serves_students_with_their_keys_only(test_network, panel_home, tmp_path):
    address = test_network.host_address
    try:
        started = _panel_tui(panel_home, "classroom", "start", "--seats", "2", "--host", address)
        assert started.returncode == 0, started.stderr
        assert "loopback clients only" not in started.stderr
        out = started.stdout
        urls = dict(re.findall(rf"^(seat0[12]) .*?(http://{re.escape(address)}:\d+/\?key=\S+)$", out, re.M))
        assert set(urls) == {"seat01", "seat02"}, out
        dashboard = re.search(rf"http://{re.escape(address)}:\d+/\?key=\S+", out.split("\n\n")[-1])
        assert dashboard and dashboard.group(0) not in urls.values()
        assert f"PANEL_TUI_HOME={panel_home} panel-tui --profile seat01" in out  # the join line names the home
        assert "127.0.0.1" not in out.split("\n\n", 1)[1]
        ca_line = re.search(rf"(https://{re.escape(address)}:\d+)/ca \(SHA-256 fingerprint ([0-9A-F:]{{95}})", out)
        assert ca_line, out

        sim = test_network.run([sys.executable, "-c", SIM_VISITOR, ca_line.group(1), ca_line.group(2)],
                               capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert sim.returncode == 0, sim.stderr
        pages = json.loads(sim.stdout)
        assert pages["page"][0] == 200 and ca_line.group(2) in pages["page"][1]
        assert "Firefox" in pages["page"][1] and "Autorități de certificare rădăcină" in pages["page"][1]
        assert pages["digest"] == ca_line.group(2) and pages["pem_type"] == "application/x-x509-ca-cert"
        assert pages["signin"] == 200 and pages["admin"] in (200, 302, 303)  # trusted, by the printed name
        assert pages["control"] == 403 and pages["control_public"] == 403  # the control API: loopback only

        seat01 = re.match(r"http://[^:]+:(\d+)/\?key=(\S+)", urls["seat01"])
        other_key = urls["seat02"].split("key=", 1)[1]
        visitor = test_network.run(
            [sys.executable, "-c", VISITOR, address, seat01.group(1), seat01.group(2), other_key],
            capture_output=True, text=True, timeout=120)
        assert visitor.returncode == 0, visitor.stderr
        seen = json.loads(visitor.stdout)
        for name in ("none", "asset"):
            assert seen[name][0] == 401 and "textual" not in seen[name][1].lower(), name
        assert seen["wrong"][0] == 403 and seen["other"][0] == 403 and "seat02" in seen["other"][1]
        assert seen["join"][0] == 303 and seen["join"][3] == "/" and "panel_tui_seat01=" in seen["join"][2]
        assert seen["page"][0] == 200 and f"ws://{address}:{seat01.group(1)}/ws" in seen["page"][1]
        assert "0.0.0.0" not in seen["page"][1] and "127.0.0.1" not in seen["page"][1]
        assert seen["elsewhere"][0] == 403 and seen["replayed"][0] == 403
        assert "already used" in seen["replayed"][1]

        # the trainer gives seat01 a new link: the old key and the browser that used it are out
        relinked = _panel_tui(panel_home, "classroom", "link", "seat01")
        assert relinked.returncode == 0, relinked.stderr
        new_url = re.search(rf"http://{re.escape(address)}:{seat01.group(1)}/\?key=(\S+)", relinked.stdout)
        assert new_url and new_url.group(1) != seat01.group(2)
        again = test_network.run([sys.executable, "-c", VISITOR, address, seat01.group(1), new_url.group(1),
                                  seat01.group(2)], capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        second = json.loads(again.stdout)
        assert second["other"][0] == 403 and second["join"][0] == 303 and second["page"][0] == 200

        executable = chromium_path()
        pytest.importorskip("playwright.sync_api", reason="Playwright for Python is missing: pip install playwright")
        browser = test_network.run([sys.executable, "-c", BROWSER, executable, urls["seat02"], "Settings"],
                                   capture_output=True, text=True, timeout=240, cwd=tmp_path)
        assert browser.returncode == 0, browser.stderr[-2000:]
        drawn = json.loads(browser.stdout)
        assert drawn["drawn"], "seat02's panel did not draw Home in the student's browser"
        origin = f"http://{address}:{urls['seat02'].split(':')[2].split('/')[0]}"
        assert all(url.startswith((origin, origin.replace("http", "ws", 1), "data:")) for url in drawn["requested"])
        assert "0.0.0.0" not in drawn["html"] and "127.0.0.1" not in drawn["html"]
    finally:
        _stop_class(panel_home)


def test_without_the_namespace_tool_the_network_tests_skip_cleanly(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `ip` here
    with pytest.raises(NetnsUnavailable), veth_namespace("ptnone"):
        pytest.fail("a namespace without `ip`")
