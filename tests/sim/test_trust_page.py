"""The simulator's /ca page: a student's browser learns to trust the simulator's CA there
(fingerprint, the certificate, the steps per browser and system, in English and Romanian)."""
from __future__ import annotations

import hashlib
import ssl

import pytest

from panel_tui.sim.pki import ca_fingerprint


@pytest.mark.parametrize(("header", "word"), [("en-GB,en;q=0.9", "Trusted Root Certification Authorities"),
                                              ("ro-RO,ro;q=0.9", "Autorități de certificare rădăcină")])
def test_the_ca_page_shows_the_fingerprint_the_certificate_and_the_steps(sim, header, word):
    with sim.http() as http:
        page = http.get(f"{sim.endpoints.base_url}/ca", headers={"Accept-Language": header}, timeout=10)
        pem = http.get(f"{sim.endpoints.base_url}/ca.pem", timeout=10)
    fingerprint = ca_fingerprint(sim.endpoints.ca_path)
    assert page.status_code == 200 and fingerprint in page.text and word in page.text
    for browser in ("Firefox", "Chrome", "macOS", "Android"):
        assert browser in page.text
    assert 'href="/ca.pem"' in page.text
    assert pem.headers["Content-Type"] == "application/x-x509-ca-cert"
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.text)).hexdigest().upper()
    assert ":".join(digest[i:i + 2] for i in range(0, 64, 2)) == fingerprint
    assert b"PRIVATE KEY" not in pem.content


def test_the_ca_page_stays_up_when_the_identity_provider_is_down(sim):
    sim.control.set_fault("idp_down", True)
    try:
        with sim.http() as http:
            assert http.get(f"{sim.endpoints.base_url}/ca", timeout=10).status_code == 200
    finally:
        sim.control.set_fault("idp_down", False)
