"""Faults a trainer or a test switches on to show what the printer does when the cloud fails."""
from __future__ import annotations

IDP_DOWN = "idp_down"                      # identity provider drops every connection
IDP_5XX = "idp_5xx"                        # identity provider answers 503 with Retry-After: 0
SMTP_DOWN = "smtp_down"                    # SMTP port refuses connections
SMTP_DROP_MID_DATA = "smtp_drop_mid_data"  # SMTP connection cut after the message data, before the reply
SLOW_DOWN = "slow_down"                    # device code polls answer slow_down
SMTP_STALL_AFTER_DATA = "smtp_stall_after_data"  # message stored, then the reply never comes
SMTP_BUSY = "smtp_busy"                    # MAIL FROM answered 451 4.7.500 Server busy
SMTP_UNAVAILABLE = "smtp_unavailable"      # the greeting is 421 4.3.2 Service not available

FAULT_NAMES = (IDP_DOWN, IDP_5XX, SMTP_DOWN, SMTP_DROP_MID_DATA, SLOW_DOWN, SMTP_STALL_AFTER_DATA,
               SMTP_BUSY, SMTP_UNAVAILABLE)
FAULT_DESCRIPTIONS = {
    IDP_DOWN: "Identity provider down (connections dropped)",
    IDP_5XX: "Identity provider answers 503 Service Unavailable",
    SMTP_DOWN: "SMTP server down (connection refused)",
    SMTP_DROP_MID_DATA: "SMTP connection dropped after the message data",
    SLOW_DOWN: "Device code polling answers slow_down",
    SMTP_STALL_AFTER_DATA: "SMTP server stores the message, then never replies",
    SMTP_BUSY: "SMTP server busy (451 4.7.500 at MAIL FROM)",
    SMTP_UNAVAILABLE: "SMTP service not available (421 4.3.2 greeting)",
}


class Faults:
    """Which faults are on. Not persisted: a restarted simulator starts healthy."""

    def __init__(self) -> None:
        self._on: set[str] = set()

    def is_on(self, name: str) -> bool:
        return name in self._on

    def set(self, name: str, on: bool) -> None:
        if name not in FAULT_NAMES:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_NAMES)}")
        if on:
            self._on.add(name)
        else:
            self._on.discard(name)

    def active(self) -> list[str]:
        return [name for name in FAULT_NAMES if name in self._on]

    def snapshot(self) -> dict[str, bool]:
        return {name: name in self._on for name in FAULT_NAMES}
