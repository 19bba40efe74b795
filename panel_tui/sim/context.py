"""What every part of a running simulator shares: state, keys, device codes, faults, mail."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from panel_tui.sim.devicecodes import DEFAULT_POLL_INTERVAL, DeviceCodes
from panel_tui.sim.faults import Faults
from panel_tui.sim.maildir import MailStore
from panel_tui.sim.state import SimState
from panel_tui.sim.throttle import DeviceCodeRateLimit, SignInLockout
from panel_tui.sim.tokens import SigningKey, TokenIssuer

FaultListener = Callable[[str, bool], Awaitable[None]]


@dataclass
class SimContext:
    """The simulator's world as the web handlers and the SMTP server see it."""

    state: SimState
    key: SigningKey
    mail: MailStore
    device_codes: DeviceCodes = field(default_factory=DeviceCodes)
    faults: Faults = field(default_factory=Faults)
    poll_interval: int = DEFAULT_POLL_INTERVAL
    base_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 0
    fault_listeners: list[FaultListener] = field(default_factory=list)
    lockout: SignInLockout = field(default_factory=SignInLockout)
    device_code_limit: DeviceCodeRateLimit = field(default_factory=DeviceCodeRateLimit)
    endpoints: dict[str, object] = field(default_factory=dict)  # what /_sim/endpoints publishes
    control_secret: str = ""  # the control API's bearer secret ("" refuses every call)
    last_activity: float = field(default_factory=time.monotonic)  # of any HTTP request
    # HTTPS requests served, by "METHOD route" (routes, not paths: a bounded set); GET /_sim/requests.
    request_counts: dict[str, int] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        return self.state.tenant.tenant_id

    @property
    def issuer(self) -> TokenIssuer:
        return TokenIssuer(self.key, self.tenant_id)

    @property
    def id_token_issuer(self) -> str:
        """The discovery document's ``issuer``; id tokens carry the same ``iss``."""
        return f"{self.base_url}/{self.tenant_id}/v2.0"

    def tenant_aliases(self) -> set[str]:
        """Path segments that name this tenant, as Entra accepts them."""
        tenant = self.state.tenant
        return {tenant.tenant_id, tenant.domain, "organizations", "common"}

    async def set_fault(self, name: str, on: bool) -> None:
        self.faults.set(name, on)
        for listener in self.fault_listeners:
            await listener(name, on)

    async def reset(self) -> None:
        """Seeded tenant, real time, no faults, no outstanding codes, empty mailboxes."""
        for name in self.faults.active():
            await self.set_fault(name, False)
        self.device_codes.clear()
        self.lockout.clear()
        self.device_code_limit.clear()
        self.state.reset()
        self.mail.clear()
