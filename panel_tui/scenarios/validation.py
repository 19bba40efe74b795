"""What a scenario file may say: the top-level keys, each step kind's fields and their checks.

Problems are `file: step N: kind: field: problem` lines, collected rather than raised, so a
broken file reports everything at once.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping

from panel_tui.device.settings import DeviceSettings
from panel_tui.device.validation import FieldError
from panel_tui.scenarios.model import Step, seeded_account
from panel_tui.sim.client import SEEDED_ACCOUNTS

TOP_KEYS = {"name", "description_key", "extends", "steps"}
FAULTS = ("idp_down", "idp_5xx", "smtp_down", "smtp_drop_mid_data", "slow_down", "smtp_busy", "smtp_unavailable")
SIGNIN_SECTIONS = ("email_server", "fax_email_server", "user")
SIGNIN_OUTCOMES = ("signed_in", "declined", "expired", "blocked", "consent_required", "idp_unavailable", "error")


def _bool(value: object) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _text(value: object) -> str | None:
    return None if isinstance(value, str) and value else "expected a non-empty string"


def _number(value: object) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return None if ok else "expected a number >= 0"


def _one_of(*choices: object) -> Callable[[object], str | None]:
    def check(value: object) -> str | None:
        if any(value == c and type(value) is type(c) for c in choices):
            return None
        return "expected one of " + ", ".join(json.dumps(c) for c in choices)
    return check


def _account(value: object) -> str | None:
    if not isinstance(value, str) or seeded_account(value) is None:
        names = ", ".join(a.upn.split("@")[0] for a in SEEDED_ACCOUNTS)
        return f"expected a seeded account ({names}) or its address"
    return None


def _utc_time(value: object) -> str | None:
    """An ISO 8601 time with its zone, e.g. 2027-01-01T08:00:00Z."""
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return "expected an ISO 8601 time such as 2027-01-01T08:00:00Z"
    return None if isinstance(value, str) and parsed.tzinfo is not None else "expected a time with its zone (Z)"


def _table(value: object) -> str | None:
    return None if isinstance(value, dict) and value else "expected a table of setting = value"


# kind -> {field: (required, check)}: what a step may say.
STEP_KINDS: dict[str, dict[str, tuple[bool, Callable[[object], str | None]]]] = {
    "security_defaults": {"on": (True, _bool)},
    "smtp_auth_org": {"enabled": (True, _bool)},
    "smtp_auth_mailbox": {"account": (True, _account), "enabled": (True, _one_of(True, False, "org"))},
    "conditional_access_block": {"on": (True, _bool)},
    "admin_consent": {"granted": (False, _bool)},
    "app_registration": {"registered": (False, _bool), "audience": (False, _one_of("single", "multi")),
                         "public_client_flows": (False, _bool), "smtp_send": (False, _bool)},
    "revoke_sessions": {"account": (True, _account)},
    "fault": {"name": (True, _one_of(*FAULTS)), "on": (True, _bool)},
    "advance_clock": {"days": (False, _number), "hours": (False, _number), "seconds": (False, _number),
                      "until": (False, _utc_time)},
    "basic_smtp_auth": {"enabled": (False, _one_of(True, False, "timeline")), "final_removal": (False, _bool)},
    "send": {"to": (False, _account)},
    "apply_settings": {"values": (True, _table)},
    "webconfig_edits": {"values": (True, _table)},  # on Web Config's open page, OK not clicked
    "sign_in": {"account": (True, _account), "section": (False, _one_of(*SIGNIN_SECTIONS)),
                "consent_for_org": (False, _bool), "expect": (False, _one_of(*SIGNIN_OUTCOMES))},
    "import_ca": {},
    "trust_simulator_ca": {"trusted": (True, _bool)},
}


def check_step(raw: object, where: str, problems: list[str]) -> Step | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a table ([[steps]])")
        return None
    kind = raw.get("kind")
    if kind not in STEP_KINDS:
        problems.append(f"{where}: unknown step kind {kind!r}; expected one of {', '.join(STEP_KINDS)}")
        return None
    schema = STEP_KINDS[kind]
    fields = {k: v for k, v in raw.items() if k != "kind"}
    before = len(problems)
    for name in sorted(set(fields) - set(schema)):
        problems.append(f"{where}: {kind}: unknown field {name!r}; expected {', '.join(schema) or 'none'}")
    for name, (required, check) in schema.items():
        if name not in fields:
            if required:
                problems.append(f"{where}: {kind}: missing field {name!r}")
            continue
        problem = check(fields[name])
        if problem:
            problems.append(f"{where}: {kind}: {name}: {problem}")
    if kind == "advance_clock" and not fields:
        problems.append(f"{where}: advance_clock: give days, hours, seconds or until")
    if kind == "basic_smtp_auth" and not fields:
        problems.append(f"{where}: basic_smtp_auth: give enabled or final_removal")
    if kind in ("apply_settings", "webconfig_edits") and isinstance(fields.get("values"), dict):
        problems.extend(check_settings(fields["values"], where, kind))
    return Step(kind, fields, where) if len(problems) == before else None


def check_settings(values: Mapping[str, object], where: str, kind: str = "apply_settings") -> list[str]:
    """Each setting must exist and take its value (checked on factory settings, in order)."""
    settings = DeviceSettings()
    problems = []
    for name, value in values.items():
        try:
            settings = settings.with_field(name, value)
        except KeyError:
            problems.append(f"{where}: {kind}: unknown setting {name!r}")
        except FieldError as error:
            problems.append(f"{where}: {kind}: {name}: invalid value {value!r} ({error.key})")
    return problems
