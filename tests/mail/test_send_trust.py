"""Whom a send trusts: the simulator's mail server with the CA files only (the system store can
vouch for nothing the simulator serves, and loading it cost more than the rest of a send); a real
server with the system store plus the imported CA certificates."""
from __future__ import annotations

import ssl

import pytest

from panel_tui.mail import smtp
from tests.helpers.tenant import MEGAN


@pytest.fixture
def system_store_loads(monkeypatch):
    """How many TLS contexts loaded the system's root certificates (a fresh context cache)."""
    smtp._cached_context.cache_clear()
    loads: list[int] = []
    original = ssl.SSLContext.load_default_certs

    def counting(self, *args, **kwargs):
        loads.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", counting)
    yield loads
    smtp._cached_context.cache_clear()


async def test_a_send_through_the_simulator_does_not_load_the_system_store(world, system_store_loads):
    world.ready()
    outcome = await world.jobs.test_mail(MEGAN.upn)
    assert outcome.ok, outcome.error
    assert system_store_loads == []


async def test_without_the_imported_ca_the_simulator_is_still_untrusted(world, system_store_loads):
    world.ready()
    for path in world.printer.paths.ca_dir.iterdir():
        path.unlink()
    outcome = await world.jobs.test_mail(MEGAN.upn)
    assert (outcome.error.cause_name, outcome.job.error_code) == ("certificate_untrusted", 313)


def test_a_real_server_is_checked_against_the_system_store_and_the_imported_cas(world, system_store_loads):
    context = smtp.tls_context(True, [world.endpoints.ca_path])
    assert system_store_loads == [1] and context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    sim_only = smtp.tls_context(True, [world.endpoints.ca_path], system_store=False)
    assert system_store_loads == [1] and sim_only.verify_mode == ssl.CERT_REQUIRED and sim_only.check_hostname
    assert sim_only.cert_store_stats()["x509_ca"] == 1
