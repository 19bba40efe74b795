"""The /devicelogin pages: enter code > account > password > permissions > signed in.

Each step is a plain HTML form posted to the next step (no script, no cookie). A
sign-in in progress is named by an unguessable ``flow`` id carried in a hidden field;
the server keeps its stage, so a step cannot be skipped by posting to a later one.
The page's ``<main>`` carries ``data-page`` and ``data-error`` for tests and for
:class:`panel_tui.sim.control.SimControl`.

Outcomes, as the polling device sees them (see README.md):
  * Accept -> tokens;  Cancel -> ``authorization_declined`` (AADSTS65004)
  * conditional access policy on -> page AADSTS53003, poll ``access_denied`` (53003)
  * non-administrator, no consent for the organisation -> page AADSTS90094 (need admin
    approval), poll ``invalid_grant`` + ``consent_required`` (AADSTS65001)
  * 10 wrong passwords -> the account is locked for a while (smart lockout, AADSTS50053,
    see :mod:`panel_tui.sim.throttle`); the device keeps polling ``authorization_pending``
  * security defaults on and an administrator signing in -> a second factor: Microsoft
    Authenticator's number match (the page shows a number; the simulated Authenticator at
    ``/authenticator`` or the trainer console approves or denies). Denied, a wrong number, or
    no answer within MFA_TIMEOUT simulated seconds -> page AADSTS500121, poll ``access_denied``
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from panel_tui.sim import apps, devicecodes, idp
from panel_tui.sim.aadsts import (
    ACCOUNT_LOCKED_CODE,
    ADMIN_APPROVAL_REQUIRED,
    AUTHORIZATION_DECLINED,
    BAD_PASSWORD_CODE,
    CONDITIONAL_ACCESS_BLOCKED,
    MFA_FAILED,
    MISSING_PARAMETER,
    REDIRECT_URI_MISMATCH,
    UNKNOWN_CLIENT,
    USER_NOT_FOUND_CODE,
    IdpError,
)
from panel_tui.sim.context import SimContext
from panel_tui.sim.devicecodes import DeviceCode
from panel_tui.sim.markup import Markup, html, html_response, join, signin_document
from panel_tui.sim.strings import LANGUAGE_NAMES, LANGUAGES, pick_language, text
from panel_tui.sim.tenant import SMTP_SEND, User
from panel_tui.sim.webkeys import CONTEXT, Form

routes = web.RouteTableDef()

_FLOW_LIFETIME = 1800  # real seconds; a device code lives 900 simulated seconds anyway

STAGE_ACCOUNT = "account"
STAGE_PASSWORD = "password"
STAGE_CONSENT = "consent"
STAGE_MFA = "mfa"
MFA_TIMEOUT = 60.0  # simulated seconds an Authenticator request waits for its answer
MFA_APPROVED = "approved"
MFA_DENIED = "denied"


@dataclass
class SignInFlow:
    """One browser's way through the pages for one device code."""

    flow_id: str
    user_code: str
    stage: str
    upn: str = ""
    started: float = field(default_factory=time.monotonic)
    mfa_number: int = 0  # the number match shown on the sign-in page
    mfa_sent: float = 0.0  # simulated time the Authenticator request went out
    mfa_answer: str = ""  # MFA_APPROVED / MFA_DENIED once the Authenticator answered


class SignInFlows:
    """Sign-ins in progress, by flow id."""

    def __init__(self) -> None:
        self._flows: dict[str, SignInFlow] = {}

    def start(self, user_code: str) -> SignInFlow:
        self._prune()
        flow = SignInFlow(flow_id=secrets.token_urlsafe(24), user_code=user_code, stage=STAGE_ACCOUNT)
        self._flows[flow.flow_id] = flow
        return flow

    def get(self, flow_id: str) -> SignInFlow | None:
        return self._flows.get(flow_id)

    def end(self, flow: SignInFlow) -> None:
        self._flows.pop(flow.flow_id, None)

    def awaiting_mfa(self, ctx: SimContext, upn: str) -> list[SignInFlow]:
        """The Authenticator requests of `upn` still open (unanswered, not timed out, their
        device code pending), newest first, as the app lists them."""
        now = ctx.state.now()

        def live(flow: SignInFlow) -> bool:
            code = ctx.device_codes.by_user_code(flow.user_code)
            return (code is not None and code.status == devicecodes.PENDING and not code.expired(now)
                    and now - flow.mfa_sent <= MFA_TIMEOUT)

        found = [f for f in self._flows.values()
                 if f.stage == STAGE_MFA and f.upn == upn and not f.mfa_answer and live(f)]
        return sorted(found, key=lambda f: f.mfa_sent, reverse=True)

    def answer_mfa(self, flow_id: str, number: str, approve: bool) -> bool:
        """The Authenticator's answer; a wrong number denies, as Entra does. True if approved."""
        flow = self._flows.get(flow_id)
        if flow is None or flow.stage != STAGE_MFA or flow.mfa_answer:
            return False
        approved = approve and number.strip() == str(flow.mfa_number)
        flow.mfa_answer = MFA_APPROVED if approved else MFA_DENIED
        return approved

    def _prune(self) -> None:
        cutoff = time.monotonic() - _FLOW_LIFETIME
        for key in [k for k, f in self._flows.items() if f.started < cutoff]:
            del self._flows[key]


FLOWS = web.AppKey("signin_flows", SignInFlows)


# -- handlers ----------------------------------------------------------------------------


@routes.get("/devicelogin")
async def enter_code_page(request: web.Request) -> web.Response:
    lang = _language(request)
    return _enter_code(lang, prefill=request.query.get("otc", ""))


@routes.post("/devicelogin")
async def submit_code(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    lang = _language(request, form)
    typed = str(form.get("otc", ""))
    code = ctx.device_codes.by_user_code(typed)
    problem = "code_invalid" if code is not None and code.redirect_uri else _code_problem(ctx, code)
    if problem:
        return _enter_code(lang, prefill=typed, error=problem)
    assert code is not None
    flow = request.app[FLOWS].start(code.user_code)
    return _account(ctx, lang, flow)


@routes.post("/devicelogin/account")
async def submit_account(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    lang = _language(request, form)
    flow, code, stop = _continue(request, form, lang, STAGE_ACCOUNT)
    if stop is not None:
        return stop
    assert flow is not None and code is not None  # no page to stop at: the step's flow and code
    typed = str(form.get("loginfmt", "")).strip()
    user = ctx.state.user(typed)
    if user is None:
        return _account(ctx, lang, flow, typed=typed, error=True)
    flow.upn = user.upn
    flow.stage = STAGE_PASSWORD
    return _password(lang, flow)


@routes.post("/devicelogin/password")
async def submit_password(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    lang = _language(request, form)
    flow, code, stop = _continue(request, form, lang, STAGE_PASSWORD)
    if stop is not None:
        return stop
    assert flow is not None and code is not None  # no page to stop at: the step's flow and code
    user = ctx.state.user(flow.upn)
    now = ctx.state.now()
    if user is not None and ctx.lockout.locked(user.upn, now):
        return _password(lang, flow, error=ACCOUNT_LOCKED_CODE)
    password = str(form.get("passwd", ""))
    if user is None or not user.check_password(password):
        locked = user is not None and ctx.lockout.failed(user.upn, password, now)
        return _password(lang, flow, error=ACCOUNT_LOCKED_CODE if locked else BAD_PASSWORD_CODE)
    ctx.lockout.succeeded(user.upn)
    code.upn = user.upn
    if ctx.state.tenant.policies.security_defaults and user.roles:
        # Security defaults: administrators answer a second factor at every sign-in.
        flow.stage = STAGE_MFA
        flow.mfa_number = 10 + secrets.randbelow(90)
        flow.mfa_sent = now
        return _mfa(ctx, lang, flow)
    return _after_first_factor(request, ctx, lang, flow, code, user)


@routes.post("/devicelogin/mfa")
async def submit_mfa(request: web.Request) -> web.Response:
    """The sign-in page asks whether the Authenticator answered."""
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    lang = _language(request, form)
    flow, code, stop = _continue(request, form, lang, STAGE_MFA)
    if stop is not None:
        return stop
    assert flow is not None and code is not None  # no page to stop at: the step's flow and code
    app = ctx.state.app_name(code.client_id)
    if flow.mfa_answer == MFA_DENIED or (not flow.mfa_answer and ctx.state.now() - flow.mfa_sent > MFA_TIMEOUT):
        timed_out = flow.mfa_answer != MFA_DENIED
        code.status = devicecodes.MFA_FAILED
        request.app[FLOWS].end(flow)
        return _outcome(lang, "mfa-timeout" if timed_out else "mfa-denied",
                        "mfa_timeout_title" if timed_out else "mfa_denied_title",
                        "mfa_timeout_body" if timed_out else "mfa_denied_body", code=MFA_FAILED.code, app=app)
    if flow.mfa_answer != MFA_APPROVED:
        return _mfa(ctx, lang, flow, waiting=True)
    user = ctx.state.user(flow.upn)
    if user is None:
        request.app[FLOWS].end(flow)
        return _start_over(lang)
    return _after_first_factor(request, ctx, lang, flow, code, user)


@routes.get("/authenticator")
async def authenticator_page(request: web.Request) -> web.Response:
    """The simulated Microsoft Authenticator of one account (``?upn=``): its pending requests."""
    ctx: SimContext = request.app[CONTEXT]
    lang = _language(request)
    upn = ctx.state.user(request.query.get("upn", ""))
    return _authenticator(request, lang, upn.upn if upn else str(request.query.get("upn", "")))


@routes.post("/authenticator")
async def authenticator_answer(request: web.Request) -> web.Response:
    form = await request.post()
    lang = _language(request, form)
    approved = request.app[FLOWS].answer_mfa(str(form.get("request", "")), str(form.get("number", "")),
                                             form.get("action") == "approve")
    return _authenticator(request, lang, str(form.get("upn", "")), answered=MFA_APPROVED if approved else MFA_DENIED)


@routes.get("/{tenant}/oauth2/v2.0/authorize")
async def authorize(request: web.Request) -> web.Response:
    """An authorization code request (RFC 6749 4.1, PKCE S256 required: a public client): the same
    pages as /devicelogin from the account step on; success sends the code to the loopback
    ``redirect_uri`` (a redirect, or with ``response_mode=form_post`` a form the browser posts
    there), every other outcome is the page the device code sign-in shows."""
    ctx: SimContext = request.app[CONTEXT]
    query = request.query
    lang = pick_language(query.get("ui_locales") or query.get("lang"), None, request.headers.get("Accept-Language"))
    try:
        idp._tenant_alias(request)
        client_id = str(query.get("client_id", ""))
        registration = ctx.state.app(client_id)
        if registration is None:
            raise IdpError(UNKNOWN_CLIENT, client_id=client_id, tenant=ctx.tenant_id)
        apps.check_device_code_request(registration, request.match_info["tenant"])
        redirect_uri = str(query.get("redirect_uri", ""))
        if not _loopback_redirect(redirect_uri):
            raise IdpError(REDIRECT_URI_MISMATCH, redirect_uri=redirect_uri, client_id=client_id)
        for name in ("response_type", "code_challenge"):
            if not query.get(name):
                raise IdpError(MISSING_PARAMETER, name=name)
        if query["response_type"] != "code" or query.get("code_challenge_method") != "S256":
            raise IdpError(MISSING_PARAMETER, name="code_challenge_method")
        response_mode = str(query.get("response_mode", "query"))
        if response_mode not in ("query", "form_post"):
            raise IdpError(MISSING_PARAMETER, name="response_mode")
        scopes = idp.parse_scopes(str(query.get("scope", "")))
    except IdpError as error:
        return idp.error_response(ctx, error)
    code = ctx.device_codes.create(client_id, scopes, ctx.state.now(), ctx.poll_interval)
    code.redirect_uri, code.code_challenge = redirect_uri, str(query["code_challenge"])
    code.state, code.nonce = str(query.get("state", "")), str(query.get("nonce", ""))
    code.response_mode = response_mode
    if request.match_info["tenant"].lower() not in apps.TENANT_INDEPENDENT:
        code.tenant_id = ctx.state.tenant.tenant_id
    flow = request.app[FLOWS].start(code.user_code)
    return _account(ctx, lang, flow, typed=str(query.get("login_hint", "")))


def _loopback_redirect(uri: str) -> bool:
    """A public client's redirect URI Entra accepts on any port: http://localhost or 127.0.0.1."""
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1") and not parts.fragment


def _finish(ctx: SimContext, lang: str, code: DeviceCode) -> web.Response:
    """Signed in: the page that says so, or for an authorization code request the redirect."""
    if not code.redirect_uri:
        return _signed_in(ctx, lang, code)
    if code.response_mode == "form_post":  # the code in a form the browser posts, not in an address
        card = html(
            """<h1>{title}</h1>
<form method="post" action="{action}">
<input type="hidden" name="code" value="{code}"><input type="hidden" name="state" value="{state}">
<div class="actions"><button type="submit" class="primary" id="continue">{cont}</button></div>
</form>""",
            title=text(lang, "signed_in_title"), action=code.redirect_uri, code=code.device_code, state=code.state,
            cont=text(lang, "mfa_continue"),
        )
        return _page(lang, "form-post", card)
    answer = urlencode({"code": code.device_code, "state": code.state})
    raise web.HTTPFound(f"{code.redirect_uri}{'&' if '?' in code.redirect_uri else '?'}{answer}")


def _after_first_factor(request: web.Request, ctx: SimContext, lang: str, flow: SignInFlow, code: DeviceCode,
                        user: User) -> web.Response:
    """Password (and second factor) accepted: conditional access, then consent or done."""
    if ctx.state.tenant.policies.conditional_access_block_device_code:
        code.status = devicecodes.BLOCKED
        request.app[FLOWS].end(flow)
        return _outcome(lang, "blocked", "blocked_title", "blocked_body",
                        code=CONDITIONAL_ACCESS_BLOCKED.code, app=ctx.state.app_name(code.client_id))
    if ctx.state.has_consent(user.upn, code.client_id):
        _approve(ctx, code)
        request.app[FLOWS].end(flow)
        return _finish(ctx, lang, code)
    if not user.can_consent_for_org:
        code.status = devicecodes.CONSENT_REQUIRED
        request.app[FLOWS].end(flow)
        return _outcome(lang, "admin-approval", "approval_title", "approval_body",
                        code=ADMIN_APPROVAL_REQUIRED.code, app=ctx.state.app_name(code.client_id),
                        hint="approval_hint")
    flow.stage = STAGE_CONSENT
    return _permissions(ctx, lang, flow, code, offer_org_consent=True)


@routes.post("/devicelogin/consent")
async def submit_consent(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    form = await request.post()
    lang = _language(request, form)
    flow, code, stop = _continue(request, form, lang, STAGE_CONSENT)
    if stop is not None:
        return stop
    assert flow is not None and code is not None  # no page to stop at: the step's flow and code
    request.app[FLOWS].end(flow)
    user = ctx.state.user(flow.upn)
    if form.get("action") != "accept" or user is None:
        code.status = devicecodes.DECLINED
        return _outcome(lang, "declined", "declined_title", "declined_body",
                        code=AUTHORIZATION_DECLINED.code, app=ctx.state.app_name(code.client_id))
    for_org = form.get("consent_org") == "on" and user.can_consent_for_org
    # What the device asked for (SMTP.Send), whether or not the app registration lists it.
    ctx.state.grant_consent(code.client_id, user.upn, for_org=for_org, scopes=[SMTP_SEND])
    _approve(ctx, code)
    return _finish(ctx, lang, code)


# -- steps -------------------------------------------------------------------------------


def _continue(request: web.Request, form: Form, lang: str,
              stage: str) -> tuple[SignInFlow | None, DeviceCode | None, web.Response | None]:
    """The flow and code a posted step belongs to, or the page to show instead."""
    ctx: SimContext = request.app[CONTEXT]
    flow = request.app[FLOWS].get(str(form.get("flow", "")))
    if flow is None or flow.stage != stage:
        return None, None, _start_over(lang)
    code = ctx.device_codes.by_user_code(flow.user_code)
    problem = _code_problem(ctx, code)
    if problem:
        request.app[FLOWS].end(flow)
        return None, None, _enter_code(lang, error=problem)
    return flow, code, None


def _code_problem(ctx: SimContext, code: DeviceCode | None) -> str:
    if code is None:
        return "code_invalid"
    if code.expired(ctx.state.now()):
        return "code_expired"
    if code.status != devicecodes.PENDING:
        return "code_used"
    return ""


def _approve(ctx: SimContext, code: DeviceCode) -> None:
    code.status = devicecodes.APPROVED
    code.auth_time = ctx.state.now()


def _language(request: web.Request, form: Form | None = None) -> str:
    return pick_language(
        request.query.get("lang"),
        str(form.get("lang", "")) if form is not None else None,
        request.headers.get("Accept-Language"),
    )


# -- pages -------------------------------------------------------------------------------


def _page(lang: str, page: str, card: Markup, *, error_code: str = "", switch_language: bool = False) -> web.Response:
    links = Markup("")
    if switch_language:
        links = join(
            html('<a href="/devicelogin?lang={code}" hreflang="{code}" lang="{code}">{name}</a>',
                 code=code, name=LANGUAGE_NAMES[code])
            for code in LANGUAGES if code != lang
        )
    footer = html("{text} {links}", text=text(lang, "footer"), links=links)
    document = signin_document(
        lang=lang, title=text(lang, "html_title"), brand=text(lang, "brand"), card=card,
        page=page, footer=footer, error_code=error_code,
    )
    return html_response(document)


def _hidden(lang: str, flow: SignInFlow | None = None) -> Markup:
    fields = html('<input type="hidden" name="lang" value="{lang}">', lang=lang)
    if flow is not None:
        fields = Markup(fields + html('<input type="hidden" name="flow" value="{flow}">', flow=flow.flow_id))
    return Markup(fields)


def _error(lang: str, key: str) -> Markup:
    return html('<p class="error" role="alert">{message}</p>', message=text(lang, key))


def _enter_code(lang: str, prefill: str = "", error: str = "") -> web.Response:
    card = html(
        """<h1>{title}</h1>
<p>{help}</p>
{error}
<form method="post" action="/devicelogin" autocomplete="off">
{hidden}
<label class="field" for="otc">{label}</label>
<input type="text" class="code" id="otc" name="otc" value="{prefill}" maxlength="20" autofocus required
 aria-label="{label}" spellcheck="false" autocapitalize="characters">
<div class="actions"><button type="submit" class="primary" id="next">{next}</button></div>
</form>""",
        title=text(lang, "enter_code_title"), help=text(lang, "enter_code_help"),
        error=_error(lang, error) if error else Markup(""), hidden=_hidden(lang),
        label=text(lang, "code_label"), prefill=prefill, next=text(lang, "next"),
    )
    return _page(lang, "enter-code", card, error_code=error, switch_language=True)


def _account(ctx: SimContext, lang: str, flow: SignInFlow, typed: str = "", error: bool = False) -> web.Response:
    code = ctx.device_codes.by_user_code(flow.user_code)
    app = ctx.state.app_name(code.client_id) if code else ""
    card = html(
        """<h1>{title}</h1>
<p>{help}</p>
{error}
<form method="post" action="/devicelogin/account">
{hidden}
<label class="field" for="loginfmt">{label}</label>
<input type="email" id="loginfmt" name="loginfmt" value="{typed}" autofocus required autocomplete="username">
<div class="actions"><button type="submit" class="primary" id="next">{next}</button></div>
</form>""",
        title=text(lang, "account_title"), help=text(lang, "account_help", app=app),
        error=_error(lang, "account_unknown") if error else Markup(""), hidden=_hidden(lang, flow),
        label=text(lang, "account_label"), typed=typed, next=text(lang, "next"),
    )
    return _page(lang, "account", card, error_code=f"AADSTS{USER_NOT_FOUND_CODE}" if error else "")


_PASSWORD_ERRORS = {BAD_PASSWORD_CODE: "password_wrong", ACCOUNT_LOCKED_CODE: "account_locked"}


def _password(lang: str, flow: SignInFlow, error: int | None = None) -> web.Response:
    card = html(
        """<p class="identity">{upn}</p>
<h1>{title}</h1>
{error}
<form method="post" action="/devicelogin/password">
{hidden}
<label class="field" for="passwd">{label}</label>
<input type="password" id="passwd" name="passwd" autofocus required autocomplete="current-password">
<div class="actions"><button type="submit" class="primary" id="signin">{sign_in}</button></div>
</form>""",
        upn=flow.upn, title=text(lang, "password_title"),
        error=_error(lang, _PASSWORD_ERRORS[error]) if error else Markup(""), hidden=_hidden(lang, flow),
        label=text(lang, "password_label"), sign_in=text(lang, "sign_in"),
    )
    return _page(lang, "password", card, error_code=f"AADSTS{error}" if error else "")


def _permissions(ctx: SimContext, lang: str, flow: SignInFlow, code: DeviceCode,
                 offer_org_consent: bool) -> web.Response:
    org = html(
        """<div class="consent"><input type="checkbox" id="consent_org" name="consent_org" value="on">
<label for="consent_org"><strong>{label}</strong><br><span class="note">{help}</span></label></div>""",
        label=text(lang, "consent_org"), help=text(lang, "consent_org_help"),
    ) if offer_org_consent else Markup("")
    card = html(
        """<p class="identity">{upn}</p>
<h1>{title}</h1>
<p class="app">{app}</p>
<p>{intro}</p>
<ul class="perms"><li>{smtp}</li><li>{offline}</li><li>{profile}</li></ul>
<form method="post" action="/devicelogin/consent">
{hidden}
{org}
<p class="note">{note}</p>
<div class="actions">
<button type="submit" class="secondary" name="action" value="cancel" id="cancel">{cancel}</button>
<button type="submit" class="primary" name="action" value="accept" id="accept">{accept}</button>
</div>
</form>""",
        upn=flow.upn, title=text(lang, "permissions_title"), app=ctx.state.app_name(code.client_id),
        intro=text(lang, "permissions_intro"), smtp=text(lang, "perm_smtp"),
        offline=text(lang, "perm_offline"), profile=text(lang, "perm_profile"),
        hidden=_hidden(lang, flow), org=org, note=text(lang, "permissions_note"),
        cancel=text(lang, "cancel"), accept=text(lang, "accept"),
    )
    return _page(lang, "permissions", card)


def _mfa(ctx: SimContext, lang: str, flow: SignInFlow, waiting: bool = False) -> web.Response:
    where = f"{ctx.base_url}/authenticator?upn={flow.upn}&lang={lang}"
    card = html(
        """<p class="identity">{upn}</p>
<h1>{title}</h1>
<p>{body}</p>
<p class="mfa-number" id="mfa-number" aria-live="polite">{number}</p>
{waiting}
<p class="note">{where}</p>
<form method="post" action="/devicelogin/mfa">
{hidden}
<div class="actions"><button type="submit" class="primary" id="mfa-continue">{cont}</button></div>
</form>""",
        upn=flow.upn, title=text(lang, "mfa_title"), body=text(lang, "mfa_body"), number=str(flow.mfa_number),
        waiting=_error(lang, "mfa_waiting") if waiting else Markup(""),
        where=text(lang, "mfa_where", url=where), hidden=_hidden(lang, flow), cont=text(lang, "mfa_continue"),
    )
    return _page(lang, "mfa-number", card)


def _authenticator(request: web.Request, lang: str, upn: str, answered: str = "") -> web.Response:
    pending = request.app[FLOWS].awaiting_mfa(request.app[CONTEXT], upn)
    requests = join(
        html("""<form method="post" action="/authenticator" class="mfa-request">
<input type="hidden" name="lang" value="{lang}"><input type="hidden" name="upn" value="{upn}">
<input type="hidden" name="request" value="{flow}">
<h2>{question}</h2><p>{upn}</p>
<label class="field" for="number-{n}">{number}</label>
<input type="text" inputmode="numeric" id="number-{n}" name="number" maxlength="2" autocomplete="off">
<div class="actions"><button type="submit" class="secondary" name="action" value="deny">{no}</button>
<button type="submit" class="primary" name="action" value="approve">{yes}</button></div></form>""",
             lang=lang, upn=upn, flow=flow.flow_id, n=index, question=text(lang, "auth_question"),
             number=text(lang, "auth_number"), no=text(lang, "auth_no"), yes=text(lang, "auth_yes"))
        for index, flow in enumerate(pending)
    ) or html("<p>{none}</p>", none=text(lang, "auth_none", upn=upn))
    result = html('<p class="note" role="status" data-status="{a}">{r}</p>', a=answered,
                  r=text(lang, f"auth_{answered}")) if answered else Markup("")
    card = html("<h1>{title}</h1>{result}{requests}", title=text(lang, "auth_title"), result=result,
                requests=requests)
    return _page(lang, "authenticator", card)


def _signed_in(ctx: SimContext, lang: str, code: DeviceCode) -> web.Response:
    card = html(
        """<p class="done" aria-hidden="true">&#10003;</p>
<h1>{title}</h1>
<p>{body}</p>
<p class="identity">{who}</p>""",
        title=text(lang, "signed_in_title"),
        body=text(lang, "signed_in_body", app=ctx.state.app_name(code.client_id)),
        who=text(lang, "signed_in_as", upn=code.upn or ""),
    )
    return _page(lang, "signed-in", card)


def _outcome(lang: str, page: str, title_key: str, body_key: str, *, code: int | None, app: str,
             hint: str = "") -> web.Response:
    card = html(
        """<h1>{title}</h1>
<p>{body}</p>
{hint}
<p class="code-line">{code_line}</p>""",
        title=text(lang, title_key), body=text(lang, body_key, app=app),
        hint=html('<p class="note">{hint}</p>', hint=text(lang, hint)) if hint else Markup(""),
        code_line=text(lang, "error_code", code=f"AADSTS{code}"),
    )
    return _page(lang, page, card, error_code=f"AADSTS{code}")


def _start_over(lang: str) -> web.Response:
    card = html(
        """<h1>{title}</h1>
<p>{body}</p>
<p><a href="/devicelogin?lang={lang}">{link}</a></p>""",
        title=text(lang, "start_over_title"), body=text(lang, "start_over_body"),
        lang=lang, link=text(lang, "start_over_link"),
    )
    return _page(lang, "start-over", card)
