"""One simulator for the whole sim test session (reset before each test), real clients."""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

import msal
import pytest
import requests

from panel_tui.sim.control import SimControl
from panel_tui.sim.runtime import SimEndpoints, SimulatorThread
from panel_tui.sim.tenant import SEEDED_ACCOUNTS, SeededAccount
from tests.helpers.tenant import prepare_tenant

ADMIN, PRINTER, MEGAN, ALEX = SEEDED_ACCOUNTS
DOMAIN = "contoso.onmicrosoft.com"


@dataclass
class SignIn:
    """A finished device code sign-in: the MSAL app (with its cache), MSAL's result and
    what the browser saw."""

    app: msal.PublicClientApplication
    result: dict
    page: dict

    @property
    def access_token(self) -> str:
        return self.result["access_token"]


class Harness:
    """The running simulator as a test sees it: endpoints, control client, MSAL factory."""

    def __init__(self, endpoints: SimEndpoints, data_dir: Path) -> None:
        self.endpoints = endpoints
        self.data_dir = data_dir
        self.control = SimControl(endpoints.control_url, endpoints.ca_path)

    def http(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.endpoints.ca_path)
        return session

    def msal_app(self, authority: str | None = None) -> msal.PublicClientApplication:
        """An unmodified MSAL public client, set up as a printer's firmware would use it."""
        return msal.PublicClientApplication(
            self.endpoints.client_id,
            authority=authority or self.endpoints.authority,
            instance_discovery=False,
            http_client=self.http(),
        )

    def start_flow(self, app: msal.PublicClientApplication) -> dict:
        flow = app.initiate_device_flow(scopes=[self.endpoints.scope])
        assert "user_code" in flow, flow
        return flow

    def sign_in(self, account: SeededAccount | str = ADMIN, *, password: str | None = None,
                consent_for_org: bool = True, accept: bool = True, authority: str | None = None) -> SignIn:
        """Device flow with MSAL; the user approves in the 'browser' before MSAL polls, so
        MSAL's first poll already gets the answer (no waiting on the interval)."""
        app = self.msal_app(authority)
        flow = self.start_flow(app)
        upn = account if isinstance(account, str) else account.upn
        password = password or (None if isinstance(account, str) else account.password)
        assert password, "a plain UPN needs its password"
        page = self.control.approve_device_code(
            flow["user_code"], upn, password,
            consent_for_org=consent_for_org, accept=accept,
        )
        result = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
        return SignIn(app, result, page)

    def open_smtp(self) -> None:
        """The guide's Exchange settings: security defaults off, SMTP AUTH on."""
        prepare_tenant(self.control)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.endpoints.ca_path))


@pytest.fixture(scope="session")
def sim_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("m365-sim")


@pytest.fixture(scope="session")
def sim_thread(sim_data_dir):
    thread = SimulatorThread(sim_data_dir)
    thread.start(timeout=30)
    yield thread
    thread.stop()


@pytest.fixture
def sim(sim_thread, sim_data_dir):
    harness = Harness(sim_thread.endpoints, sim_data_dir)
    harness.control.reset()
    yield harness
    harness.control.close()
