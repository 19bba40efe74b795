"""Which tenant an HTTPS request works on, and the control API's tenants.

One simulator serves several tenants (a class: one per seat). :func:`select_tenant`, a
middleware, picks the request's tenant before its handler runs:

* the IdP (``/{tenant}/...``): the tenant the path names (id or domain); ``organizations``
  and ``common`` leave it to the grant (a device code's or a refresh token's tenant);
* ``/devicelogin`` steps: the tenant of the device code (when its authority named one), else
  the domain of the account being signed in;
* ``/admin``: the domain of the signed-in administrator (or of the one signing in);
* ``/_sim/`` (the control API): the ``X-Sim-Tenant`` header (id or domain; unknown: 404); a
  caller working on one tenant other than the home one (a seat's panel) may not switch
  faults or reset: they serve every tenant (403);
* anything else: the home tenant.

Control API: ``GET /_sim/tenants`` lists them, ``POST /_sim/tenants {"domain", "name"}`` adds one.
"""
from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from panel_tui.sim import admin, devicelogin
from panel_tui.sim.context import SimContext
from panel_tui.sim.control import TENANT_HEADER
from panel_tui.sim.control_api import _body
from panel_tui.sim.tenant import Tenant
from panel_tui.sim.webkeys import CONTEXT

_CONTROL = "/_sim/"
# Not for a caller working on one tenant (a seat's panel): they change every tenant. (The one
# clock may move for a seat's scenario, e.g. token-expired: the class shares it, as the dashboard says.)
_WHOLE_CLASS = frozenset({"/_sim/faults", "/_sim/reset"})
# Reads of the whole class (one clock, one process): the same for every tenant, so a caller's
# tenant is not looked up (a printer configured for a tenant the simulator lacks still reads the time).
_WHOLE_CLASS_READS = frozenset({f"{_CONTROL}{name}"
                                for name in ("clock", "process", "requests", "endpoints", "ca.pem")})
_NOT_A_TENANT = frozenset({"", "_sim", "_assets", "admin", "devicelogin", "ca", "ca.pem", "organizations", "common"})

routes = web.RouteTableDef()


def _describe(tenant: Tenant, home: Tenant) -> dict[str, str | bool]:
    return {"id": tenant.tenant_id, "domain": tenant.domain, "name": tenant.name, "home": tenant is home}


@routes.get("/_sim/tenants")
async def list_tenants(request: web.Request) -> web.Response:
    state = request.app[CONTEXT].state
    return web.json_response({"tenants": [_describe(t, state.home) for t in state.tenants()]})


@routes.post("/_sim/tenants")
async def add_tenant(request: web.Request) -> web.Response:
    state = request.app[CONTEXT].state
    data = await _body(request)
    tenant = state.add_tenant(str(data.get("domain", "")), str(data.get("name", "")))
    return web.json_response({"ok": True, **_describe(tenant, state.home)})


async def _tenant_of(request: web.Request, ctx: SimContext) -> Tenant | None | web.Response:
    state = ctx.state
    path = request.path
    if path.startswith(_CONTROL):
        alias = request.headers.get(TENANT_HEADER)
        if alias is None or alias.strip().lower() in ("organizations", "common", "consumers"):
            return None  # no tenant named: the home tenant
        if request.method == "GET" and path in _WHOLE_CLASS_READS:
            return None
        found = state.find_tenant(alias)
        if found is None:
            return web.json_response({"error": f"no such tenant: {alias[:100]}"}, status=404)
        if found is not state.home and request.method == "POST" and path in _WHOLE_CLASS:
            return web.json_response({"error": "the faults and the reset serve every tenant (the whole class): "
                                               "only the trainer changes them, not one tenant"}, status=403)
        return found
    if path.startswith("/admin"):
        session = request.app[admin.SESSIONS].get(request.cookies.get(admin.COOKIE, ""))
        if session is not None:
            return state.tenant_of_upn(session.upn)
        if request.method == "POST" and path == "/admin/login":
            return state.tenant_of_upn(str((await request.post()).get("upn", "")))
        return None
    if path.startswith("/devicelogin"):
        if request.method != "POST":
            return None
        form = await request.post()  # aiohttp keeps it: the handler reads the same form
        flow = request.app[devicelogin.FLOWS].get(str(form.get("flow", "")))
        code = ctx.device_codes.by_user_code(flow.user_code if flow else str(form.get("otc", "")))
        if code is not None and code.tenant_id:
            return state.find_tenant(code.tenant_id)
        return state.tenant_of_upn((flow.upn if flow else "") or str(form.get("loginfmt", "")))
    first = path.strip("/").split("/", 1)[0]
    return None if first.lower() in _NOT_A_TENANT else state.find_tenant(first)


@web.middleware
async def select_tenant(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run the handler with the request's tenant selected (see the module's docstring)."""
    ctx: SimContext = request.app[CONTEXT]
    found = await _tenant_of(request, ctx)
    if isinstance(found, web.Response):
        return found
    with ctx.state.selecting(found):
        return await handler(request)
