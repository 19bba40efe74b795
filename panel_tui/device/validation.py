"""Field validators enforcing Epson's input rules; a broken rule raises FieldError(key, params).

Each validator takes the raw value (usually the string typed into an input) and returns
the normalised value to store. The error carries a locale key (`rule.*`) and parameters;
str() of the error is an English fallback for logs and tracebacks.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)

ACCOUNT_MAX = 255
PASSWORD_MAX = 20
SENDER_MAX = 255
SERVER_MAX = 255
LABEL_MAX = 63
PORT_MIN, PORT_MAX = 1, 65535
ADMIN_PASSWORD_MIN, ADMIN_PASSWORD_MAX = 8, 20
RECIPIENT_MAX = 255
SUBJECT_MAX = 998  # one header line (RFC 5322)
LOCAL_PART_MAX = 64
TIME_DIFFERENCE_MIN, TIME_DIFFERENCE_MAX = -720, 840
FILE_NAME_MAX, FILE_PATH_MAX = 255, 4095  # bytes: NAME_MAX and PATH_MAX - 1 on Linux
SHOWN_MAX = 60  # characters of a refused value repeated back in a message
ADMIN_TIMEOUT_MIN, ADMIN_TIMEOUT_MAX = 0, 1440

# Epson: the sender's address may not contain these; ¥ is 0x5C in Japanese code pages,
# so the backslash is refused too.
EMAIL_FORBIDDEN_CHARS = ":()<>[];¥\\"

_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
_SERVER_CHARS = re.compile(r"[A-Za-z0-9.-]*")
_DIGITS = re.compile(r"[0-9]+")
_SIGNED_INT = re.compile(r"[+-]?[0-9]+")

# English fallback for str(FieldError); the locale files hold the real texts.
_ENGLISH = {
    "rule.required": "Enter a value.",
    "rule.too_long": "Enter at most {max} characters.",
    "rule.length_range": "Enter {min} to {max} characters.",
    "rule.ascii_printable": "Use only single-byte characters from space to ~ (ASCII 0x20-0x7E).",
    "rule.email_forbidden_char": "The character {char} cannot be used. Not allowed: : ( ) < > [ ] ; ¥",
    "rule.email_leading_dot": "The address cannot start with a period (.).",
    "rule.email_format": "Enter an email address in the form name@domain.",
    "rule.server_chars": "Use only A-Z, a-z, 0-9, period (.) and hyphen (-).",
    "rule.server_label_empty": "The address cannot start or end with a period or contain two periods in a row.",
    "rule.server_label_hyphen": "A part between periods cannot start or end with a hyphen (-).",
    "rule.server_label_too_long": "A part between periods can have at most {max} characters.",
    "rule.ipv4_invalid": "This is not a valid IPv4 address (four numbers from 0 to 255).",
    "rule.port_digits": "Enter the port number with digits only.",
    "rule.port_range": "Enter a port number from {min} to {max}.",
    "rule.integer": "Enter a whole number.",
    "rule.int_range": "Enter a number from {min} to {max}.",
    "rule.not_a_choice": "{value} is not one of the choices.",
    "rule.file_name_chars": "A file name cannot contain line breaks or control characters.",
    "rule.file_name_too_long":
        "Each part of a file's path can have at most {max} bytes, and the whole path {path_max}.",
    "rule.file_name_encoding": "The file name is not valid text (UTF-8).",
}


class FieldError(ValueError):
    """A value broke an input rule. `key` is the rule's locale key, `params` its placeholders.

    `field` is the name of the setting, filled in by whoever knows it (e.g. `with_field`).
    """

    def __init__(self, key: str, params: dict[str, Any] | None = None, field: str | None = None) -> None:
        self.key = key
        self.params = dict(params or {})
        self.field = field
        super().__init__(key)

    def __str__(self) -> str:
        template = _ENGLISH.get(self.key, self.key)
        try:
            text = template.format(**self.params)
        except (KeyError, IndexError, ValueError):
            text = template
        return f"{self.field}: {text}" if self.field else text


def _as_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise FieldError("rule.ascii_printable")
    return raw


def _check_length(value: str, maximum: int, minimum: int = 0) -> None:
    if minimum and not (minimum <= len(value) <= maximum):
        raise FieldError("rule.length_range", {"min": minimum, "max": maximum})
    if len(value) > maximum:
        raise FieldError("rule.too_long", {"max": maximum})


def _check_printable(value: str) -> None:
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise FieldError("rule.ascii_printable")


def validate_account(raw: Any) -> str:
    """Authenticated Account: 0-255 printable ASCII characters."""
    value = _as_text(raw)
    _check_length(value, ACCOUNT_MAX)
    _check_printable(value)
    return value


def validate_password(raw: Any) -> str:
    """Authenticated Password: 0-20 printable ASCII characters."""
    value = _as_text(raw)
    _check_length(value, PASSWORD_MAX)
    _check_printable(value)
    return value


def _check_email_chars(value: str) -> None:
    for char in value:
        if char in EMAIL_FORBIDDEN_CHARS:
            raise FieldError("rule.email_forbidden_char", {"char": char})
    _check_printable(value)
    if value.startswith("."):
        raise FieldError("rule.email_leading_dot")


def validate_sender(raw: Any) -> str:
    """Sender's Email Address: 0-255 printable ASCII, none of : ( ) < > [ ] ; ¥, no leading '.'."""
    value = _as_text(raw)
    _check_length(value, SENDER_MAX)
    _check_email_chars(value)
    return value


def validate_server_address(raw: Any) -> str:
    """SMTP/POP3 server address: empty, an IPv4 address or a host name (A-Z a-z 0-9 . -)."""
    value = _as_text(raw)
    _check_length(value, SERVER_MAX)
    if value == "":
        return value
    if not _SERVER_CHARS.fullmatch(value):
        raise FieldError("rule.server_chars")
    if re.fullmatch(r"[0-9.]+", value):
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise FieldError("rule.ipv4_invalid") from None
        return value
    for label in value.split("."):
        if label == "":
            raise FieldError("rule.server_label_empty")
        if len(label) > LABEL_MAX:
            raise FieldError("rule.server_label_too_long", {"max": LABEL_MAX})
        if label.startswith("-") or label.endswith("-"):
            raise FieldError("rule.server_label_hyphen")
    return value


def validate_listen_host(raw: Any) -> str:
    """An address to listen on: an IPv4 or IPv6 address, or a host name (A-Z a-z 0-9 . -)."""
    value = _as_text(raw)
    if value == "":
        raise FieldError("rule.required")
    try:
        ipaddress.ip_address(value.removeprefix("[").removesuffix("]"))
    except ValueError:
        if _SERVER_CHARS.fullmatch(value) and "" in value.split("."):  # "..": not a try at IPv4
            raise FieldError("rule.server_label_empty") from None
        return validate_server_address(value)
    return value


def validate_attachment_path(raw: Any) -> str:
    """A file name given to attach: one line of UTF-8 text without control characters, each
    part at most FILE_NAME_MAX bytes and the whole at most FILE_PATH_MAX (what the system takes)."""
    value = _as_text(raw)
    if value == "":
        raise FieldError("rule.required")
    if any(_is_control(char) for char in value):
        raise FieldError("rule.file_name_chars")
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of the command line (surrogate escapes)
        raise FieldError("rule.file_name_encoding") from None
    if len(encoded) > FILE_PATH_MAX or any(len(part) > FILE_NAME_MAX for part in encoded.split(b"/")):
        raise FieldError("rule.file_name_too_long", {"max": FILE_NAME_MAX, "path_max": FILE_PATH_MAX})
    return value


def _is_control(char: str) -> bool:
    """C0 and C1 controls, DEL, and the line and paragraph separators."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029"


def shown_value(value: str) -> str:
    """`value` safe to repeat back on a terminal: controls, bidi and other format characters
    escaped (\\n, \\u202e ...), at most SHOWN_MAX characters."""
    out = []
    for char in value[:SHOWN_MAX]:
        if char.isprintable() and unicodedata.category(char) not in ("Cf", "Cs", "Co"):
            out.append(char)
        else:
            out.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(out) + ("\u2026" if len(value) > SHOWN_MAX else "")


def validate_port(raw: Any) -> int:
    """Port number 1-65535, given as an int or as the digits typed into an input."""
    if isinstance(raw, bool):
        raise FieldError("rule.port_digits")
    if isinstance(raw, int):
        number = raw
    else:
        text = _as_text(raw).strip()
        if not _DIGITS.fullmatch(text):
            raise FieldError("rule.port_digits")
        number = int(text)
    if not (PORT_MIN <= number <= PORT_MAX):
        raise FieldError("rule.port_range", {"min": PORT_MIN, "max": PORT_MAX})
    return number


def validate_admin_password(raw: Any) -> str:
    """New administrator password: 8-20 single-byte printable characters."""
    value = _as_text(raw)
    _check_length(value, ADMIN_PASSWORD_MAX, ADMIN_PASSWORD_MIN)
    _check_printable(value)
    return value


def validate_recipient(raw: Any) -> str:
    """A destination address (Scan to Email): local@domain, the domain a host name with a dot."""
    value = _as_text(raw).strip()
    if value == "":
        raise FieldError("rule.required")
    _check_length(value, RECIPIENT_MAX)
    _check_email_chars(value)
    if value.count("@") != 1:
        raise FieldError("rule.email_format")
    local, domain = value.split("@")
    if (
        not local
        or len(local) > LOCAL_PART_MAX
        or " " in local
        or local.endswith(".")
        or ".." in local
        or "." not in domain
        or re.fullmatch(r"[0-9.]+", domain)
    ):
        raise FieldError("rule.email_format")
    try:
        validate_server_address(domain)
    except FieldError:
        raise FieldError("rule.email_format") from None
    return value


def validate_int_range(raw: Any, minimum: int, maximum: int) -> int:
    """A whole number (int or signed digits) within [minimum, maximum]."""
    if isinstance(raw, bool):
        raise FieldError("rule.integer")
    if isinstance(raw, int):
        number = raw
    else:
        text = _as_text(raw).strip()
        if not _SIGNED_INT.fullmatch(text):
            raise FieldError("rule.integer")
        number = int(text)
    if not (minimum <= number <= maximum):
        raise FieldError("rule.int_range", {"min": minimum, "max": maximum})
    return number


def validate_time_difference(raw: Any) -> int:
    """Time difference from UTC in minutes, -720 (UTC-12:00) to +840 (UTC+14:00)."""
    return validate_int_range(raw, TIME_DIFFERENCE_MIN, TIME_DIFFERENCE_MAX)


def validate_admin_timeout(raw: Any) -> int:
    """Administrator session timeout in minutes; 0 means the session never times out."""
    return validate_int_range(raw, ADMIN_TIMEOUT_MIN, ADMIN_TIMEOUT_MAX)


def choice_validator(enum_cls: type[E]) -> Callable[[Any], E]:
    """A validator accepting a member of `enum_cls` or its value."""

    def validate(raw: Any) -> E:
        if isinstance(raw, enum_cls):
            return raw
        try:
            return enum_cls(raw)
        except ValueError:
            raise FieldError("rule.not_a_choice", {"value": str(raw)}) from None

    validate.__doc__ = f"One of {', '.join(str(m.value) for m in enum_cls)}."
    return validate


def one_of(choices: Iterable[str]) -> Callable[[Any], str]:
    """A validator accepting one of the given strings."""
    allowed = tuple(choices)

    def validate(raw: Any) -> str:
        if raw not in allowed:
            raise FieldError("rule.not_a_choice", {"value": str(raw)})
        return str(raw)

    return validate


_TRUE = {"true", "1", "on", "yes", "enable", "enabled"}
_FALSE = {"false", "0", "off", "no", "disable", "disabled"}


def validate_bool(raw: Any) -> bool:
    """On/off: a bool, or one of true/false, on/off, enable/disable, 1/0."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise FieldError("rule.not_a_choice", {"value": str(raw)})


def validate_subject(raw: Any) -> str:
    """A message subject: one line of text (a CR or LF would start a new mail header)."""
    value = _as_text(raw)
    if any(ord(ch) < 0x20 and ch != "\t" or ord(ch) == 0x7F for ch in value):
        raise FieldError("rule.single_line")
    _check_length(value, SUBJECT_MAX)
    return value
