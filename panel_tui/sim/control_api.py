"""The JSON control API under ``/_sim/`` (loopback clients only, with the bearer secret).

What tests, the app's trainer screen and :class:`panel_tui.sim.control.SimControl` use
to move the clock, switch faults and policies, manage users and consent, read mail and
reset. Answers are JSON; refusals are ``{"error": "..."}`` with 400 or 404.

Every call but the two public ones (``GET /_sim/endpoints`` and ``GET /_sim/ca.pem``, what
a panel joining with --sim-url needs) carries ``Authorization: Bearer <secret>``, the
secret being the 0600 file ``control-secret`` of the simulator's data directory: other
local users cannot read it. A request from a web page (an ``Origin`` or ``Sec-Fetch-Site``
of another site) is refused before anything else, so no page can drive the tenant.
"""
from __future__ import annotations

import asyncio
import errno
import hmac
import ipaddress
import json
import math
import os
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from panel_tui.sim.context import SimContext
from panel_tui.sim.state import SimStateError
from panel_tui.sim.webkeys import CONTEXT

PREFIX = "/_sim"
PUBLIC_PATHS = frozenset({f"{PREFIX}/endpoints", f"{PREFIX}/ca.pem"})
MAX_CLOCK_ADVANCE = 100 * 365 * 86400  # a century of simulated time at once is plenty

routes = web.RouteTableDef()


def is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


async def _body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, as the client sent it (values unchecked: each handler checks its own)."""
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise web.HTTPBadRequest(text=json.dumps({"error": f"invalid JSON: {error}"}),
                                 content_type="application/json") from error
    except RecursionError:
        raise web.HTTPBadRequest(text=json.dumps({"error": "invalid JSON: nested too deeply"}),
                                 content_type="application/json") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text=json.dumps({"error": "expected a JSON object"}),
                                 content_type="application/json")
    return data


def _bool(data: Mapping[str, object], name: str, allow_none: bool = False) -> bool | None:
    if name not in data:
        raise SimStateError(f"missing {name!r}")
    value = data[name]
    if value is None and allow_none:
        return None
    if not isinstance(value, bool):
        raise SimStateError(f"{name!r} must be true or false")
    return value


def _ok(**extra: object) -> web.Response:
    return web.json_response({"ok": True, **extra})


def _ctx(request: web.Request) -> SimContext:
    return request.app[CONTEXT]


@routes.get(f"{PREFIX}/state")
async def get_state(request: web.Request) -> web.Response:
    ctx = _ctx(request)
    snapshot = ctx.state.snapshot()
    snapshot["faults"] = ctx.faults.snapshot()
    snapshot["device_codes"] = [
        {"user_code": c.user_code, "status": c.status, "upn": c.upn, "expires_at": c.expires_at,
         "redeemed": c.redeemed, "polls": c.polls}
        for c in ctx.device_codes.all()
    ]
    snapshot["mailboxes"] = await asyncio.to_thread(ctx.mail.addresses)
    return web.json_response(snapshot)


@routes.get(f"{PREFIX}/endpoints")
async def get_endpoints(request: web.Request) -> web.Response:
    """What a panel started with --sim-url needs: the same object as `panel-tui sim --json`."""
    return web.json_response(_ctx(request).endpoints)


@routes.get(f"{PREFIX}/ca.pem")
async def get_ca(request: web.Request) -> web.Response:
    """The CA certificate (public): a panel that pinned its fingerprint fetches it from here."""
    path = _ctx(request).endpoints.get("ca_path")
    if not path or not isinstance(path, str):
        raise web.HTTPNotFound()
    with open(path, "rb") as file:
        return web.Response(body=file.read(), content_type="application/x-pem-file")


@routes.get(f"{PREFIX}/process")
async def get_process(request: web.Request) -> web.Response:
    """Which process serves: one simulator per home, whoever asks."""
    return web.json_response({"pid": os.getpid()})


@routes.get(f"{PREFIX}/requests")
async def get_request_counts(request: web.Request) -> web.Response:
    """HTTPS requests served since the simulator started, by "METHOD route" (this one included)."""
    return web.json_response({"counts": dict(_ctx(request).request_counts)})


@routes.get(f"{PREFIX}/clock")
async def get_clock(request: web.Request) -> web.Response:
    state = _ctx(request).state
    return web.json_response({"now": state.now(), "offset": state.clock.offset})


@routes.post(f"{PREFIX}/clock")
async def advance_clock(request: web.Request) -> web.Response:
    data = await _body(request)
    seconds = data.get("advance")
    if (not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_CLOCK_ADVANCE):
        raise SimStateError(f"'advance' must be a number of seconds from 0 to {MAX_CLOCK_ADVANCE}")
    try:
        now = _ctx(request).state.advance_clock(float(seconds))
    except (ValueError, OverflowError) as error:  # NaN, infinity, centuries: never persisted
        raise SimStateError(str(error)) from None
    return _ok(now=now)


@routes.post(f"{PREFIX}/faults")
async def set_fault(request: web.Request) -> web.Response:
    data = await _body(request)
    await _ctx(request).set_fault(str(data.get("name", "")), bool(_bool(data, "on")))
    return _ok(faults=_ctx(request).faults.snapshot())


@routes.post(f"{PREFIX}/policies")
async def set_policies(request: web.Request) -> web.Response:
    data = await _body(request)
    known = {"security_defaults", "smtp_auth_org", "conditional_access_block"}
    unknown = set(data) - known
    if unknown:
        raise SimStateError(f"unknown policy {sorted(unknown)[0]!r}")
    _ctx(request).state.set_policies(**{name: _bool(data, name) for name in data})
    return _ok(policies=_ctx(request).state.snapshot()["policies"])


@routes.post(f"{PREFIX}/basic-smtp-auth")
async def basic_smtp_auth(request: web.Request) -> web.Response:
    """Basic authentication for SMTP AUTH (MC786329): ``enabled`` true (re-enable) / false
    (turn off) / null (follow the timeline), ``final_removal`` (trainer), ``tenant_created``
    (epoch seconds: a tenant created after the cutoff never gets Basic)."""
    data = await _body(request)
    unknown = set(data) - {"enabled", "final_removal", "tenant_created"}
    if unknown:
        raise SimStateError(f"unknown setting {sorted(unknown)[0]!r}")
    state = _ctx(request).state
    if "tenant_created" in data:
        created = data["tenant_created"]
        if not isinstance(created, (int, float)) or isinstance(created, bool):
            raise SimStateError("'tenant_created' must be epoch seconds")
        state.set_tenant_created(float(created))
    if "enabled" in data:
        state.set_basic_smtp_auth(_bool(data, "enabled", allow_none=True))
    if "final_removal" in data:
        state.set_basic_final_removal(bool(_bool(data, "final_removal")))
    return _ok(basic_smtp_auth=state.snapshot()["basic_smtp_auth"])


@routes.get(f"{PREFIX}/reports/smtp-auth-clients")
async def smtp_auth_clients_report(request: web.Request) -> web.Response:
    """Exchange's SMTP AUTH Clients Submission Report: ``?days=7`` (default) or ``30``."""
    days = request.query.get("days", "7")
    if days not in ("7", "30"):
        raise SimStateError("'days' must be 7 or 30")
    return web.json_response({"days": int(days), "rows": _ctx(request).state.submission_report(int(days))})


@routes.post(f"{PREFIX}/shared-mailboxes")
async def add_shared_mailbox(request: web.Request) -> web.Response:
    data = await _body(request)
    user = _ctx(request).state.add_shared_mailbox(str(data.get("upn", "")), str(data.get("display_name", "")))
    return _ok(upn=user.upn)


@routes.post(f"{PREFIX}/users/{{upn}}/send-as")
async def send_as(request: web.Request) -> web.Response:
    """Exchange's Send As permission on mailbox ``upn`` for ``trustee`` (``granted`` false removes it)."""
    data = await _body(request)
    state = _ctx(request).state
    trustee = str(data.get("trustee", ""))
    if _bool(data, "granted"):
        state.grant_send_as(request.match_info["upn"], trustee)
    else:
        state.remove_send_as(request.match_info["upn"], trustee)
    return _ok()


@routes.post(f"{PREFIX}/users/{{upn}}/sender-block")
async def sender_block(request: web.Request) -> web.Response:
    """Exchange Online Protection's verdict on a sender: restricted, outbound_spam,
    spam_abuse, banned, or null (may send)."""
    data = await _body(request)
    block = data.get("block")
    _ctx(request).state.set_sender_block(request.match_info["upn"], None if block is None else str(block))
    return _ok()


@routes.post(f"{PREFIX}/users")
async def add_user(request: web.Request) -> web.Response:
    data = await _body(request)
    roles = data.get("roles", [])
    if not isinstance(roles, list):
        raise SimStateError("'roles' must be a list")
    user = _ctx(request).state.add_user(
        str(data.get("upn", "")), str(data.get("display_name", "")), str(data.get("password", "")),
        [str(r) for r in roles],
    )
    return _ok(upn=user.upn, object_id=user.object_id)


@routes.post(f"{PREFIX}/users/{{upn}}/smtp-auth")
async def mailbox_smtp_auth(request: web.Request) -> web.Response:
    data = await _body(request)
    _ctx(request).state.set_mailbox_smtp_auth(request.match_info["upn"], _bool(data, "enabled", allow_none=True))
    return _ok()


@routes.post(f"{PREFIX}/users/{{upn}}/password")
async def reset_password(request: web.Request) -> web.Response:
    data = await _body(request)
    _ctx(request).state.reset_password(request.match_info["upn"], str(data.get("password", "")))
    return _ok()


@routes.post(f"{PREFIX}/users/{{upn}}/revoke")
async def revoke_sessions(request: web.Request) -> web.Response:
    _ctx(request).state.revoke_sessions(request.match_info["upn"])
    return _ok()


@routes.post(f"{PREFIX}/consents/{{client_id}}")
async def admin_consent(request: web.Request) -> web.Response:
    data = await _body(request)
    state = _ctx(request).state
    client_id = request.match_info["client_id"]
    if _bool(data, "granted"):
        admin = next((u.upn for u in state.tenant.users.values() if u.is_global_admin), "admin")
        state.grant_consent(client_id, str(data.get("granted_by") or admin), for_org=True)
    else:
        state.revoke_admin_consent(client_id)
    return _ok()


@routes.get(f"{PREFIX}/mailboxes/{{address}}")
async def mailbox(request: web.Request) -> web.Response:
    # Reading a big mailbox takes seconds: off the event loop, as every mailbox read.
    messages = await asyncio.to_thread(_ctx(request).mail.messages, request.match_info["address"])
    return web.json_response({"messages": messages})


@routes.get(f"{PREFIX}/mailboxes/{{address}}/{{message_id}}")
async def raw_message(request: web.Request) -> web.Response:
    try:
        raw = await asyncio.to_thread(_ctx(request).mail.raw_message, request.match_info["address"],
                                      request.match_info["message_id"])
    except KeyError:
        raise web.HTTPNotFound(text=json.dumps({"error": "no such message"}),
                               content_type="application/json") from None
    return web.Response(body=raw, content_type="message/rfc822")


@routes.post(f"{PREFIX}/reset")
async def reset(request: web.Request) -> web.Response:
    await _ctx(request).reset()
    return _ok()


def _refuse(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


def _cross_site(request: web.Request, ctx: SimContext) -> bool:
    """Sent by a web page of another origin (a browser names it; other clients send no Origin)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    own = {f"{request.scheme}://{request.host}"}
    if ctx.base_url:
        own.add(ctx.base_url)
    return origin not in own


def _authorised(request: web.Request, ctx: SimContext) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return (bool(ctx.control_secret) and scheme.lower() == "bearer"
            and hmac.compare_digest(given.strip().encode(), ctx.control_secret.encode()))


@web.middleware
async def control_api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Loopback only, same origin only, the bearer secret; refusals as JSON (SimStateError -> 400)."""
    if not request.path.startswith(PREFIX + "/"):
        return await handler(request)
    ctx = _ctx(request)
    if not is_loopback(request.remote):
        return _refuse(403, "the control API answers loopback clients only")
    if _cross_site(request, ctx):
        return _refuse(403, "the control API refuses requests from web pages of another origin")
    if request.path not in PUBLIC_PATHS or request.method != "GET":
        if "Authorization" not in request.headers:
            return _refuse(401, "the control API needs the simulator's secret: Authorization: Bearer "
                                "<the contents of the control-secret file in the simulator's folder>",
                           **{"WWW-Authenticate": 'Bearer realm="panel_tui simulator"'})
        if not _authorised(request, ctx):
            return _refuse(403, "wrong control API secret",
                           **{"WWW-Authenticate": 'Bearer realm="panel_tui simulator", error="invalid_token"'})
    try:
        return await handler(request)
    except SimStateError as error:
        status = 404 if str(error).startswith("no such") else 400
        return web.json_response({"error": str(error)}, status=status)
    except ValueError as error:
        return web.json_response({"error": str(error)}, status=400)
    except OSError as error:  # the simulator's own files: say which and why, as JSON like the rest
        return _storage_refusal(error)
    except web.HTTPException as error:  # aiohttp's own answers (405, 404 ...): JSON here too
        if error.status < 400 or (error.content_type or "").startswith("application/json"):
            raise
        headers = {"Allow": error.headers["Allow"]} if "Allow" in error.headers else {}
        return web.json_response({"error": error.reason}, status=error.status, headers=headers)


def _storage_refusal(error: OSError) -> web.Response:
    """507 when the simulator's disk is full, else 500; nothing was saved."""
    where = f"{error.filename}: " if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return web.json_response({"error": f"not saved: {where}the simulator's disk is full "
                                           "(no space left on the device); free some space and try again",
                                  "disk_full": True}, status=507)
    return web.json_response({"error": f"not saved: {where}{error.strerror or error}", "disk_full": False},
                             status=500)
