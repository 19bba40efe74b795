"""Where a running simulator answers: the one record its runtime, its server and its clients share.

Standard library only, so clients (the mail layer, tests, benchmarks) can read a simulator's
endpoints without importing its servers.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypedDict

WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
# A documentation address (RFC 5737 / 3849): a UDP socket "connected" to it sends nothing, and
# its local address is the one of the route out, the address other machines reach.
_ROUTE_PROBES = {socket.AF_INET: ("192.0.2.1", 9), socket.AF_INET6: ("2001:db8::1", 9)}


def public_address(bind_host: str) -> str:
    """The address another machine uses for a server bound to `bind_host` (a wildcard: the
    address of this machine's route out, else its host name)."""
    if bind_host not in WILDCARD_HOSTS:
        return bind_host
    family = socket.AF_INET6 if bind_host == "::" else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect(_ROUTE_PROBES[family])
            address = sock.getsockname()[0]
        if address and not ipaddress.ip_address(address).is_unspecified:
            return str(address)
    except (OSError, ValueError):
        pass
    return socket.gethostname()


class EndpointsDict(TypedDict):
    """:meth:`SimEndpoints.to_dict`: the same fields, paths as strings (JSON)."""

    base_url: str
    tenant_id: str
    tenant_domain: str
    authority: str
    verification_uri: str
    admin_url: str
    smtp_host: str
    smtp_port: int
    ca_path: str
    maildir: str
    client_id: str
    scope: str
    control_url: str
    control_secret_path: str | None


@dataclass(frozen=True)
class SimEndpoints:
    """Where a running simulator answers, and what a client needs to use it."""

    base_url: str          # https://127.0.0.1:PORT
    tenant_id: str
    tenant_domain: str
    authority: str         # f"{base_url}/{tenant_id}"; /organizations and /common work too
    verification_uri: str  # the /devicelogin page
    admin_url: str
    smtp_host: str
    smtp_port: int
    ca_path: Path          # PEM of the CA that signs the HTTPS and SMTP certificate
    maildir: Path          # root of the per-address Maildirs
    client_id: str         # the seeded public-client app registration
    scope: str             # https://outlook.office.com/SMTP.Send
    control_url: str       # base of the JSON control API (SimControl)
    # The 0600 file holding the control API's bearer secret (readable by the simulator's owner).
    control_secret_path: Path | None = None

    def to_dict(self) -> EndpointsDict:
        return EndpointsDict(
            base_url=self.base_url, tenant_id=self.tenant_id, tenant_domain=self.tenant_domain,
            authority=self.authority, verification_uri=self.verification_uri, admin_url=self.admin_url,
            smtp_host=self.smtp_host, smtp_port=self.smtp_port, ca_path=str(self.ca_path), maildir=str(self.maildir),
            client_id=self.client_id, scope=self.scope, control_url=self.control_url,
            control_secret_path=str(self.control_secret_path) if self.control_secret_path else None,
        )

    def to_json(self) -> str:
        """One line of JSON (paths as strings)."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimEndpoints:
        """From :meth:`to_dict`'s object as read back from JSON (runtime.json, ``/_sim/endpoints``)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["ca_path"] = Path(values["ca_path"])
        values["maildir"] = Path(values["maildir"])
        values["smtp_port"] = int(values["smtp_port"])
        secret = values.get("control_secret_path")
        values["control_secret_path"] = Path(secret) if secret else None
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> SimEndpoints:
        return cls.from_dict(json.loads(text))

    def authority_for(self, tenant: str) -> str:
        """The authority URL for another tenant alias: ``organizations``, ``common``, the domain."""
        return f"{self.base_url}/{tenant}"
