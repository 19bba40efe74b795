from __future__ import annotations

import pytest

from panel_tui.device.validation import (
    FieldError,
    validate_account,
    validate_admin_password,
    validate_bool,
    validate_password,
    validate_port,
    validate_recipient,
    validate_sender,
    validate_server_address,
    validate_time_difference,
)


def rule_of(validator, value) -> tuple[str, dict]:
    with pytest.raises(FieldError) as info:
        validator(value)
    return info.value.key, info.value.params


# ---- account / password -------------------------------------------------------------------


def test_account_accepts_0_to_255_printable_ascii():
    assert validate_account("") == ""
    assert validate_account("a" * 255) == "a" * 255
    assert validate_account(" ~!\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}") != ""


def test_account_refuses_256_characters():
    assert rule_of(validate_account, "a" * 256) == ("rule.too_long", {"max": 255})


@pytest.mark.parametrize("bad", ["\x1f", "\x7f", "é", "¥", "tab\there", "日本"])
def test_account_and_password_refuse_non_printable_or_non_ascii(bad):
    assert rule_of(validate_account, bad)[0] == "rule.ascii_printable"
    assert rule_of(validate_password, bad)[0] == "rule.ascii_printable"


def test_printable_boundaries_are_accepted():
    assert validate_account("\x20\x7e") == " ~"


def test_password_length_0_to_20():
    assert validate_password("") == ""
    assert validate_password("p" * 20) == "p" * 20
    assert rule_of(validate_password, "p" * 21) == ("rule.too_long", {"max": 20})


def test_non_string_is_refused():
    assert rule_of(validate_account, 42)[0] == "rule.ascii_printable"


# ---- sender -------------------------------------------------------------------------------


def test_sender_accepts_ordinary_address_and_empty():
    assert validate_sender("printer@contoso.com") == "printer@contoso.com"
    assert validate_sender("") == ""
    assert validate_sender("a" * 255) == "a" * 255


def test_sender_refuses_256_characters():
    assert rule_of(validate_sender, "a" * 256) == ("rule.too_long", {"max": 255})


@pytest.mark.parametrize("char", list(":()<>[];") + ["¥", "\\"])
def test_sender_refuses_each_forbidden_character(char):
    assert rule_of(validate_sender, f"pri{char}nter@contoso.com") == ("rule.email_forbidden_char", {"char": char})


def test_sender_refuses_leading_dot_but_not_inner_dot():
    assert rule_of(validate_sender, ".printer@contoso.com")[0] == "rule.email_leading_dot"
    assert validate_sender("p.rinter@contoso.com") == "p.rinter@contoso.com"


@pytest.mark.parametrize("bad", ["a\x1fb@x.com", "a\x7fb@x.com", "é@x.com"])
def test_sender_refuses_non_printable(bad):
    assert rule_of(validate_sender, bad)[0] == "rule.ascii_printable"


# ---- server address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "good",
    ["", "smtp.office365.com", "smtp-mail.outlook.com", "localhost", "192.0.2.25", "0.0.0.0", "255.255.255.255",
     "a1.b-2.c", "x" * 63 + ".com"],
)
def test_server_address_accepts(good):
    assert validate_server_address(good) == good


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ("smtp_office.com", "rule.server_chars"),
        ("smtp office.com", "rule.server_chars"),
        ("smtp.offïce.com", "rule.server_chars"),
        ("999.1.1.1", "rule.ipv4_invalid"),
        ("1.2.3", "rule.ipv4_invalid"),
        ("1.2.3.4.5", "rule.ipv4_invalid"),
        ("1..2.3", "rule.ipv4_invalid"),
        (".example.com", "rule.server_label_empty"),
        ("example.com.", "rule.server_label_empty"),
        ("a..b", "rule.server_label_empty"),
        ("-smtp.example.com", "rule.server_label_hyphen"),
        ("smtp-.example.com", "rule.server_label_hyphen"),
        ("smtp.example.-com", "rule.server_label_hyphen"),
        ("x" * 64 + ".com", "rule.server_label_too_long"),
    ],
)
def test_server_address_refuses(bad, key):
    assert rule_of(validate_server_address, bad)[0] == key


def test_server_address_length_limit():
    name = ".".join(["a" * 63] * 4)  # 255 characters
    assert len(name) == 255 and validate_server_address(name) == name
    assert rule_of(validate_server_address, name + "a") == ("rule.too_long", {"max": 255})


# ---- port ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("1", 1), ("587", 587), ("65535", 65535), (" 25 ", 25), (465, 465)])
def test_port_accepts(raw, value):
    assert validate_port(raw) == value


@pytest.mark.parametrize("raw", ["0", "65536", "99999999999", 0, 70000])
def test_port_out_of_range(raw):
    assert rule_of(validate_port, raw) == ("rule.port_range", {"min": 1, "max": 65535})


@pytest.mark.parametrize("raw", ["", "58a", "-1", "+25", "5 87", "²", "1.0", True])
def test_port_non_digits(raw):
    assert rule_of(validate_port, raw)[0] == "rule.port_digits"


# ---- admin password -----------------------------------------------------------------------


def test_admin_password_8_to_20():
    assert validate_admin_password("a" * 8) == "a" * 8
    assert validate_admin_password("a" * 20) == "a" * 20
    assert rule_of(validate_admin_password, "a" * 7) == ("rule.length_range", {"min": 8, "max": 20})
    assert rule_of(validate_admin_password, "a" * 21) == ("rule.length_range", {"min": 8, "max": 20})
    assert rule_of(validate_admin_password, "")[0] == "rule.length_range"


def test_admin_password_single_byte_only():
    assert rule_of(validate_admin_password, "parolă12345")[0] == "rule.ascii_printable"
    assert rule_of(validate_admin_password, "pass\x7fword")[0] == "rule.ascii_printable"


# ---- recipient ----------------------------------------------------------------------------


@pytest.mark.parametrize("good", ["user@contoso.com", "first.last+tag@mail.contoso.onmicrosoft.com"])
def test_recipient_accepts(good):
    assert validate_recipient(good) == good


@pytest.mark.parametrize(
    ("bad", "key"),
    [
        ("", "rule.required"),
        ("user", "rule.email_format"),
        ("user@", "rule.email_format"),
        ("@contoso.com", "rule.email_format"),
        ("a@b@contoso.com", "rule.email_format"),
        ("user@localhost", "rule.email_format"),
        ("user.@contoso.com", "rule.email_format"),
        ("us..er@contoso.com", "rule.email_format"),
        ("us er@contoso.com", "rule.email_format"),
        ("user@-contoso.com", "rule.email_format"),
        ("user@1.2.3.4", "rule.email_format"),
        (".user@contoso.com", "rule.email_leading_dot"),
        ("<user@contoso.com>", "rule.email_forbidden_char"),
    ],
)
def test_recipient_refuses(bad, key):
    assert rule_of(validate_recipient, bad)[0] == key


# ---- others -------------------------------------------------------------------------------


def test_time_difference_range():
    assert validate_time_difference("-720") == -720
    assert validate_time_difference("+840") == 840
    assert rule_of(validate_time_difference, "841") == ("rule.int_range", {"min": -720, "max": 840})
    assert rule_of(validate_time_difference, "-721")[0] == "rule.int_range"
    assert rule_of(validate_time_difference, "2h")[0] == "rule.integer"


def test_bool_words():
    assert validate_bool("Enable") is True and validate_bool("off") is False
    assert rule_of(validate_bool, "maybe") == ("rule.not_a_choice", {"value": "maybe"})


def test_field_error_str_is_english_with_params():
    error = FieldError("rule.too_long", {"max": 255}, field="account")
    assert str(error) == "account: Enter at most 255 characters."
    assert isinstance(error, ValueError)
