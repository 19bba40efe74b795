"""Performing a scenario's steps for real: the simulator's control API, device code sign-ins
(MSAL starts the flow, SimControl plays the person in the browser), settings applied as Web
Config's OK does, the simulator's CA imported as Web Config > CA Certificate does."""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from panel_tui.device.ca_store import CertificateImportError, import_ca_certificate
from panel_tui.scenarios.loading import load_scenario
from panel_tui.scenarios.model import Scenario, ScenarioError, Step, seeded_account
from panel_tui.scenarios.profile import reset_profile
from panel_tui.scenarios.trainer_file import save_trainer_state, set_simulator_trust
from panel_tui.scenarios.validation import STEP_KINDS

if TYPE_CHECKING:  # pragma: no cover
    from panel_tui.backend import Backend
    from panel_tui.device.printer import Printer
    from panel_tui.device.settings import DeviceSettings
    from panel_tui.sim.client import SimControl

log = logging.getLogger(__name__)

# Sign-in pages that come back when what was typed is refused (the code keeps pending).
_REFUSED_INPUT_PAGES = ("enter-code", "account", "password")


class Account(Protocol):
    """A mailbox a step signs in or names: a seeded account, or a class seat's standing in for one."""

    @property
    def upn(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def password(self) -> str: ...


def run_scenario(scenario: Scenario | str, printer: Printer, backend: Backend, directory: Path | None = None, *,
                 accounts: Mapping[str, Account] | None = None, reset_simulator: bool = True) -> Scenario:
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
    save_trainer_state(printer.paths, scenario=scenario.name)
    log.info("scenario %s ready (%d steps)", scenario.name, len(scenario.steps))
    return scenario


_ACCOUNTS: contextvars.ContextVar[dict[str, Account]] = contextvars.ContextVar("scenario_accounts")


def _account_of(name: str) -> Account | None:
    """The seeded account `name`, or the account standing in for it (a class seat's mailbox)."""
    seeded = seeded_account(name)
    key = seeded.upn.split("@")[0].lower() if seeded is not None else name.lower()
    return _ACCOUNTS.get({}).get(key, seeded)


def _stand_in(value: Any) -> Any:
    """A settings value naming a seeded account's address, with the stand-in's address."""
    if isinstance(value, str) and "@" in value:
        account = _account_of(value)
        if account is not None:
            return account.upn
    return value


def _endpoint(backend: Backend, key: str) -> str:
    endpoints = backend.endpoints()
    assert endpoints is not None  # run_scenario's backend.control() refused live mode
    data: Mapping[str, object] = endpoints if isinstance(endpoints, dict) else endpoints.to_dict()
    return str(data[key])


def _simulator_ca(backend: Backend) -> Path:
    return Path(_endpoint(backend, "ca_path"))


def _step_account(step: Step, key: str = "account") -> Account:
    account = _account_of(step.get(key))
    if account is None:  # validation names only seeded accounts: not reached from a checked file
        raise ScenarioError([f"{step.where}: {step.kind}: no account {step.get(key)!r}"])
    return account


def _upn(step: Step) -> str:
    return _step_account(step).upn


def _apply_settings(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    def change(settings: DeviceSettings) -> DeviceSettings:
        for name, value in step.get("values").items():
            settings = settings.with_field(name, _stand_in(value))
        return settings

    printer.update(change)  # all at once, as Web Config's OK sends the page


def _webconfig_edits(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    """Edits made on Web Config's page and left there, OK not clicked: the panel opens Web
    Config showing them (the printer keeps its applied settings)."""
    values = {name: _stand_in(value) for name, value in step.get("values").items()}
    save_trainer_state(printer.paths, webconfig_pending=values)


def _sign_in(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    from panel_tui.mail.auth import EMAIL_SERVER_ROLE, FAX_EMAIL_SERVER_ROLE

    account = _step_account(step)
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


def _import_ca(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    """Web Config > Network Security > CA Certificate > Import of the simulator's CA PEM."""
    try:
        import_ca_certificate(_simulator_ca(backend), Path(printer.paths.ca_dir))
    except CertificateImportError as error:
        if error.key != "webconfig.ca.already":  # already imported: nothing to do
            raise


def _advance_clock(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    seconds = step.get("days", 0) * 86400 + step.get("hours", 0) * 3600 + step.get("seconds", 0)
    until = step.get("until")
    if until:  # to a moment (never backwards: the simulated clock only moves forward)
        target = dt.datetime.fromisoformat(str(until).replace("Z", "+00:00")).timestamp()
        seconds += max(0.0, target - control.now())
    backend.advance_clock(seconds)


def _basic_smtp_auth(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    """Microsoft 365 admin center: Basic authentication for SMTP AUTH (MC786329)."""
    if "enabled" in step.fields:
        enabled = step.get("enabled")
        control.set_basic_smtp_auth(None if enabled == "timeline" else enabled)
    if "final_removal" in step.fields:
        control.set_basic_final_removal(step.get("final_removal"))


def _send(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    """A Scan to Email job as the panel sends it (to `to`, default alex); it must succeed."""
    to = seeded_account(step.get("to", "alex"))
    address = to.upn if to is not None else str(step.get("to"))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the caller may be on an event loop
        outcome = pool.submit(asyncio.run, backend.jobs.scan_to_email(address)).result()
    if not outcome.ok:
        cause = outcome.error.cause_name if outcome.error else "error"
        raise ScenarioError([f"{step.where}: send to {address}: {cause} ({outcome.job.error_code})"])


def _smtp_auth_mailbox(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    enabled = step.get("enabled")
    control.set_smtp_auth_mailbox(_upn(step), None if enabled == "org" else enabled)


def _admin_consent(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    client_id = _endpoint(backend, "client_id")
    if step.get("granted", True):
        control.grant_admin_consent(client_id)
    else:
        control.revoke_admin_consent(client_id)


def _app_registration(step: Step, printer: Printer, backend: Backend, control: SimControl) -> None:
    """Entra admin center > App registrations: the printer's app, changed as the step says."""
    control.set_app_registration(_endpoint(backend, "client_id"), **step.fields)


_PERFORM: dict[str, Callable[[Step, Printer, Backend, SimControl], None]] = {
    "security_defaults": lambda s, p, b, c: c.set_security_defaults(s.get("on")),
    "smtp_auth_org": lambda s, p, b, c: c.set_smtp_auth_org(s.get("enabled")),
    "smtp_auth_mailbox": _smtp_auth_mailbox,
    "conditional_access_block": lambda s, p, b, c: c.set_conditional_access_block(s.get("on")),
    "admin_consent": _admin_consent,
    "app_registration": _app_registration,
    "revoke_sessions": lambda s, p, b, c: c.revoke_sessions(_upn(s)),
    "fault": lambda s, p, b, c: c.set_fault(s.get("name"), s.get("on")),
    "advance_clock": _advance_clock,
    "basic_smtp_auth": _basic_smtp_auth,
    "send": _send,
    "apply_settings": _apply_settings,
    "webconfig_edits": _webconfig_edits,
    "sign_in": _sign_in,
    "import_ca": _import_ca,
    "trust_simulator_ca": lambda s, p, b, c: set_simulator_trust(p, b, s.get("trusted")),
}
assert set(_PERFORM) == set(STEP_KINDS)
