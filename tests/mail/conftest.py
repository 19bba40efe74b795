"""One embedded simulator for the mail tests (reset before each test); real MSAL and aiosmtplib.

`world` is a fresh printer profile wired to the simulator: its clock follows the
simulator's (advance both with `world.advance`), and `world.sign_in` plays the person at
the /devicelogin pages through SimControl before the panel polls, so nothing waits.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import timedelta

import pytest

from panel_tui.device.clock import OffsetClock, SystemClock
from panel_tui.device.paths import resolve_paths
from panel_tui.device.printer import Printer
from panel_tui.mail.auth import EMAIL_SERVER_ROLE, OAuthSession, SignInResult
from panel_tui.mail.jobs import MailJobs
from panel_tui.mail.providers import simulator
from panel_tui.sim.control import SimControl
from panel_tui.sim.runtime import SimEndpoints
from panel_tui.sim.tenant import SEEDED_ACCOUNTS
from tests.helpers.tenant import prepare_tenant

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS


@dataclass
class World:
    endpoints: SimEndpoints
    control: SimControl
    printer: Printer
    clock: OffsetClock
    session: OAuthSession
    jobs: MailJobs

    def advance(self, seconds: float) -> None:
        """Move the simulator's clock and the printer's together (simulated time only)."""
        self.control.advance_clock(seconds)
        self.clock.advance(timedelta(seconds=seconds))

    def open_smtp(self) -> None:
        """The guide's Exchange preparation: security defaults off, SMTP AUTH on for the org."""
        prepare_tenant(self.control)

    def sign_in(self, account=PRINTER, *, role: str | None = EMAIL_SERVER_ROLE, consent_for_org: bool = False,
                accept: bool = True, session: OAuthSession | None = None) -> SignInResult:
        session = session or self.session
        flow = session.start_device_flow(role=role)
        self.browser = self.control.approve_device_code(
            flow.user_code, account.upn, account.password, consent_for_org=consent_for_org, accept=accept)
        return session.wait_for_device_flow(flow)

    def apply_oauth(self, sender: str | None = PRINTER.upn, section: str = "email_server", **fields) -> None:
        """What clicking OK in Web Config does: the settings become the applied ones."""
        def change(settings):
            settings = settings.with_field(f"{section}.auth_method", "oauth2")
            settings = settings.with_field(f"{section}.email_service", "exchange_online")
            if sender is not None:
                settings = settings.with_field(f"{section}.sender", sender)
            for name, value in fields.items():
                settings = settings.with_field(f"{section}.{name}", value)
            return settings
        self.printer.update(change)

    def import_ca(self) -> None:
        """Network Security > CA Certificate: import the PEM that signs the mail server's certificate."""
        ca_dir = self.printer.paths.ca_dir
        ca_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.endpoints.ca_path, ca_dir / "simulator-ca.pem")

    def ready(self) -> None:
        """Everything the guide asks for, done: SMTP AUTH on, consent, printer signed in, OK, CA."""
        self.open_smtp()
        self.control.grant_admin_consent(self.endpoints.client_id)
        assert self.sign_in(PRINTER).ok
        self.apply_oauth()
        self.import_ca()


@pytest.fixture
def control(sim_control):
    """The shared simulator's control API (tests/conftest.py starts it once and resets it per test)."""
    return sim_control


@pytest.fixture
def world(sim_thread, control, panel_home):
    endpoints = sim_thread.endpoints
    clock = OffsetClock(SystemClock())
    printer = Printer.open(resolve_paths("default"), clock)
    session = OAuthSession(simulator(endpoints), printer.paths.token_cache_file, clock)
    jobs = MailJobs(printer, lambda settings: session, timeout=10)
    jobs.install_signin_provider()
    return World(endpoints, control, printer, clock, session, jobs)
