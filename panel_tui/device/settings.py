"""Typed printer settings and their field descriptors (the model; storage is in settings_store).

`DeviceSettings.email_server` holds the APPLIED email server settings: Web Config edits
stay pending in the UI until OK, and only then become a new DeviceSettings.
"""
from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, Literal

from panel_tui.device.validation import (
    FieldError,
    choice_validator,
    one_of,
    validate_account,
    validate_admin_timeout,
    validate_bool,
    validate_password,
    validate_port,
    validate_sender,
    validate_server_address,
    validate_time_difference,
)
from panel_tui.i18n import LANGUAGES

DEFAULT_SERIAL = "X7NA012345"
DEFAULT_PRINTER_NAME = "EPSON WF-C879R"


def _coerce_enums(instance: Any, fields: dict[str, type[StrEnum]]) -> None:
    """Turn plain strings given for enum fields (e.g. via dataclasses.replace) into members."""
    for name, enum_cls in fields.items():
        value = getattr(instance, name)
        if isinstance(value, str) and not isinstance(value, enum_cls):
            with contextlib.suppress(ValueError):  # left as is: validate() reports it
                object.__setattr__(instance, name, enum_cls(value))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class LabelledEnum(StrEnum):
    """A StrEnum whose members know their locale key: value.<enum_name_snake>.<value>."""

    @property
    def label_key(self) -> str:
        return f"value.{_snake(type(self).__name__)}.{self.value}"


class AuthMethod(LabelledEnum):
    OFF = "off"
    SMTP_AUTH = "smtp_auth"
    POP_BEFORE_SMTP = "pop_before_smtp"
    OAUTH2 = "oauth2"


class EmailService(LabelledEnum):
    EXCHANGE_ONLINE = "exchange_online"
    OUTLOOK_COM = "outlook_com"


class SecureConnection(LabelledEnum):
    NONE = "none"
    SSL_TLS = "ssl_tls"
    STARTTLS = "starttls"


class DateFormat(LabelledEnum):
    YMD = "yyyy-mm-dd"
    DMY = "dd.mm.yyyy"
    MDY = "mm/dd/yyyy"

    def format_date(self, moment: datetime) -> str:
        """The date part of `moment` in this format."""
        pattern = {"yyyy-mm-dd": "%Y-%m-%d", "dd.mm.yyyy": "%d.%m.%Y", "mm/dd/yyyy": "%m/%d/%Y"}[self.value]
        return moment.strftime(pattern)


@dataclass(frozen=True)
class ServiceDefaults:
    smtp_server: str
    smtp_port: int
    secure_connection: SecureConnection


# Epson: with OAuth2, choosing the service fills in its SMTP server, port and security.
SERVICE_DEFAULTS: dict[EmailService, ServiceDefaults] = {
    # The guide's printer fills in smtp-mail.outlook.com for Exchange Online too; Exchange Online
    # accepts OAuth 2.0 submissions on smtp.office365.com as well (both are Microsoft's hosts).
    EmailService.EXCHANGE_ONLINE: ServiceDefaults("smtp-mail.outlook.com", 587, SecureConnection.STARTTLS),
    EmailService.OUTLOOK_COM: ServiceDefaults("smtp-mail.outlook.com", 587, SecureConnection.STARTTLS),
}

FieldKind = Literal["choice", "text", "secret", "port", "bool"]


@dataclass(frozen=True)
class FieldSpec:
    """How the UI edits one setting: its name, label key, kind, choices and validator."""

    name: str
    label_key: str
    kind: FieldKind
    choices: type[LabelledEnum] | None
    validator: Callable[[Any], Any]


# Order of the Web Config page Network > Email Server > Basic (and the panel's Server Settings).
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("auth_method", "field.auth_method", "choice", AuthMethod, choice_validator(AuthMethod)),
    FieldSpec("email_service", "field.email_service", "choice", EmailService, choice_validator(EmailService)),
    FieldSpec("account", "field.account", "text", None, validate_account),
    FieldSpec("password", "field.password", "secret", None, validate_password),
    FieldSpec("sender", "field.sender", "text", None, validate_sender),
    FieldSpec("smtp_server", "field.smtp_server", "text", None, validate_server_address),
    FieldSpec("smtp_port", "field.smtp_port", "port", None, validate_port),
    FieldSpec(
        "secure_connection", "field.secure_connection", "choice", SecureConnection, choice_validator(SecureConnection)
    ),
    FieldSpec("cert_validation", "field.cert_validation", "bool", None, validate_bool),
    FieldSpec("pop3_server", "field.pop3_server", "text", None, validate_server_address),
    FieldSpec("pop3_port", "field.pop3_port", "port", None, validate_port),
)
FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}

# Only passwords are masked: a real printer shows the account, the sender and the POP3
# server (the guide's screenshot hid them because it is a public document).
REDACTED_FIELDS = frozenset({"password"})
BOOL_LABEL_KEYS = {True: "value.enable", False: "value.disable"}


def field_spec(name: str) -> FieldSpec:
    """The descriptor of an email server field (KeyError names the unknown field)."""
    try:
        return FIELDS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown email server field {name!r}") from None


@dataclass(frozen=True)
class EmailServerSettings:
    """Network > Email Server > Basic. Immutable: `with_field` returns a validated copy."""

    auth_method: AuthMethod = AuthMethod.OFF
    email_service: EmailService = EmailService.EXCHANGE_ONLINE
    account: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    smtp_server: str = ""
    smtp_port: int = 25
    secure_connection: SecureConnection = SecureConnection.NONE
    cert_validation: bool = True
    pop3_server: str = ""
    pop3_port: int = 110

    def __post_init__(self) -> None:
        _coerce_enums(
            self,
            {"auth_method": AuthMethod, "email_service": EmailService, "secure_connection": SecureConnection},
        )

    def with_field(self, name: str, raw_value: Any) -> EmailServerSettings:
        """A copy with `name` set to the validated `raw_value` (raises FieldError).

        Choosing OAuth2 or an email service while OAuth2 is on also applies the
        service's SMTP defaults, as Web Config does.
        """
        spec = field_spec(name)
        try:
            value = spec.validator(raw_value)
        except FieldError as error:
            error.field = name
            raise
        updated = dataclasses.replace(self, **{name: value})
        if name in ("auth_method", "email_service"):
            updated = updated.apply_service_defaults()
        return updated

    def apply_service_defaults(self) -> EmailServerSettings:
        """With OAuth2: a copy whose SMTP server, port and security are the service's. Else self."""
        if self.auth_method is not AuthMethod.OAUTH2:
            return self
        defaults = SERVICE_DEFAULTS[self.email_service]
        return dataclasses.replace(
            self,
            smtp_server=defaults.smtp_server,
            smtp_port=defaults.smtp_port,
            secure_connection=defaults.secure_connection,
        )

    def display_value(self, name: str) -> tuple[str, bool]:
        """(text, is_key) for showing `name` on a status screen; a saved secret comes back as the
        locale's mask (`value.password_mask`), never as its characters."""
        spec = field_spec(name)
        if name in REDACTED_FIELDS:
            return ("value.password_mask", True) if getattr(self, name) else ("", False)
        value = getattr(self, name)
        if spec.kind == "choice":
            return value.label_key, True
        if spec.kind == "bool":
            return BOOL_LABEL_KEYS[bool(value)], True
        return str(value), False

    def validate(self) -> None:
        """Check every field against its rule (raises FieldError naming the field)."""
        for spec in FIELDS:
            try:
                spec.validator(getattr(self, spec.name))
            except FieldError as error:
                error.field = spec.name
                raise


def format_time_difference(minutes: int) -> str:
    """-330 -> "-05:30", 120 -> "+02:00"."""
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _validate_ipv4(raw: Any) -> str:
    if not isinstance(raw, str):
        raise FieldError("rule.ipv4_invalid")
    try:
        ipaddress.IPv4Address(raw)
    except ValueError:
        raise FieldError("rule.ipv4_invalid") from None
    return raw


def _validate_label_text(raw: Any) -> str:
    if not isinstance(raw, str) or not re.fullmatch(r"[\x20-\x7e]{1,64}", raw):
        raise FieldError("rule.ascii_printable")
    return raw


def _validate_hash(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and raw.startswith("pbkdf2_sha256$")):
        return raw
    raise FieldError("rule.not_a_choice", {"value": "admin_password_hash"})


# Top-level settings the panel edits (menus/panel.toml `setting = ...`), with their validators.
DEVICE_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "language": one_of(LANGUAGES),
    "printer_name": _validate_label_text,
    "serial_number": _validate_label_text,
    "date_format": choice_validator(DateFormat),
    "time_difference_minutes": validate_time_difference,
    "ip_address": _validate_ipv4,
    "admin_password_hash": _validate_hash,
    "lock_setting": validate_bool,
    "admin_timeout_minutes": validate_admin_timeout,
    "serverless_sender": one_of(("printer", "user")),
}
# Menu setting names that differ from attribute names.
SETTING_ALIASES = {"time_difference": "time_difference_minutes", "admin_timeout": "admin_timeout_minutes"}
EMAIL_SECTIONS = ("email_server", "fax_email_server")


@dataclass(frozen=True)
class DeviceSettings:
    """Everything the emulated printer remembers. Immutable; derive copies with `with_field`."""

    language: str = "en"
    printer_name: str = DEFAULT_PRINTER_NAME
    serial_number: str = DEFAULT_SERIAL
    date_format: DateFormat = DateFormat.YMD
    time_difference_minutes: int = 0
    ip_address: str = "192.0.2.10"
    admin_password_hash: str | None = field(default=None, repr=False)
    lock_setting: bool = False
    admin_timeout_minutes: int = 10
    email_server: EmailServerSettings = field(default_factory=EmailServerSettings)
    # Web Config Fax > Fax Server > Email Server Settings (internet fax provider's server)
    fax_email_server: EmailServerSettings = field(default_factory=EmailServerSettings)
    # Epson Print Admin Serverless, To My Email: "printer" sends from the printer's mailbox;
    # "user" (User's Email Address) sends from each user's own address after their sign-in.
    serverless_sender: str = "printer"

    def __post_init__(self) -> None:
        _coerce_enums(self, {"date_format": DateFormat})

    def with_field(self, name: str, raw_value: Any) -> DeviceSettings:
        """A validated copy with one setting changed; `name` may be "email_server.smtp_port"."""
        section, _, sub = name.partition(".")
        if sub:
            if section not in EMAIL_SECTIONS:
                raise KeyError(f"unknown setting {name!r}")
            try:
                updated = getattr(self, section).with_field(sub, raw_value)
            except FieldError as error:
                error.field = name
                raise
            return dataclasses.replace(self, **{section: updated})
        attr = SETTING_ALIASES.get(name, name)
        if attr not in DEVICE_VALIDATORS:
            raise KeyError(f"unknown setting {name!r}")
        try:
            value = DEVICE_VALIDATORS[attr](raw_value)
        except FieldError as error:
            error.field = name
            raise
        return dataclasses.replace(self, **{attr: value})

    def validate(self) -> None:
        """Check every setting (raises FieldError naming the first bad one)."""
        for attr, validator in DEVICE_VALIDATORS.items():
            try:
                validator(getattr(self, attr))
            except FieldError as error:
                error.field = attr
                raise
        for section in EMAIL_SECTIONS:
            try:
                getattr(self, section).validate()
            except FieldError as error:
                error.field = f"{section}.{error.field}"
                raise

    @property
    def timezone(self) -> timezone:
        return timezone(timedelta(minutes=self.time_difference_minutes))

    def local_time(self, moment: datetime) -> datetime:
        """`moment` (aware) on the printer's clock: UTC plus the time difference."""
        return moment.astimezone(self.timezone)

    def format_datetime(self, moment: datetime) -> str:
        """Local date in the chosen format and HH:MM, e.g. "2026-03-14 09:26"."""
        local = self.local_time(moment)
        return f"{self.date_format.format_date(local)} {local:%H:%M}"


def merge_settings(base: DeviceSettings, mine: DeviceSettings, theirs: DeviceSettings) -> DeviceSettings:
    """`theirs` (saved meanwhile by another writer) with the settings `mine` changed from `base`.

    Email server sections merge field by field, so a panel saving one field keeps a field a
    CLI command changed in the same section.
    """
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(DeviceSettings):
        old, new = getattr(base, f.name), getattr(mine, f.name)
        if old == new:
            continue
        if f.name in EMAIL_SECTIONS:
            section = getattr(theirs, f.name)
            edited = {spec.name: getattr(new, spec.name) for spec in FIELDS
                      if getattr(old, spec.name) != getattr(new, spec.name)}
            changes[f.name] = dataclasses.replace(section, **edited)
        else:
            changes[f.name] = new
    return dataclasses.replace(theirs, **changes) if changes else theirs
