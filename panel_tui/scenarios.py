"""Named starting states for trainers: `scenarios/<name>.toml`, loaded, validated and run.

A scenario is data: a name, a description key (locale) and a list of steps. The runner
reaches its state only through real operations: the simulator's control API (tenant
policies, faults, clock), device code sign-ins performed for real (MSAL starts the flow,
`SimControl.approve_device_code` plays the person in the browser), settings applied as
Web Config's OK does, the simulator's CA imported as Web Config > CA Certificate does.

    scenario = load_scenario("token-expired")        # ScenarioError: `file: step N: problem`
    wipe_profile("default")                          # before the printer is opened (--scenario)
    run_scenario(scenario, printer, backend)         # blocking: call it from a thread worker

Problems are reported as `file: step N: problem`. No textual here.
"""
from __future__ import annotations

import contextvars
import dataclasses
import json
import logging
import os
import shutil
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from panel_tui.datafiles import data_dir
from panel_tui.device.trainer_state import TRAINER_FILE, trainer_state  # noqa: F401 - read by the trainer screen
from panel_tui.device.trainer_state import trainer_file as _trainer_file

log = logging.getLogger(__name__)

TOP_KEYS = {"name", "description_key", "extends", "steps"}
FAULTS = ("idp_down", "idp_5xx", "smtp_down", "smtp_drop_mid_data", "slow_down")
SIGNIN_SECTIONS = ("email_server", "fax_email_server", "user")
SIGNIN_OUTCOMES = ("signed_in", "declined", "expired", "blocked", "consent_required", "idp_unavailable", "error")
_SPENT_DIRS = ("mail-spool", "scans", "status-sheets")  # job leftovers a fresh printer does not have
# Sign-in pages that come back when what was typed is refused (the code keeps pending).
_REFUSED_INPUT_PAGES = ("enter-code", "account", "password")


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "expected a non-empty string"


def _number(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return None if ok else "expected a number >= 0"


def _one_of(*choices: Any) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if any(value == c and type(value) is type(c) for c in choices):
            return None
        return "expected one of " + ", ".join(json.dumps(c) for c in choices)
    return check


def _account(value: Any) -> str | None:
    if not isinstance(value, str) or seeded_account(value) is None:
        from panel_tui.sim.tenant import SEEDED_ACCOUNTS

        names = ", ".join(a.upn.split("@")[0] for a in SEEDED_ACCOUNTS)
        return f"expected a seeded account ({names}) or its address"
    return None


def _table(value: Any) -> str | None:
    return None if isinstance(value, dict) and value else "expected a table of setting = value"


# kind -> {field: (required, check)}: what a step may say.
STEP_KINDS: dict[str, dict[str, tuple[bool, Callable[[Any], str | None]]]] = {
    "security_defaults": {"on": (True, _bool)},
    "smtp_auth_org": {"enabled": (True, _bool)},
    "smtp_auth_mailbox": {"account": (True, _account), "enabled": (True, _one_of(True, False, "org"))},
    "conditional_access_block": {"on": (True, _bool)},
    "admin_consent": {"granted": (False, _bool)},
    "app_registration": {"registered": (False, _bool), "audience": (False, _one_of("single", "multi")),
                         "public_client_flows": (False, _bool), "smtp_send": (False, _bool)},
    "revoke_sessions": {"account": (True, _account)},
    "fault": {"name": (True, _one_of(*FAULTS)), "on": (True, _bool)},
    "advance_clock": {"days": (False, _number), "hours": (False, _number), "seconds": (False, _number)},
    "apply_settings": {"values": (True, _table)},
    "sign_in": {"account": (True, _account), "section": (False, _one_of(*SIGNIN_SECTIONS)),
                "consent_for_org": (False, _bool), "expect": (False, _one_of(*SIGNIN_OUTCOMES))},
    "import_ca": {},
    "trust_simulator_ca": {"trusted": (True, _bool)},
}


class ScenarioError(Exception):
    """Scenario files are broken or a step failed; `problems` holds `file: step N: problem` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Step:
    """One operation of a scenario: its kind, its fields, and where it was written."""

    kind: str
    fields: dict[str, Any]
    where: str  # "file: step N", for messages

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


@dataclass(frozen=True)
class Scenario:
    """A named starting state: `steps` already include those of the scenario it extends."""

    name: str
    description_key: str
    steps: tuple[Step, ...]
    path: Path


def seeded_account(name: str):
    """The seeded tenant account called `name` ("printer") or with that address; None if none."""
    from panel_tui.sim.tenant import SEEDED_ACCOUNTS

    wanted = name.lower()
    for account in SEEDED_ACCOUNTS:
        if wanted in (account.upn.lower(), account.upn.split("@")[0].lower()):
            return account
    return None


# -- loading -----------------------------------------------------------------------------


def _check_step(raw: Any, where: str, problems: list[str]) -> Step | None:
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
        problems.append(f"{where}: advance_clock: give days, hours or seconds")
    if kind == "apply_settings" and isinstance(fields.get("values"), dict):
        problems.extend(_check_settings(fields["values"], where))
    return Step(kind, fields, where) if len(problems) == before else None


def _check_settings(values: dict, where: str) -> list[str]:
    """Each setting must exist and take its value (checked on factory settings, in order)."""
    from panel_tui.device.settings import DeviceSettings
    from panel_tui.device.validation import FieldError

    settings = DeviceSettings()
    problems = []
    for name, value in values.items():
        try:
            settings = settings.with_field(name, value)
        except KeyError:
            problems.append(f"{where}: apply_settings: unknown setting {name!r}")
        except FieldError as error:
            problems.append(f"{where}: apply_settings: {name}: invalid value {value!r} ({error.key})")
    return problems


def _read_file(path: Path, problems: list[str], label_keys: set[str] | None) -> dict | None:
    fname = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{fname}: not valid TOML: {exc}")
        return None
    before = len(problems)
    for key in sorted(raw.keys() - TOP_KEYS):
        problems.append(f"{fname}: unknown key {key!r}; expected {', '.join(sorted(TOP_KEYS))}")
    if raw.get("name") != path.stem:
        problems.append(f"{fname}: name must be {path.stem!r} (the file name), not {raw.get('name')!r}")
    key = raw.get("description_key")
    if not isinstance(key, str) or not key:
        problems.append(f"{fname}: description_key: expected a locale key")
    elif label_keys is not None and key not in label_keys:
        problems.append(f"{fname}: description_key: {key!r} is not in the locale files")
    if "extends" in raw and not isinstance(raw["extends"], str):
        problems.append(f"{fname}: extends: expected a scenario name")
    steps = raw.get("steps", [])
    if not isinstance(steps, list):
        problems.append(f"{fname}: steps: expected [[steps]] tables")
        steps = []
    raw["steps"] = [_check_step(s, f"{fname}: step {n}", problems) for n, s in enumerate(steps, 1)]
    return raw if len(problems) == before else None


def load_scenarios(directory: Path | None = None, label_keys: set[str] | None = None) -> dict[str, Scenario]:
    """Every scenario of `directory` (default: the shipped folder), by name, sorted.

    Raises ScenarioError listing every problem of every file (unknown kinds, fields, values,
    settings, accounts, `extends` of a missing scenario or in a cycle).
    """
    directory = Path(directory or data_dir("scenarios"))
    problems: list[str] = []
    raws = {}
    for path in sorted(directory.glob("*.toml")):
        raw = _read_file(path, problems, label_keys)
        if raw is not None:
            raws[path.stem] = (path, raw)
    if not raws and not problems:
        problems.append(f"{directory}: no scenario files")
    scenarios: dict[str, Scenario] = {}

    def build(name: str, chain: tuple[str, ...]) -> Scenario | None:
        if name in scenarios:
            return scenarios[name]
        path, raw = raws[name]
        steps: tuple[Step, ...] = ()
        base = raw.get("extends")
        if base is not None:
            if base in chain:
                problems.append(f"{path}: extends: cycle {' -> '.join((*chain, base))}")
                return None
            if base not in raws:
                problems.append(f"{path}: extends: no scenario {base!r}")
                return None
            parent = build(base, (*chain, base))
            if parent is None:
                return None
            steps = parent.steps
        scenario = Scenario(name, raw["description_key"], steps + tuple(raw["steps"]), path)
        scenarios[name] = scenario
        return scenario

    for name in raws:
        build(name, (name,))
    if problems:
        raise ScenarioError(problems)
    return dict(sorted(scenarios.items()))


def check_scenarios(directory: Path | None = None, label_keys: set[str] | None = None) -> list[str]:
    """The problems of the scenario files (empty when they are fine), for `panel-tui check`."""
    try:
        load_scenarios(directory, label_keys)
    except ScenarioError as error:
        return error.problems
    return []


def load_scenario(name: str, directory: Path | None = None) -> Scenario:
    """The scenario called `name` (ScenarioError says which names exist)."""
    scenarios = load_scenarios(directory)
    if name not in scenarios:
        raise ScenarioError([f"no scenario {name!r}; choose one of: {', '.join(scenarios)}"])
    return scenarios[name]


def list_scenarios(lang: str = "en", directory: Path | None = None, translator=None) -> list[tuple[str, str]]:
    """(name, one-line description in `lang`) for every scenario."""
    if translator is None:
        from panel_tui.i18n import Translator

        translator = Translator.load()
    previous = translator.language
    translator.set_language(lang)
    try:
        return [(s.name, translator.t(s.description_key)) for s in load_scenarios(directory).values()]
    finally:
        translator.set_language(previous)


def scenario_lines(lang: str = "en", directory: Path | None = None) -> list[str]:
    """`panel-tui scenarios`: one `name  description` line per scenario, names aligned."""
    rows = list_scenarios(lang, directory)
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)}  {description}" for name, description in rows]


def print_scenarios(lang: str | None = None, profile: str = "default") -> int:
    """`panel-tui [--lang L] scenarios`: in `lang`, else the profile's language. Exit code."""
    if lang is None:
        from panel_tui.device.paths import resolve_paths
        from panel_tui.device.settings_store import SettingsError, SettingsStore

        try:
            lang = SettingsStore(resolve_paths(profile)).load().language
        except (SettingsError, ValueError):
            lang = "en"
    try:
        lines = scenario_lines(lang)
    except ScenarioError as error:
        print("\n".join(error.problems), file=sys.stderr)
        return 1
    try:
        print("\n".join(lines), flush=True)
    except BrokenPipeError:
        # The reader left (`panel-tui scenarios | head -1`): stop writing, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


# -- the profile's trainer file ----------------------------------------------------------


def _save_trainer_state(paths, **changes: Any) -> None:
    from panel_tui.device.atomic import write_atomically

    state = {**trainer_state(paths), **changes}
    Path(paths.data_dir).mkdir(parents=True, exist_ok=True)
    write_atomically(_trainer_file(paths), json.dumps({"schema": 1, **state}, indent=2) + "\n", mode=0o600)


def forget_scenario(paths) -> None:
    """After "reset everything": the profile no longer says it started from a scenario."""
    _save_trainer_state(paths, scenario=None)


def _set_simulator_trust(printer, backend, trusted: bool) -> None:
    _save_trainer_state(printer.paths, simulator_ca_trusted=trusted)
    backend.set_trust_sim_ca(trusted)  # applies to the next job


def _endpoint(backend, key: str) -> Any:
    endpoints = backend.endpoints()
    return (endpoints if isinstance(endpoints, dict) else endpoints.to_dict())[key]


def _simulator_ca(backend) -> Path:
    return Path(_endpoint(backend, "ca_path"))


# -- fresh profile -----------------------------------------------------------------------


def wipe_profile(profile: str):
    """Delete every file of `profile` (settings, tokens, job log, CA certificates) and
    return its fresh, empty ProfilePaths. Call it before the printer is opened."""
    from panel_tui.device.paths import resolve_paths

    paths = resolve_paths(profile)
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir):
        shutil.rmtree(directory, ignore_errors=True)
    return resolve_paths(profile)


def reset_profile(printer, backend) -> None:
    """Make an open printer fresh with the product's own operations: every account signed
    out, factory settings (the panel language kept), job log cleared, imported CA
    certificates deleted, the simulator's CA trusted again."""
    from panel_tui.device.settings import AuthMethod, EmailServerSettings, EmailService
    from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE

    for service in EmailService:
        session = backend.session_for(EmailServerSettings(auth_method=AuthMethod.OAUTH2, email_service=service))
        for role in (EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE):
            session.sign_out(role=role)
        for upn in session.accounts():
            session.sign_out(account=upn, role=None)
    language = printer.settings.language
    printer.restore_defaults()
    if printer.settings.language != language:
        printer.update(dataclasses.replace(printer.settings, language=language))
    printer.joblog.clear()
    for name in _SPENT_DIRS:
        shutil.rmtree(Path(printer.paths.data_dir) / name, ignore_errors=True)
    for path in Path(printer.paths.ca_dir).glob("*.pem"):
        path.unlink(missing_ok=True)  # Web Config > CA Certificate > Delete
    _set_simulator_trust(printer, backend, True)


# -- running -----------------------------------------------------------------------------


def run_scenario(scenario: Scenario | str, printer, backend, directory: Path | None = None, *,
                 accounts: dict[str, Any] | None = None, reset_simulator: bool = True) -> Scenario:
    """Reset the simulator and the printer, then perform the scenario's steps. Blocks
    (network, MSAL polling): run it in a thread. Raises ScenarioError naming the step
    that did not go as written (e.g. a sign-in that was not signed in).

    A class seat (panel_tui.classroom) keeps the shared simulator (`reset_simulator=False`)
    and stands its own mailbox in for a seeded one: `accounts={"printer": account}` (an
    object with upn, display_name, password), also in settings values naming that address.
    """
    if isinstance(scenario, str):
        scenario = load_scenario(scenario, directory)
    control = backend.control()
    if reset_simulator:
        control.reset()
    backend.sync_clock()
    reset_profile(printer, backend)
    token = _ACCOUNTS.set({name.lower(): account for name, account in (accounts or {}).items()})
    try:
        for step in scenario.steps:
            try:
                _PERFORM[step.kind](step, printer, backend, control)
            except ScenarioError:
                raise
            except Exception as error:  # noqa: BLE001 - reported with the step that failed
                raise ScenarioError([f"{step.where}: {step.kind} failed: {type(error).__name__}: {error}"]) from error
    finally:
        _ACCOUNTS.reset(token)
    _save_trainer_state(printer.paths, scenario=scenario.name)
    log.info("scenario %s ready (%d steps)", scenario.name, len(scenario.steps))
    return scenario


_ACCOUNTS: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("scenario_accounts", default={})


def _account_of(name: str):
    """The seeded account `name`, or the account standing in for it (a class seat's mailbox)."""
    seeded = seeded_account(name)
    key = seeded.upn.split("@")[0].lower() if seeded is not None else name.lower()
    return _ACCOUNTS.get().get(key, seeded)


def _stand_in(value: Any) -> Any:
    """A settings value naming a seeded account's address, with the stand-in's address."""
    if isinstance(value, str) and "@" in value:
        account = _account_of(value)
        if account is not None:
            return account.upn
    return value


def _upn(step: Step) -> str:
    return _account_of(step.get("account")).upn


def _apply_settings(step: Step, printer, backend, control) -> None:
    def change(settings):
        for name, value in step.get("values").items():
            settings = settings.with_field(name, _stand_in(value))
        return settings

    printer.update(change)  # all at once, as Web Config's OK sends the page


def _sign_in(step: Step, printer, backend, control) -> None:
    from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE

    account = _account_of(step.get("account"))
    section = step.get("section", "email_server")
    role = {"email_server": EMAIL_SERVER_ROLE, "fax_email_server": FAX_EMAIL_SERVER_ROLE, "user": None}[section]
    # Web Config signs in with the page's pending settings: OAuth2 and its email service.
    pending = getattr(printer.settings, "email_server" if section == "user" else section)
    session = backend.session_for(pending.with_field("auth_method", "oauth2"))
    flow = session.start_device_flow(role=role)
    page = control.approve_device_code(flow.user_code, account.upn, account.password,
                                       consent_for_org=bool(step.get("consent_for_org", False)))
    if page["page"] in _REFUSED_INPUT_PAGES:
        session.cancel(flow)  # the browser never got past the form: stop polling at once
    result = session.wait_for_device_flow(flow)
    expected = step.get("expect", "signed_in")
    if result.outcome != expected:
        raise ScenarioError([f"{step.where}: sign_in as {account.upn}: {result.outcome} "
                             f"(page {page['page']}), expected {expected}"])


def _import_ca(step: Step, printer, backend, control) -> None:
    """Web Config > Network Security > CA Certificate > Import of the simulator's CA PEM."""
    from panel_tui.device.ca_store import CertificateImportError, import_ca_certificate

    try:
        import_ca_certificate(_simulator_ca(backend), Path(printer.paths.ca_dir))
    except CertificateImportError as error:
        if error.key != "webconfig.ca.already":  # already imported: nothing to do
            raise


def _advance_clock(step: Step, printer, backend, control) -> None:
    seconds = step.get("days", 0) * 86400 + step.get("hours", 0) * 3600 + step.get("seconds", 0)
    backend.advance_clock(seconds)


def _smtp_auth_mailbox(step: Step, printer, backend, control) -> None:
    enabled = step.get("enabled")
    control.set_smtp_auth_mailbox(_upn(step), None if enabled == "org" else enabled)


def _admin_consent(step: Step, printer, backend, control) -> None:
    client_id = _endpoint(backend, "client_id")
    if step.get("granted", True):
        control.grant_admin_consent(client_id)
    else:
        control.revoke_admin_consent(client_id)


def _app_registration(step: Step, printer, backend, control) -> None:
    """Entra admin center > App registrations: the printer's app, changed as the step says."""
    control.set_app_registration(_endpoint(backend, "client_id"), **step.fields)


_PERFORM: dict[str, Callable[[Step, Any, Any, Any], None]] = {
    "security_defaults": lambda s, p, b, c: c.set_security_defaults(s.get("on")),
    "smtp_auth_org": lambda s, p, b, c: c.set_smtp_auth_org(s.get("enabled")),
    "smtp_auth_mailbox": _smtp_auth_mailbox,
    "conditional_access_block": lambda s, p, b, c: c.set_conditional_access_block(s.get("on")),
    "admin_consent": _admin_consent,
    "app_registration": _app_registration,
    "revoke_sessions": lambda s, p, b, c: c.revoke_sessions(_upn(s)),
    "fault": lambda s, p, b, c: c.set_fault(s.get("name"), s.get("on")),
    "advance_clock": _advance_clock,
    "apply_settings": _apply_settings,
    "sign_in": _sign_in,
    "import_ca": _import_ca,
    "trust_simulator_ca": lambda s, p, b, c: _set_simulator_trust(p, b, s.get("trusted")),
}
assert set(_PERFORM) == set(STEP_KINDS)
