"""Email Server Status / Wired LAN status rows, and the printed network status sheet.

Secrets never reach these rows: a saved password is shown as the locale's mask. The authenticated
account, the sender's address and the POP3 server are shown, as a real printer shows them
(the guide's screenshot hid them only because it is a public document).
"""
from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from panel_tui.device.atomic import write_atomically
from panel_tui.device.paths import ProfilePaths
from panel_tui.device.settings import AuthMethod, DeviceSettings, format_time_difference

SignInState = Literal["not_signed_in", "signed_in", "expired"]
SIGNIN_STATES: tuple[SignInState, ...] = ("not_signed_in", "signed_in", "expired")
SHEET_WIDTH = 52  # fits the paper view beside the hardware keys at 80 columns
SUBNET_MASK = "255.255.255.0"
DEFAULT_GATEWAY = "192.0.2.1"
LINK_SPEED_KEY = "value.link_speed.1000base_t_full"


@dataclass(frozen=True)
class SignInInfo:
    """The OAuth 2.0 sign-in state of the email server (filled by the mail layer)."""

    state: SignInState = "not_signed_in"
    account: str | None = None

    def __post_init__(self) -> None:
        if self.state not in SIGNIN_STATES:
            raise ValueError(f"invalid sign-in state {self.state!r}; expected one of {', '.join(SIGNIN_STATES)}")

    @property
    def state_key(self) -> str:
        return f"value.signin.{self.state}"


NOT_SIGNED_IN = SignInInfo()


@dataclass(frozen=True)
class StatusRow:
    """One label/value line; `value` is a locale key when `value_is_key`."""

    label_key: str
    value: str
    value_is_key: bool


_EMAIL_ROWS = (
    "auth_method",
    "email_service",
    "current_status",
    "account",
    "password",
    "sender",
    "smtp_server",
    "smtp_port",
    "secure_connection",
    "cert_validation",
    "pop3_server",
    "pop3_port",
)


def email_server_status_rows(settings: DeviceSettings, signin: SignInInfo) -> list[StatusRow]:
    """Rows of Network Status > Email Server Status (applied settings; the password redacted).

    Current Status is shown only with OAuth2, as on Web Config's Email Server > Basic page.
    """
    email = settings.email_server
    rows: list[StatusRow] = []
    for name in _EMAIL_ROWS:
        if name == "current_status":
            if email.auth_method is AuthMethod.OAUTH2:
                rows.append(StatusRow("field.current_status", signin.state_key, True))
            continue
        value, is_key = email.display_value(name)
        if name == "account" and email.auth_method is AuthMethod.OAUTH2 and signin.state != "not_signed_in":
            # With OAuth2 the authenticated account is the one that signed in (Web Config shows it).
            value, is_key = signin.account or value, False
        if not is_key and value == "":
            value, is_key = "value.not_set", True
        rows.append(StatusRow(f"field.{name}", value, is_key))
    return rows


def mac_address(serial_number: str) -> str:
    """A stable, locally administered MAC address derived from the serial (display only)."""
    import hashlib  # not loaded by a plain start

    digest = hashlib.sha256(serial_number.encode("utf-8")).digest()
    octets = [0x02, *digest[:5]]  # 0x02: locally administered, unicast: never a real vendor's
    return ":".join(f"{octet:02X}" for octet in octets)


def network_status_rows(settings: DeviceSettings) -> list[StatusRow]:
    """Rows of Network Status > Wired LAN/Wi-Fi Status."""
    return [
        StatusRow("field.printer_name", settings.printer_name, False),
        StatusRow("field.serial_number", settings.serial_number, False),
        StatusRow("field.connection", "value.connection.wired_lan", True),
        StatusRow("field.link_speed", LINK_SPEED_KEY, True),
        StatusRow("field.network_status", "value.network_status.connected", True),
        StatusRow("field.ip_address", settings.ip_address, False),
        StatusRow("field.subnet_mask", SUBNET_MASK, False),
        StatusRow("field.default_gateway", DEFAULT_GATEWAY, False),
        StatusRow("field.mac_address", mac_address(settings.serial_number), False),
    ]


def _row_lines(label: str, value: str, width: int) -> list[str]:
    indent = "  "
    room = width - len(indent) - len(label) - len(value) - 2
    if room >= 1 and "\n" not in value:
        return [f"{indent}{label} {'.' * room} {value}"]
    lines = textwrap.wrap(label, width - len(indent), initial_indent=indent, subsequent_indent=indent) or [indent]
    lines += textwrap.wrap(
        value, width, initial_indent="      ", subsequent_indent="      ", break_long_words=True, break_on_hyphens=False
    ) or ["      "]
    return lines


def render_status_sheet(
    settings: DeviceSettings, signin: SignInInfo, t: Callable[[str], str], now: datetime, *,
    width: int = SHEET_WIDTH,
) -> str:
    """The network status sheet as plain text, `width` columns (the printed one: SHEET_WIDTH), labels
    translated with `t`; a row that does not fit puts its value on the next line, never cut.

    `now` is an aware time; the sheet shows it on the printer's clock (time difference applied).
    """
    rule, thin = "=" * width, "-" * width

    def centre(text: str) -> list[str]:
        return [line.center(width).rstrip() for line in textwrap.wrap(text, width)] or [""]

    def section(title_key: str, rows: list[StatusRow]) -> list[str]:
        out = ["", t(title_key), thin]
        for row in rows:
            value = t(row.value) if row.value_is_key else row.value
            out += _row_lines(t(row.label_key), value, width)
        return out

    stamp = f"{settings.format_datetime(now)} (UTC{format_time_difference(settings.time_difference_minutes)})"
    lines = [rule, *centre(t("sheet.title")), *centre(settings.printer_name), rule]
    lines += _row_lines(t("sheet.date_time"), stamp, width)
    lines += section("sheet.section.network", network_status_rows(settings))
    lines += section("sheet.section.email_server", email_server_status_rows(settings, signin))
    lines += ["", rule]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def write_status_sheet(paths: ProfilePaths, text: str, now: datetime) -> Path:
    """Save a rendered sheet as sheets_dir/network-status-YYYYmmdd-HHMMSS.txt (atomically)."""
    directory = paths.sheets_dir
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"network-status-{now:%Y%m%d-%H%M%S}"
    target = directory / f"{stem}.txt"
    counter = 2
    while target.exists():  # two sheets within one second keep both
        target = directory / f"{stem}-{counter}.txt"
        counter += 1
    write_atomically(target, text, mode=0o644)
    return target
