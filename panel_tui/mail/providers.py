"""Where the printer signs in and sends: the simulator, Exchange Online or Outlook.com.

A :class:`Provider` is everything the mail layer needs to know about one email service:
the identity provider (authority, client id, TLS trust for the HTTPS calls) and the SMTP
submission server. In simulator mode the well-known Microsoft SMTP host names resolve to
the simulator, like a hosts file would, and any other name fails as a DNS error: the
emulator never looks a name up on the real network.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from panel_tui.device.settings import SERVICE_DEFAULTS, EmailService

SMTP_SEND_SCOPE = "https://outlook.office.com/SMTP.Send"
# MSAL adds openid, profile and offline_access itself (and refuses them if we pass them).
SCOPES: tuple[str, ...] = (SMTP_SEND_SCOPE,)
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
EXCHANGE_ONLINE_SMTP = ("smtp.office365.com", 587)
OUTLOOK_COM_SMTP = ("smtp-mail.outlook.com", 587)
MICROSOFT_SMTP_HOSTS = frozenset(
    {EXCHANGE_ONLINE_SMTP[0], OUTLOOK_COM_SMTP[0], *(d.smtp_server for d in SERVICE_DEFAULTS.values())}
)

Mode = Literal["sim", "live"]

APP_REGISTRATION_HELP = (
    "Live mode needs the application (client) ID of your own app registration.\n"
    "  1. Microsoft Entra admin center > Identity > Applications > App registrations > New registration:\n"
    "     any name, no redirect URI. Supported account types: 'Accounts in this organizational directory\n"
    "     only' (single tenant, the default) needs --tenant <your tenant id or domain>; 'Accounts in any\n"
    "     organizational directory' (multitenant) works without it. Outlook.com needs personal accounts.\n"
    "  2. Authentication > Advanced settings > Allow public client flows = Yes (device code sign-in).\n"
    "  3. API permissions > Add a permission > Microsoft Graph > Delegated permissions > SMTP.Send\n"
    "     (and offline_access); then Grant admin consent, or tick 'Consent on behalf of your\n"
    "     organization' when signing in with a global administrator.\n"
    "  4. Copy the Application (client) ID (Overview) and the Directory (tenant) ID, then start with\n"
    "     --live --client-id <ID> [--tenant <tenant id or domain>]. `panel-tui doctor --live ...` checks it."
)


class LiveConfigError(Exception):
    """Live mode cannot start: the message says what to register or pass (no secrets in it)."""


class UnknownHostError(LookupError):
    """The simulated DNS does not know a host name (the simulator serves only Microsoft's)."""


@dataclass(frozen=True)
class Provider:
    """One email service as the mail layer uses it.

    `ca_path` is the CA the HTTPS calls to the identity provider trust (the simulator's);
    None means the system store. `verify` is what requests gets for those calls.
    `smtp_routes` maps (host, port) names the printer is configured with to where they
    really are (simulator only); `resolve_only_routes` makes any other name a DNS failure.
    """

    name: str
    authority: str
    smtp_host: str
    smtp_port: int
    client_id: str
    scopes: tuple[str, ...] = SCOPES
    ca_path: Path | None = None
    verify: bool | str = True
    instance_discovery: bool = True
    smtp_routes: dict[str, tuple[str, int]] = field(default_factory=dict)
    resolve_only_routes: bool = False

    @property
    def is_simulator(self) -> bool:
        return self.name == "simulator"

    @property
    def token_endpoint_suffix(self) -> str:
        return "/oauth2/v2.0/token"

    def smtp_address(self, host: str | None = None, port: int | None = None) -> tuple[str, int]:
        """Where to connect for the configured `host`:`port` (defaults: the provider's server).

        Raises UnknownHostError in simulator mode for a name the simulator does not serve.
        """
        host = (host or self.smtp_host).strip()
        port = port or self.smtp_port
        if not self.smtp_routes:
            return host, port
        routed = self.smtp_routes.get(host.lower())
        if routed is not None:
            return routed[0], routed[1]
        if self.resolve_only_routes and not _is_loopback(host):
            raise UnknownHostError(host)
        return host, port


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint_value(endpoints: Any, name: str) -> Any:
    if isinstance(endpoints, dict):
        return endpoints[name]
    return getattr(endpoints, name)


def simulator(endpoints: Any, email_service: EmailService | str = EmailService.EXCHANGE_ONLINE,
              client_id: str | None = None, tenant: str | None = None) -> Provider:
    """The embedded simulator, from a SimEndpoints-like object or its JSON dict.

    HTTPS to the identity provider trusts the simulator's CA; the SMTP certificate is
    trusted only if that CA is imported into the printer (or given explicitly to the sender).
    Outlook.com maps to the simulator's ``common`` alias (it has no ``consumers`` tenant).
    `tenant` (Exchange Online) replaces ``organizations``, as --tenant does in live mode.
    """
    base_url = str(_endpoint_value(endpoints, "base_url")).rstrip("/")
    service = EmailService(email_service)
    authority = (f"{base_url}/{tenant or 'organizations'}" if service is EmailService.EXCHANGE_ONLINE
                 else f"{base_url}/common")
    ca_path = Path(_endpoint_value(endpoints, "ca_path"))
    host = str(_endpoint_value(endpoints, "smtp_host"))
    port = int(_endpoint_value(endpoints, "smtp_port"))
    routes = {name.lower(): (host, port) for name in MICROSOFT_SMTP_HOSTS}
    return Provider(
        name="simulator",
        authority=authority,
        smtp_host=host,
        smtp_port=port,
        client_id=client_id or str(_endpoint_value(endpoints, "client_id")),
        ca_path=ca_path,
        verify=str(ca_path),
        instance_discovery=False,  # MSAL must not ask Microsoft about a local authority
        smtp_routes=routes,
        resolve_only_routes=True,
    )


def _require_client_id(client_id: str | None) -> str:
    client_id = (client_id or "").strip()
    if not client_id:
        raise LiveConfigError(APP_REGISTRATION_HELP)
    return client_id


def exchange_online(client_id: str | None, tenant: str = "organizations") -> Provider:
    """Microsoft Exchange Online: work or school accounts, smtp.office365.com:587."""
    return Provider(
        name="exchange_online",
        authority=f"{MICROSOFT_LOGIN}/{tenant or 'organizations'}",
        smtp_host=EXCHANGE_ONLINE_SMTP[0],
        smtp_port=EXCHANGE_ONLINE_SMTP[1],
        client_id=_require_client_id(client_id),
    )


def outlook_com(client_id: str | None) -> Provider:
    """Outlook.com: personal Microsoft accounts, smtp-mail.outlook.com:587."""
    return Provider(
        name="outlook_com",
        authority=f"{MICROSOFT_LOGIN}/consumers",
        smtp_host=OUTLOOK_COM_SMTP[0],
        smtp_port=OUTLOOK_COM_SMTP[1],
        client_id=_require_client_id(client_id),
    )


def provider_for(email_service: EmailService | str, mode: Mode = "sim", *, endpoints: Any = None,
                 client_id: str | None = None, tenant: str | None = None) -> Provider:
    """The provider for the applied Email service setting in `mode` ("sim" or "live").

    Simulator mode needs `endpoints`; live mode needs `client_id` (LiveConfigError says how
    to register an app otherwise) and takes an optional `tenant` for Exchange Online.
    """
    service = EmailService(email_service)
    if mode == "sim":
        if endpoints is None:
            raise ValueError("simulator mode needs the simulator's endpoints")
        return simulator(endpoints, service, client_id=client_id, tenant=tenant)
    if mode != "live":
        raise ValueError(f"unknown mode {mode!r}; expected 'sim' or 'live'")
    if service is EmailService.OUTLOOK_COM:
        return outlook_com(client_id)
    return exchange_online(client_id, tenant or "organizations")
