"""The simulator's HTTPS application: IdP, sign-in pages, admin center, control API.

One aiohttp application serves what are several hosts in the real cloud. Middleware
applies the identity provider's faults to the IdP's paths only (the admin center and
the control API stay reachable, so a trainer can switch a fault off again).
"""
from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from panel_tui.sim import admin, apps, control_api, devicelogin, idp, tenancy, trust_page
from panel_tui.sim.aadsts import TEMPORARILY_UNAVAILABLE, IdpError
from panel_tui.sim.context import SimContext
from panel_tui.sim.faults import IDP_5XX, IDP_DOWN
from panel_tui.sim.markup import ADMIN_CSS, SIGNIN_CSS, html, html_response, signin_document
from panel_tui.sim.webkeys import CONTEXT

_NOT_IDP_PREFIXES = ("/_sim/", "/admin", "/_assets/")
_NOT_IDP_PATHS = frozenset({"/", trust_page.PAGE, trust_page.CERTIFICATE})


def is_idp_path(path: str) -> bool:
    return path not in _NOT_IDP_PATHS and not path.startswith(_NOT_IDP_PREFIXES)


@web.middleware
async def idp_faults(request: web.Request, handler: Handler) -> web.StreamResponse:
    ctx: SimContext = request.app[CONTEXT]
    if is_idp_path(request.path):
        if ctx.faults.is_on(IDP_DOWN):
            # As if the host vanished: the connection dies without an answer.
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable()
        if ctx.faults.is_on(IDP_5XX):
            return idp.error_response(ctx, IdpError(TEMPORARILY_UNAVAILABLE))
    return await handler(request)


@web.middleware
async def same_origin_posts(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse admin-center form posts sent from another site (belt to SameSite's braces)."""
    if request.method == "POST" and request.path.startswith("/admin"):
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"{request.scheme}://{request.host}":
            return web.Response(status=403, text="Cross-site form posts are refused.\n")
    return await handler(request)


async def _stylesheet(css: str) -> web.Response:
    return web.Response(text=css, content_type="text/css", charset="utf-8",
                        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"})


async def signin_css(request: web.Request) -> web.Response:
    return await _stylesheet(SIGNIN_CSS)


async def admin_css(request: web.Request) -> web.Response:
    return await _stylesheet(ADMIN_CSS)


async def index(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    card = html(
        """<h1>Microsoft 365 simulator</h1>
<p>Tenant {domain}</p>
<p><a href="/devicelogin">Device sign-in page (/devicelogin)</a></p>
<p><a href="/admin">Admin center (/admin)</a></p>
<p><a href="/ca">Trust the simulator's certificate (/ca)</a></p>""",
        domain=ctx.state.tenant.domain,
    )
    return html_response(signin_document(
        lang="en", title="Microsoft 365 simulator", brand="Microsoft 365 (simulator)", card=card,
        page="index", footer=html("{t}", t="Offline simulator for training and tests."),
    ))


def build_web_app(ctx: SimContext) -> web.Application:
    app = web.Application(
        middlewares=[control_api.control_api_guard, tenancy.select_tenant, idp_faults, same_origin_posts],
        client_max_size=1024 * 1024,
    )
    app[CONTEXT] = ctx
    app[devicelogin.FLOWS] = devicelogin.SignInFlows()
    app[admin.SESSIONS] = admin.AdminSessions()
    app.router.add_get("/", index)
    app.router.add_get("/_assets/signin.css", signin_css)
    app.router.add_get("/_assets/admin.css", admin_css)
    app.add_routes(control_api.routes)
    app.add_routes(tenancy.routes)
    app.add_routes(trust_page.routes)
    app.add_routes(apps.routes)
    app.add_routes(admin.routes)
    app.add_routes(devicelogin.routes)
    app.add_routes(idp.routes)
    return app
