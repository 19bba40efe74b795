"""The admin center (``/admin``): what a tenant administrator and a trainer change.

Sign-in with a Global Administrator account of the tenant sets an HttpOnly,
SameSite=Strict session cookie; every change is a POST answered by a redirect (the
page then shows what happened). Cross-site posts are refused by the cookie's SameSite
rule and by an Origin check. The same operations exist in the JSON control API.
"""
from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from panel_tui.sim import admin_views as views
from panel_tui.sim import apps
from panel_tui.sim.aadsts import ACCOUNT_LOCKED_CODE
from panel_tui.sim.context import SimContext
from panel_tui.sim.faults import FAULT_NAMES
from panel_tui.sim.markup import Markup, admin_document, html_response
from panel_tui.sim.state import BASIC_DEFAULT_OFF_AT, SimStateError
from panel_tui.sim.strings import text
from panel_tui.sim.webkeys import CONTEXT, Form

COOKIE = "sim_admin"
_SESSION_LIFETIME = 8 * 3600  # real seconds

routes = web.RouteTableDef()


@dataclass
class AdminSession:
    upn: str
    expires: float
    flash: str = ""
    flash_kind: str = "ok"


class AdminSessions:
    def __init__(self) -> None:
        self._sessions: dict[str, AdminSession] = {}

    def create(self, upn: str) -> str:
        now = time.monotonic()
        self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
        sid = secrets.token_urlsafe(32)
        self._sessions[sid] = AdminSession(upn=upn, expires=now + _SESSION_LIFETIME)
        return sid

    def get(self, sid: str) -> AdminSession | None:
        session = self._sessions.get(sid)
        if session is None or session.expires < time.monotonic():
            return None
        return session

    def drop(self, sid: str) -> None:
        self._sessions.pop(sid, None)

    def clear(self) -> None:
        self._sessions.clear()


SESSIONS = web.AppKey("admin_sessions", AdminSessions)

# An admin change: the form posted by the signed-in administrator -> what the page then says.
Operation = Callable[[SimContext, Form, AdminSession], Awaitable[str]]


def _session(request: web.Request) -> AdminSession | None:
    session = request.app[SESSIONS].get(request.cookies.get(COOKIE, ""))
    if session is None:
        return None
    # An admin who lost the role (or was reset away) is signed out.
    user = request.app[CONTEXT].state.user(session.upn)
    if user is None or not user.is_global_admin:
        return None
    return session


def _render(request: web.Request, page: str, title: str, content: Markup, session: AdminSession | None,
            status: int = 200) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    flash, kind = "", "ok"
    if session is not None:
        flash, kind, session.flash = session.flash, session.flash_kind, ""
    document = admin_document(
        title=title, tenant=ctx.state.tenant.domain,
        nav=views.nav(page, whole_class=ctx.state.tenant is ctx.state.home) if session else Markup(""),
        content=content, page=page, user=session.upn if session else "", flash=flash, flash_kind=kind,
    )
    return html_response(document, status=status)


def _page(page: str, title: str, body: Callable[[SimContext, web.Request], Markup]) -> Handler:
    """A GET handler for an admin page; anonymous visitors go to the sign-in form."""
    async def handler(request: web.Request) -> web.Response:
        session = _session(request)
        if session is None:
            raise web.HTTPSeeOther("/admin/login")
        ctx: SimContext = request.app[CONTEXT]
        return _render(request, page, title, body(ctx, request), session)
    return handler


def _action(back: str) -> Callable[[Operation], Handler]:
    """A POST handler: admin only, run the operation, redirect to ``back`` with its message."""
    def wrap(operation: Operation) -> Handler:
        async def handler(request: web.Request) -> web.Response:
            session = _session(request)
            if session is None:
                raise web.HTTPSeeOther("/admin/login")
            form = await request.post()
            ctx: SimContext = request.app[CONTEXT]
            try:
                message = await operation(ctx, form, session)
                session.flash, session.flash_kind = message, "ok"
            except (SimStateError, ValueError) as error:
                session.flash, session.flash_kind = str(error), "error"
            raise web.HTTPSeeOther(back)
        return handler
    return wrap


routes.get("/admin")(_page("overview", "Home", lambda ctx, r: views.overview(ctx)))
routes.get("/admin/settings")(_page("settings", "Org settings", lambda ctx, r: views.settings(ctx)))
routes.get("/admin/users")(_page("users", "Users and mailboxes", lambda ctx, r: views.users(ctx)))
routes.get("/admin/apps")(_page("apps", "Enterprise apps", lambda ctx, r: views.apps(ctx)))
routes.get("/admin/trainer")(_page("trainer", "Trainer: clock and faults", lambda ctx, r: views.trainer(ctx)))
routes.get("/admin/reports")(_page(
    "reports", "Reports", lambda ctx, r: views.reports(ctx, 30 if r.query.get("days") == "30" else 7)))


@routes.get("/admin/mail")
async def mail_page(request: web.Request) -> web.Response:
    session = _session(request)
    if session is None:
        raise web.HTTPSeeOther("/admin/login")
    ctx: SimContext = request.app[CONTEXT]
    address = request.query.get("mailbox", "")
    # A big mailbox takes seconds to read: off the event loop.
    addresses = await asyncio.to_thread(ctx.mail.addresses)
    messages = await asyncio.to_thread(ctx.mail.messages, address) if address else []
    return _render(request, "mail", "Mailboxes", views.mail(ctx, address, addresses, messages), session)


@routes.get("/admin/login")
async def login_page(request: web.Request) -> web.Response:
    if _session(request) is not None:
        raise web.HTTPSeeOther("/admin")
    return _render(request, "login", "Sign in", views.login_form(), None)


@routes.post("/admin/login")
async def login(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    user = ctx.state.user(str(form.get("upn", "")))
    password = str(form.get("password", ""))
    now = ctx.state.now()
    # The same smart lockout as the sign-in pages: one count per account.
    if user is not None and ctx.lockout.locked(user.upn, now):
        return _locked(request)
    if user is None or not user.check_password(password):
        if user is not None and ctx.lockout.failed(user.upn, password, now):
            return _locked(request)
        return _render(request, "login", "Sign in",
                       views.login_form("Your account or password is incorrect."), None, status=401)
    ctx.lockout.succeeded(user.upn)
    if not user.is_global_admin:
        return _render(request, "login", "Sign in",
                       views.login_form("You don't have permission to access the admin center."), None,
                       status=403)
    sid = request.app[SESSIONS].create(user.upn)
    response = web.HTTPSeeOther("/admin")
    response.set_cookie(COOKIE, sid, httponly=True, secure=True, samesite="Strict", path="/admin")
    raise response


def _locked(request: web.Request) -> web.Response:
    message = (f"{text('en', 'account_locked')} (AADSTS{ACCOUNT_LOCKED_CODE})")
    return _render(request, "login", "Sign in", views.login_form(message), None, status=401)


@routes.post("/admin/logout")
async def logout(request: web.Request) -> web.Response:
    request.app[SESSIONS].drop(request.cookies.get(COOKIE, ""))
    response = web.HTTPSeeOther("/admin/login")
    response.del_cookie(COOKIE, path="/admin")
    raise response


def _on(form: Form, name: str) -> bool:
    value = str(form.get(name, ""))
    if value not in ("on", "off"):
        raise ValueError(f"{name} must be on or off")
    return value == "on"


@routes.post("/admin/settings")
@_action("/admin/settings")
async def change_setting(ctx: SimContext, form: Form, session: AdminSession) -> str:
    setting, on = str(form.get("setting", "")), _on(form, "value")
    names = {
        "security_defaults": ("security_defaults", "Security defaults"),
        "smtp_auth_org": ("smtp_auth_org", "SMTP AUTH for the organisation"),
        "conditional_access_block": ("conditional_access_block", "The conditional access policy"),
    }
    if setting not in names:
        raise ValueError(f"unknown setting {setting!r}")
    keyword, label = names[setting]
    ctx.state.set_policies(**{keyword: on})
    return f"{label}: {'on' if on else 'off'}."


@routes.post("/admin/settings/mail-flow")
@_action("/admin/settings")
async def mail_flow(ctx: SimContext, form: Form, session: AdminSession) -> str:
    """Exchange admin center > Settings > Mail flow: an unticked box is absent from the form."""
    turn_off = form.get("turn_off_smtp_auth") == "on"
    ctx.state.set_policies(smtp_auth_org=not turn_off)
    return f"Mail flow settings saved: SMTP AUTH for your organization is {'off' if turn_off else 'on'}."


@routes.post("/admin/settings/basic-auth")
@_action("/admin/settings")
async def basic_auth(ctx: SimContext, form: Form, session: AdminSession) -> str:
    if form.get("follow") == "yes":
        ctx.state.set_basic_smtp_auth(None)
        return "Basic authentication for SMTP AUTH follows Microsoft's timeline."
    allow = form.get("allow_basic") == "on"
    ctx.state.set_basic_smtp_auth(allow)
    return f"Basic authentication for SMTP AUTH: {'allowed' if allow else 'turned off'}."


@routes.post("/admin/users/email-apps")
@_action("/admin/users")
async def email_apps(ctx: SimContext, form: Form, session: AdminSession) -> str:
    """Microsoft 365 admin center > a user > Mail > Manage email apps > Authenticated SMTP."""
    upn = str(form.get("upn", ""))
    enabled = form.get("authenticated_smtp") == "on"
    ctx.state.set_mailbox_smtp_auth(upn, enabled)
    return f"Email apps for {upn} saved: Authenticated SMTP {'on' if enabled else 'off'}."


@routes.post("/admin/users/send-as")
@_action("/admin/users")
async def send_as(ctx: SimContext, form: Form, session: AdminSession) -> str:
    upn, trustee = str(form.get("upn", "")), str(form.get("trustee", ""))
    if _on(form, "granted"):
        ctx.state.grant_send_as(upn, trustee)
        return f"{trustee} may send as {upn}."
    ctx.state.remove_send_as(upn, trustee)
    return f"{trustee} may no longer send as {upn}."


@routes.post("/admin/users/shared")
@_action("/admin/users")
async def add_shared_mailbox(ctx: SimContext, form: Form, session: AdminSession) -> str:
    user = ctx.state.add_shared_mailbox(str(form.get("upn", "")), str(form.get("display_name", "")))
    return f"Added the shared mailbox {user.upn}."


@routes.post("/admin/users/add")
@_action("/admin/users")
async def add_user(ctx: SimContext, form: Form, session: AdminSession) -> str:
    role = str(form.get("role", ""))
    user = ctx.state.add_user(str(form.get("upn", "")), str(form.get("display_name", "")),
                              str(form.get("password", "")), [role] if role else [])
    return f"Added {user.upn}."


@routes.post("/admin/users/smtp-auth")
@_action("/admin/users")
async def mailbox_smtp_auth(ctx: SimContext, form: Form, session: AdminSession) -> str:
    choice = str(form.get("smtp_auth", ""))
    values = {"default": None, "on": True, "off": False}
    if choice not in values:
        raise ValueError("choose Follow organisation, Enabled or Disabled")
    upn = str(form.get("upn", ""))
    ctx.state.set_mailbox_smtp_auth(upn, values[choice])
    return f"SMTP AUTH for {upn}: {choice}."


@routes.post("/admin/users/password")
@_action("/admin/users")
async def reset_password(ctx: SimContext, form: Form, session: AdminSession) -> str:
    upn = str(form.get("upn", ""))
    ctx.state.reset_password(upn, str(form.get("password", "")))
    return f"Password of {upn} reset; its earlier sign-ins no longer refresh."


@routes.post("/admin/users/revoke")
@_action("/admin/users")
async def revoke_sessions(ctx: SimContext, form: Form, session: AdminSession) -> str:
    upn = str(form.get("upn", ""))
    ctx.state.revoke_sessions(upn)
    return f"Sessions of {upn} revoked."


@routes.post("/admin/apps/consent")
@_action("/admin/apps")
async def admin_consent(ctx: SimContext, form: Form, session: AdminSession) -> str:
    client_id = str(form.get("client_id", ""))
    if _on(form, "granted"):
        ctx.state.grant_consent(client_id, session.upn, for_org=True)
        return "Admin consent granted for the organisation."
    ctx.state.revoke_admin_consent(client_id)
    return "Admin consent withdrawn."


@routes.post("/admin/apps/registration")
@_action("/admin/apps")
async def app_registration(ctx: SimContext, form: Form, session: AdminSession) -> str:
    return apps.apply_admin_form(ctx.state, form)


def _whole_class_only(ctx: SimContext) -> None:
    """The clock, the faults and a reset reach every tenant of the simulator (a whole class):
    only the home tenant's administrators (the trainer) may use them."""
    if ctx.state.tenant is not ctx.state.home:
        raise SimStateError("The simulated clock, the faults and the reset serve the whole class: "
                            "only the trainer changes them.")


@routes.post("/admin/trainer/clock")
@_action("/admin/trainer")
async def advance_clock(ctx: SimContext, form: Form, session: AdminSession) -> str:
    _whole_class_only(ctx)
    if form.get("past_basic_cutoff") == "yes":  # to 01:00 UTC on 1 January 2027
        seconds = max(0.0, BASIC_DEFAULT_OFF_AT - ctx.state.now()) + 3600
    elif form.get("hours"):
        seconds = float(str(form["hours"])) * 3600
    else:
        seconds = float(str(form.get("seconds", "0")))
    ctx.state.advance_clock(seconds)
    return f"Clock advanced by {seconds / 3600:g} h."


@routes.post("/admin/trainer/fault")
@_action("/admin/trainer")
async def toggle_fault(ctx: SimContext, form: Form, session: AdminSession) -> str:
    _whole_class_only(ctx)
    name = str(form.get("name", ""))
    if name not in FAULT_NAMES:
        raise ValueError(f"unknown fault {name!r}")
    on = _on(form, "on")
    await ctx.set_fault(name, on)
    return f"Fault {name}: {'on' if on else 'off'}."


@routes.post("/admin/trainer/basic")
@_action("/admin/trainer")
async def trainer_basic(ctx: SimContext, form: Form, session: AdminSession) -> str:
    if "final_removal" in form:
        on = _on(form, "final_removal")
        ctx.state.set_basic_final_removal(on)
        return f"Final removal of Basic authentication: {'on' if on else 'off'}."
    if form.get("created_after") == "on":
        ctx.state.set_tenant_created(max(ctx.state.now(), BASIC_DEFAULT_OFF_AT + 86400))
        return "The tenant now counts as created after December 2026."
    raise ValueError("nothing to change")


@routes.post("/admin/trainer/sender")
@_action("/admin/trainer")
async def trainer_sender(ctx: SimContext, form: Form, session: AdminSession) -> str:
    upn, block = str(form.get("upn", "")), str(form.get("block", "none"))
    ctx.state.set_sender_block(upn, None if block == "none" else block)
    return f"Sender verdict for {upn}: {block}."


@routes.post("/admin/trainer/reset")
@_action("/admin/trainer")
async def reset_tenant(ctx: SimContext, form: Form, session: AdminSession) -> str:
    _whole_class_only(ctx)
    if form.get("confirm") != "yes":
        raise ValueError("reset not confirmed")
    await ctx.reset()
    return "Tenant reset to the seeded state."
