"""App registrations as Entra ID has them, and the identity provider's checks of them.

An :class:`~panel_tui.sim.tenant.AppRegistration` carries the three properties a printer's
sign-in depends on, each with the answer Entra gives when it is wrong:

* sign-in audience: a single-tenant app ("AzureADMyOrg", the Entra portal's default)
  asked for a device code through ``organizations`` or ``common`` -> AADSTS50194;
* Allow public client flows = No: redeeming the device code (or a refresh token)
  without a client secret -> AADSTS7000218;
* the delegated SMTP.Send permission not configured: "Grant admin consent" in the admin
  center grants the configured permissions only, so the printer's mailbox (no admin role)
  gets "Need admin approval" (AADSTS90094 / 65001) even though the page reads "Granted";
  an administrator consenting on the sign-in page still grants it (dynamic consent).

An unknown client id gets AADSTS700016 (:func:`panel_tui.sim.idp._require_app`). The
control API ``/_sim/apps/{client_id}`` and the admin center's Enterprise apps page change
these properties; scenarios use the control API.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

from panel_tui.sim.aadsts import AadErrorKind, IdpError
from panel_tui.sim.markup import Markup, html
from panel_tui.sim.state import SimState
from panel_tui.sim.tenant import APP_NAME, CLIENT_ID, AppRegistration
from panel_tui.sim.webkeys import CONTEXT, Form

SINGLE_TENANT = "AzureADMyOrg"
MULTI_TENANT = "AzureADMultipleOrgs"
AUDIENCES = {"single": SINGLE_TENANT, "multi": MULTI_TENANT}
AUDIENCE_TEXT = {
    SINGLE_TENANT: "Accounts in this organizational directory only (single tenant)",
    MULTI_TENANT: "Accounts in any organizational directory (multitenant)",
}
# Path segments that name no particular tenant (Entra's "common" endpoints).
TENANT_INDEPENDENT = frozenset({"organizations", "common"})

NOT_MULTI_TENANT = AadErrorKind(
    "invalid_request", 50194,
    "Application '{client_id}'({app_name}) is not configured as a multi-tenant application. "
    "Usage of the /common endpoint is not supported for such applications created after "
    "'10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.")
PUBLIC_CLIENT_FLOWS_OFF = AadErrorKind(
    "invalid_client", 7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    status=401)

routes = web.RouteTableDef()


# -- what the identity provider checks ----------------------------------------------------


def check_device_code_request(app: AppRegistration, tenant_alias: str) -> None:
    """Refuse a device code request as Entra would for this registration (IdpError)."""
    if app.sign_in_audience == SINGLE_TENANT and tenant_alias.lower() in TENANT_INDEPENDENT:
        raise IdpError(NOT_MULTI_TENANT, client_id=app.client_id, app_name=app.display_name)


def check_token_request(app: AppRegistration) -> None:
    """Refuse a token request without a client secret when public client flows are off."""
    if not app.public_client:
        raise IdpError(PUBLIC_CLIENT_FLOWS_OFF)


def seeded_app() -> AppRegistration:
    """The printer's app as the seeded tenant has it: multi-tenant, public client, SMTP.Send."""
    return AppRegistration(client_id=CLIENT_ID, display_name=APP_NAME)


def update_registration(state: SimState, client_id: str, changes: Mapping[str, object]) -> AppRegistration | None:
    """Apply `changes` (registered, audience "single"/"multi", public_client_flows,
    smtp_send: booleans) to the app `client_id`; returns it (None once unregistered)."""
    unknown = set(changes) - {"registered", "audience", "public_client_flows", "smtp_send"}
    if unknown:
        raise ValueError(f"unknown app property {sorted(unknown)[0]!r}")
    for name in ("registered", "public_client_flows", "smtp_send"):
        if name in changes and not isinstance(changes[name], bool):
            raise ValueError(f"{name!r} must be true or false")
    if "audience" in changes and changes["audience"] not in AUDIENCES:
        raise ValueError("'audience' must be \"single\" or \"multi\"")
    key = client_id.strip().lower()
    apps = state.tenant.apps
    if changes.get("registered") is False:
        apps.pop(key, None)
        state.tenant.consents = [c for c in state.tenant.consents if c.client_id != key]
        state.save()
        return None
    app = apps.get(key)
    if app is None:
        if changes.get("registered") is not True:
            raise ValueError(f"no such app registration: {client_id}")
        app = seeded_app() if key == CLIENT_ID else AppRegistration(client_id=key, display_name="Printer app")
        apps[key] = app
    if "audience" in changes:
        app.sign_in_audience = AUDIENCES[str(changes["audience"])]
    if "public_client_flows" in changes:
        app.public_client = bool(changes["public_client_flows"])
    if "smtp_send" in changes:
        app.smtp_send = bool(changes["smtp_send"])
    state.save()
    return app


def describe(app: AppRegistration | None, client_id: str = "") -> dict[str, str | bool]:
    """The registration as the control API answers it."""
    if app is None:
        return {"client_id": client_id, "registered": False}
    return {
        "client_id": app.client_id,
        "registered": True,
        "display_name": app.display_name,
        "audience": "single" if app.sign_in_audience == SINGLE_TENANT else "multi",
        "sign_in_audience": app.sign_in_audience,
        "public_client_flows": app.public_client,
        "smtp_send": app.smtp_send,
    }


# -- control API ---------------------------------------------------------------------------


@routes.get("/_sim/apps/{client_id}")
async def get_app(request: web.Request) -> web.Response:
    state = request.app[CONTEXT].state
    client_id = request.match_info["client_id"]
    return web.json_response(describe(state.app(client_id), client_id))


@routes.post("/_sim/apps/{client_id}")
async def set_app(request: web.Request) -> web.Response:
    try:
        changes = await request.json() if request.can_read_body else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"invalid JSON: {error}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    if not isinstance(changes, dict):
        raise ValueError("expected a JSON object")
    client_id = request.match_info["client_id"]
    app = update_registration(request.app[CONTEXT].state, client_id, changes)
    return web.json_response({"ok": True, **describe(app, client_id)})


# -- admin center: App registrations ---------------------------------------------------------


def registration_rows(app: AppRegistration) -> Markup:
    """Rows of the Enterprise apps / App registrations panel: audience, public client flows,
    API permissions, each with the button that changes it."""
    def toggle(label: str, prop: str, value: str, css: str = "") -> Markup:
        return html('<form method="post" action="/admin/apps/registration" class="inline">'
                    '<input type="hidden" name="client_id" value="{cid}">'
                    '<input type="hidden" name="property" value="{prop}">'
                    '<input type="hidden" name="value" value="{value}">'
                    '<button type="submit" class="{css}">{label}</button></form>',
                    cid=app.client_id, prop=prop, value=value, label=label, css=css)

    single = app.sign_in_audience == SINGLE_TENANT
    permission = ("Microsoft Graph: SMTP.Send (Delegated), offline_access, openid, profile"
                  if app.smtp_send else "SMTP.Send not configured (only openid, profile, offline_access)")
    return html(
        """<tr><th>Supported account types</th><td>{audience} {audience_button}</td></tr>
<tr><th>Allow public client flows</th><td>{public} {public_button}</td></tr>
<tr><th>API permissions</th><td>{permission} {smtp_button}</td></tr>""",
        audience=AUDIENCE_TEXT[app.sign_in_audience],
        audience_button=toggle("Make multitenant" if single else "Make single tenant",
                               "audience", "multi" if single else "single"),
        public="Yes" if app.public_client else "No",
        public_button=toggle("Set to No" if app.public_client else "Set to Yes",
                             "public_client_flows", "off" if app.public_client else "on"),
        permission=permission,
        smtp_button=toggle("Remove SMTP.Send" if app.smtp_send else "Add SMTP.Send (Delegated)",
                           "smtp_send", "off" if app.smtp_send else "on"),
    )


def apply_admin_form(state: SimState, form: Form) -> str:
    """The admin center's POST /admin/apps/registration: one property, one value."""
    prop, value = str(form.get("property", "")), str(form.get("value", ""))
    if prop == "audience":
        change: dict[str, object] = {"audience": value}
    elif prop in ("public_client_flows", "smtp_send") and value in ("on", "off"):
        change = {prop: value == "on"}
    else:
        raise ValueError(f"unknown app registration change {prop}={value}")
    app = update_registration(state, str(form.get("client_id", "")), change)
    return f"{app.display_name if app else 'App'}: {prop.replace('_', ' ')} set to {value}."
