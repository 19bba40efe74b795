"""Who may use a panel served over HTTP (`panel-tui serve`, the class's web process).

Every served page answers only for the address its connection arrived at (the Host header
must name it: a page reached through another machine's name, as in DNS rebinding, is
refused), and builds every URL it gives the browser (assets, websocket) from that Host.

Bound to loopback, that is all. Bound to any other address, a page also needs its key: the
printed join URL carries it once (`/?key=...`); the first browser to open it gets a session
cookie for that page and the URL without the key. The same key again from another browser
(a replayed link), another page's key (seat01's link on seat02's address), a wrong key or
none: a short page saying so, status 401/403, and nothing reaches the panel.

Standard library and aiohttp only (no textual); the route-out address from panel_tui.sim.client.
"""
from __future__ import annotations

import hmac
import html
import ipaddress
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from panel_tui.sim.client import public_address

__all__ = ["AccessPolicy", "Page", "is_loopback", "needs_key", "new_key", "page_url", "public_address"]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
KEY_PARAM = "key"
COOKIE_MAX_AGE = 12 * 3600  # a school day: a browser closed and opened again keeps its seat
COOKIE_PREFIX = "panel_tui_"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def needs_key(bind_host: str) -> bool:
    """A credential is needed on every address but loopback."""
    return not is_loopback(bind_host)


def page_url(address: str, port: int, key: str | None = None) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}:{port}/" + (f"?{KEY_PARAM}={key}" if key else "")


def new_key() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Page:
    """One served page (a seat, the dashboard, `serve`'s panel) and who holds it."""

    name: str
    key: str | None  # None: no credential needed (loopback)
    used: bool = False
    sessions: set[str] = field(default_factory=set)

    @property
    def cookie(self) -> str:
        return COOKIE_PREFIX + self.name


class AccessPolicy:
    """The pages of one process (a class's seats and dashboard share one: a seat's key or cookie
    shown on another seat's address is recognised and named)."""

    def __init__(self, bind_host: str, t: Callable[..., str], lang: str = "en",
                 keys: Callable[[], dict[str, str]] | None = None) -> None:
        self.bind_host = bind_host
        self.t = t
        self.lang = lang
        self.pages: dict[str, Page] = {}
        self._keys = keys  # where the pages' keys are kept: read again before each request

    def refresh_keys(self) -> None:
        """A page whose kept key changed (the trainer issued a new join link) takes the new key:
        unused again, and the browsers that held the old one must join anew."""
        if self._keys is None:
            return
        for name, key in self._keys().items():
            page = self.pages.get(name)
            if page is not None and page.key is not None and key and key != page.key:
                page.key, page.used = key, False
                page.sessions.clear()

    def add(self, name: str, key: str | None) -> Page:
        page = Page(name, key if needs_key(self.bind_host) else None)
        self.pages[name] = page
        return page

    # -- checks ------------------------------------------------------------------------------

    def host_problem(self, request) -> str | None:
        """Why the Host header does not name the address this connection arrived at (None: it does)."""
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        if not sockname:
            return "no local address"
        local = str(sockname[0]).split("%", 1)[0]
        try:
            parts = urlsplit("//" + request.host)
            name = (parts.hostname or "").lower()
            _ = parts.port  # a port that is not a number is a bad Host; another one (a tunnel, NAT) is fine
        except ValueError:
            return "bad Host"
        if not name:
            return "no host name"
        if name in LOOPBACK_NAMES and is_loopback(local):
            return None
        try:
            if ipaddress.ip_address(name) == ipaddress.ip_address(local):
                return None
        except ValueError:
            if not is_loopback(local) and name in {socket.gethostname().lower(), socket.getfqdn().lower()}:
                return None
        return "other host"

    def _holder(self, request, exclude: Page) -> Page | None:
        for page in self.pages.values():
            if page is not exclude and request.cookies.get(page.cookie) in page.sessions:
                return page
        return None

    def _key_owner(self, key: str) -> Page | None:
        for page in self.pages.values():
            if page.key and hmac.compare_digest(page.key.encode(), key.encode()):
                return page
        return None

    # -- answers -------------------------------------------------------------------------------

    def refusal(self, status: int, why: str, **params: object):
        from aiohttp import web

        title = self.t("access.refused_title")
        body = self.t(f"access.{why}", **params)
        text = (f'<!DOCTYPE html>\n<html lang="{html.escape(self.lang)}">\n<head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
                f"<p>{html.escape(body)}</p>\n</body>\n</html>\n")
        return web.Response(status=status, text=text, content_type="text/html", charset="utf-8",
                            headers=_PRIVATE_HEADERS)

    def middleware(self, page: Page):
        """The aiohttp middleware guarding `page`."""
        from aiohttp import web

        @web.middleware
        async def guard(request, handler):
            self.refresh_keys()
            if self.host_problem(request) is not None:
                return self.refusal(403, "wrong_host", host=request.host)
            if request.path == "/ws" and request.headers.get("Origin") not in (None, _origin(request)):
                return self.refusal(403, "wrong_origin")
            if page.key is None:
                return await handler(request)
            held = request.cookies.get(page.cookie) in page.sessions
            given = request.query.get(KEY_PARAM)
            if given is not None:
                owner = self._key_owner(given)
                if owner is page:
                    if held:
                        return _see_other()
                    if page.used:
                        return self.refusal(403, "replayed", page=page.name)
                    page.used = True
                    session = secrets.token_urlsafe(32)
                    page.sessions.add(session)
                    answer = _see_other()
                    answer.set_cookie(page.cookie, session, httponly=True, samesite="Strict", path="/",
                                      max_age=COOKIE_MAX_AGE)
                    return answer
                if owner is not None:
                    return self.refusal(403, "other_page", page=page.name, other=owner.name)
                return self.refusal(403, "wrong_key", page=page.name)
            if held:
                return await handler(request)
            other = self._holder(request, page)
            if other is not None:
                return self.refusal(403, "other_page", page=page.name, other=other.name)
            return self.refusal(401, "no_key", page=page.name)

        return guard


_PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _see_other():
    """To the page without the key in its address (history, screen sharing)."""
    from aiohttp import web

    return web.Response(status=303, headers={**_PRIVATE_HEADERS, "Location": "/"})


def _origin(request) -> str:
    return f"{'https' if request.secure else 'http'}://{request.host}"
