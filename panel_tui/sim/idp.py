"""The identity provider's protocol endpoints, shaped like Entra ID v2.0 for one tenant.

``/{tenant}/v2.0/.well-known/openid-configuration``, ``/{tenant}/discovery/v2.0/keys``,
``/{tenant}/oauth2/v2.0/devicecode`` and ``/{tenant}/oauth2/v2.0/token`` (device code,
authorization code with PKCE, and refresh token grants; ``/authorize`` is a sign-in page, in
:mod:`panel_tui.sim.devicelogin`), where ``{tenant}`` is the tenant id, its domain, ``organizations``
or ``common``. Errors are Entra's JSON answers (see :mod:`panel_tui.sim.aadsts`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import math

from aiohttp import web

from panel_tui.sim import aadsts, apps, devicecodes
from panel_tui.sim.aadsts import IdpError
from panel_tui.sim.context import SimContext
from panel_tui.sim.devicecodes import DEVICE_CODE_LIFETIME
from panel_tui.sim.faults import SLOW_DOWN
from panel_tui.sim.tenant import OIDC_SCOPES, RESOURCE_SCOPES, AppRegistration, User
from panel_tui.sim.webkeys import CONTEXT, Form

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTHORIZATION_CODE_GRANT = "authorization_code"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# The token endpoint's answer (token_type, scope, expires_in, access_token, id_token, ...).
TokenBody = dict[str, str | int]

routes = web.RouteTableDef()


@routes.get("/{tenant}/v2.0/.well-known/openid-configuration")
async def openid_configuration(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    try:
        alias = _tenant_alias(request)
    except IdpError as error:
        return error_response(ctx, error)
    base = f"{ctx.base_url}/{alias}"
    return web.json_response({
        "issuer": ctx.id_token_issuer,
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "tid",
            "ver", "oid", "preferred_username", "upn",
        ],
        "grant_types_supported": [DEVICE_CODE_GRANT, AUTHORIZATION_CODE_GRANT, "refresh_token"],
        "request_uri_parameter_supported": False,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "sim.localhost",
    })


@routes.get("/{tenant}/discovery/v2.0/keys")
async def jwks(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    try:
        _tenant_alias(request)
    except IdpError as error:
        return error_response(ctx, error)
    return web.json_response(ctx.key.jwks())


@routes.post("/{tenant}/oauth2/v2.0/devicecode")
async def device_authorization(request: web.Request) -> web.Response:
    """RFC 8628 section 3.1/3.2: hand out a device code and a user code."""
    ctx: SimContext = request.app[CONTEXT]
    try:
        _tenant_alias(request)
        form = await request.post()
        client_id = _required(form, "client_id")
        apps.check_device_code_request(_require_app(ctx, client_id), request.match_info["tenant"])
        scopes = parse_scopes(str(form.get("scope", "")))
    except IdpError as error:
        return error_response(ctx, error)
    wait = ctx.device_code_limit.take(request.remote or "", client_id)
    if wait:
        return error_response(ctx, IdpError(aadsts.DEVICE_CODE_THROTTLED), retry_after=wait)
    code = ctx.device_codes.create(client_id, scopes, ctx.state.now(), ctx.poll_interval)
    if request.match_info["tenant"].lower() not in ("organizations", "common"):
        code.tenant_id = ctx.state.tenant.tenant_id  # the sign-in must be an account of this tenant
    verification_uri = f"{ctx.base_url}/devicelogin"
    return web.json_response({
        "user_code": code.user_code,
        "device_code": code.device_code,
        "verification_uri": verification_uri,
        "expires_in": DEVICE_CODE_LIFETIME,
        "interval": code.interval,
        "message": (
            f"To sign in, use a web browser to open the page {verification_uri} and enter "
            f"the code {code.user_code} to authenticate."
        ),
    }, headers=_NO_STORE)


@routes.post("/{tenant}/oauth2/v2.0/token")
async def token(request: web.Request) -> web.Response:
    ctx: SimContext = request.app[CONTEXT]
    try:
        _tenant_alias(request)
        form = await request.post()
        grant_type = _required(form, "grant_type")
        client_id = _required(form, "client_id")
        apps.check_token_request(_require_app(ctx, client_id))
        if grant_type == DEVICE_CODE_GRANT:
            body = _device_code_grant(ctx, form, client_id)
        elif grant_type == AUTHORIZATION_CODE_GRANT:
            body = _authorization_code_grant(ctx, form, client_id)
        elif grant_type == "refresh_token":
            body = _refresh_token_grant(ctx, form, client_id)
        else:
            raise IdpError(aadsts.UNSUPPORTED_GRANT_TYPE, grant_type=grant_type)
    except IdpError as error:
        return error_response(ctx, error)
    return web.json_response(body, headers=_NO_STORE)


def _device_code_grant(ctx: SimContext, form: Form, client_id: str) -> TokenBody:
    """RFC 8628 section 3.4/3.5 polling, with Entra's error codes."""
    device_code = str(form.get("device_code") or form.get("code") or "")
    if not device_code:
        raise IdpError(aadsts.MISSING_PARAMETER, name="device_code")
    code = ctx.device_codes.by_device_code(device_code)
    if code is None or code.client_id != client_id or code.redeemed or code.redirect_uri:
        raise IdpError(aadsts.BAD_VERIFICATION_CODE)
    # The tokens are the signed-in user's tenant's (the code's own, or the account's domain).
    ctx.state.select(ctx.state.find_tenant(code.tenant_id) or ctx.state.tenant_of_upn(code.upn) or ctx.state.tenant)
    now = ctx.state.now()
    if code.expired(now):
        raise IdpError(aadsts.EXPIRED_TOKEN)
    code.polls += 1
    if ctx.faults.is_on(SLOW_DOWN):
        raise IdpError(aadsts.SLOW_DOWN)
    if code.status == devicecodes.PENDING:
        raise IdpError(aadsts.AUTHORIZATION_PENDING)
    if code.status == devicecodes.DECLINED:
        raise IdpError(aadsts.AUTHORIZATION_DECLINED)
    if code.status == devicecodes.BLOCKED:
        raise IdpError(aadsts.CONDITIONAL_ACCESS_BLOCKED)
    if code.status == devicecodes.MFA_FAILED:
        raise IdpError(aadsts.MFA_FAILED)
    if code.status == devicecodes.CONSENT_REQUIRED:
        raise IdpError(aadsts.CONSENT_REQUIRED, client_id=client_id,
                       app_name=ctx.state.app_name(client_id))
    user = ctx.state.user(code.upn or "")
    if user is None:  # deleted between approval and polling
        raise IdpError(aadsts.BAD_VERIFICATION_CODE)
    code.redeemed = True
    auth_time = code.auth_time or now
    return _token_response(ctx, user, client_id, code.scopes, auth_time)


def _authorization_code_grant(ctx: SimContext, form: Form, client_id: str) -> TokenBody:
    """RFC 6749 section 4.1.3 with PKCE (RFC 7636): the code the sign-in pages sent back."""
    code = ctx.device_codes.by_device_code(_required(form, "code"))
    if (code is None or not code.redirect_uri or code.client_id != client_id or code.redeemed
            or code.status != devicecodes.APPROVED or code.expired(ctx.state.now())):
        raise IdpError(aadsts.AUTH_CODE_INVALID)
    if str(form.get("redirect_uri", "")) != code.redirect_uri:
        raise IdpError(aadsts.REDIRECT_URI_MISMATCH, redirect_uri=str(form.get("redirect_uri", "")),
                       client_id=client_id)
    verifier = str(form.get("code_verifier", "")).encode("ascii", "replace")
    answer = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode("ascii")
    if not hmac.compare_digest(answer.encode("ascii"), code.code_challenge.encode("utf-8")):
        raise IdpError(aadsts.PKCE_MISMATCH)
    ctx.state.select(ctx.state.find_tenant(code.tenant_id) or ctx.state.tenant_of_upn(code.upn) or ctx.state.tenant)
    user = ctx.state.user(code.upn or "")
    if user is None:
        raise IdpError(aadsts.AUTH_CODE_INVALID)
    code.redeemed = True
    return _token_response(ctx, user, client_id, code.scopes, code.auth_time or ctx.state.now(), nonce=code.nonce)


def _refresh_token_grant(ctx: SimContext, form: Form, client_id: str) -> TokenBody:
    refresh_token = _required(form, "refresh_token")
    requested = str(form.get("scope", "")).strip()
    if requested:
        parse_scopes(requested)  # an unknown scope is refused before the token is used up
    ctx.state.select(ctx.state.tenant_holding_refresh_token(refresh_token) or ctx.state.tenant)
    record = ctx.state.redeem_refresh_token(refresh_token, client_id)
    user = ctx.state.user(record.upn)
    if user is None:
        raise IdpError(aadsts.REFRESH_TOKEN_INVALID)
    return _token_response(ctx, user, client_id, record.scopes, record.auth_time)


def _token_response(ctx: SimContext, user: User, client_id: str, scopes: list[str], auth_time: float,
                    nonce: str = "") -> TokenBody:
    now = ctx.state.now()
    issued = ctx.issuer.issue(
        user=user, client_id=client_id, app_name=ctx.state.app_name(client_id), scopes=scopes,
        now=now, auth_time=auth_time, id_token_issuer=ctx.id_token_issuer, nonce=nonce,
    )
    body: TokenBody = {
        "token_type": "Bearer",
        "scope": issued.scope,
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.access_token,
        "id_token": issued.id_token,
        "client_info": ctx.issuer.client_info(user),
    }
    if "offline_access" in scopes:
        body["refresh_token"] = ctx.state.issue_refresh_token(user.upn, client_id, scopes, auth_time)
    return body


def parse_scopes(raw: str) -> list[str]:
    """The scopes a request may carry; the resource scope (SMTP.Send) is mandatory."""
    granted: list[str] = []
    has_resource = False
    for scope in raw.split():
        lowered = scope.lower()
        if lowered in OIDC_SCOPES:
            granted.append(lowered)
        elif lowered in RESOURCE_SCOPES:
            granted.append(RESOURCE_SCOPES[lowered])
            has_resource = True
        else:
            raise IdpError(aadsts.INVALID_SCOPE, scope=scope)
    if not has_resource:
        raise IdpError(aadsts.INVALID_SCOPE, scope=raw.strip() or "(none)")
    return list(dict.fromkeys(granted))


def error_response(ctx: SimContext, error: IdpError, retry_after: float = 0) -> web.Response:
    # MSAL replays a 5xx, and a 400 without Retry-After, for 60 s from its own cache. Entra
    # sends none, but a trainer who lifts a policy wants the very next retry to count. A
    # throttled request says how long to wait.
    headers = {**_NO_STORE, "Retry-After": str(max(0, math.ceil(retry_after)))}
    return web.json_response(error.body(ctx.state.now()), status=error.kind.status, headers=headers)


def _tenant_alias(request: web.Request) -> str:
    ctx: SimContext = request.app[CONTEXT]
    alias = request.match_info["tenant"]
    if alias.lower() not in {a.lower() for a in ctx.tenant_aliases()}:
        raise IdpError(aadsts.UNKNOWN_TENANT, tenant=alias)
    return alias


def _required(form: Form, name: str) -> str:
    value = str(form.get(name, "")).strip()
    if not value:
        raise IdpError(aadsts.MISSING_PARAMETER, name=name)
    return value


def _require_app(ctx: SimContext, client_id: str) -> AppRegistration:
    registration = ctx.state.app(client_id)
    if registration is None:
        raise IdpError(aadsts.UNKNOWN_CLIENT, client_id=client_id, tenant=ctx.tenant_id)
    return registration
