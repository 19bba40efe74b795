"""The simulator's own files: a corrupt state.json or CA file stops the start with the path, the
problem and the way back, and nothing is overwritten (never a silent reseed, never a new CA key)."""
from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519

from panel_tui.sim.atomic_file import SimFileError
from panel_tui.sim.pki import ca_fingerprint, ensure_pki
from panel_tui.sim.state import SimState

from .conftest import panel_cli, sim_dir_of

CORRUPT_STATES = {
    "not json": b"{ not json",
    "truncated": b'{"version": 1, "tenant": {"tenant_id": "3f6d',
    "wrong type": b"[1, 2, 3]",
    "no tenant": b'{"version": 1}',
    "nan clock": b'{"version": 1, "clock_offset": NaN, "tenant": {}}',
    "not utf-8": b"\xff\xfe\x00garbage",
    "deep": b"[" * 100000 + b"]" * 100000,
}


@pytest.mark.parametrize("name", sorted(CORRUPT_STATES))
def test_a_corrupt_state_file_is_refused_and_kept(tmp_path, name):
    path = tmp_path / "state.json"
    path.write_bytes(CORRUPT_STATES[name])
    with pytest.raises(SimFileError) as refused:
        SimState.load(path)
    message = str(refused.value)
    assert str(path) in message and "corrupt" in message and f"mv {path} {path}.bad" in message
    assert path.read_bytes() == CORRUPT_STATES[name]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_sim_refuses_to_start_on_a_corrupt_state_and_says_how_to_reset(panel_home):
    sim_dir = sim_dir_of(panel_home)
    sim_dir.mkdir(parents=True)
    (sim_dir / "state.json").write_text("{ not json")
    result = panel_cli("sim", timeout=60)
    assert result.returncode == 1
    assert f"{sim_dir / 'state.json'}: the simulator's state is corrupt" in result.stderr
    assert "mv " in result.stderr and "Traceback" not in result.stderr
    assert (sim_dir / "state.json").read_text() == "{ not json"


def test_a_command_reports_the_corrupt_state_of_the_background_service(panel_home):
    sim_dir = sim_dir_of(panel_home)
    sim_dir.mkdir(parents=True)
    (sim_dir / "state.json").write_text('{"version": 1}')
    result = panel_cli("signin", timeout=90)
    assert result.returncode == 1
    assert "the simulator did not start" in result.stderr and str(sim_dir / "state.json") in result.stderr
    assert "Traceback" not in result.stderr
    assert (sim_dir / "state.json").read_text() == '{"version": 1}'


def test_a_garbage_ca_certificate_never_replaces_the_ca_key(tmp_path):
    pki = ensure_pki(tmp_path)
    key = pki.ca_key_path.read_bytes()
    pki.ca_path.write_text("garbage")
    with pytest.raises(SimFileError) as refused:
        ensure_pki(tmp_path)
    assert str(pki.ca_path) in str(refused.value) and "not a PEM certificate" in str(refused.value)
    assert pki.ca_key_path.read_bytes() == key and pki.ca_path.read_text() == "garbage"


def test_a_deleted_ca_certificate_is_issued_again_from_the_kept_key(tmp_path):
    pki = ensure_pki(tmp_path)
    key = pki.ca_key_path.read_bytes()
    public_key = x509.load_pem_x509_certificate(pki.ca_path.read_bytes()).public_key().public_numbers()
    pki.ca_path.unlink()
    again = ensure_pki(tmp_path)
    assert again.ca_key_path.read_bytes() == key
    assert x509.load_pem_x509_certificate(again.ca_path.read_bytes()).public_key().public_numbers() == public_key
    server = x509.load_pem_x509_certificate(again.cert_path.read_bytes())
    server.verify_directly_issued_by(x509.load_pem_x509_certificate(again.ca_path.read_bytes()))


def test_a_garbage_ca_key_is_refused_not_replaced(tmp_path):
    pki = ensure_pki(tmp_path)
    pki.ca_key_path.write_text("garbage")
    with pytest.raises(SimFileError, match="not a PEM private key"):
        ensure_pki(tmp_path)
    assert pki.ca_key_path.read_text() == "garbage"


def test_a_ca_key_that_cannot_sign_is_refused_not_replaced(tmp_path):
    """A key-agreement key where the CA key belongs (and no certificate to compare it with) is
    named, not a crash on the first certificate signed with it."""
    pki = ensure_pki(tmp_path)
    foreign = x25519.X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pki.ca_key_path.write_bytes(foreign)
    pki.ca_path.unlink()
    with pytest.raises(SimFileError, match="the CA key cannot sign certificates"):
        ensure_pki(tmp_path)
    assert pki.ca_key_path.read_bytes() == foreign


def test_a_ca_certificate_of_another_key_is_refused(tmp_path):
    first = ensure_pki(tmp_path / "one")
    other = ensure_pki(tmp_path / "two")
    first.ca_path.write_bytes(other.ca_path.read_bytes())
    with pytest.raises(SimFileError, match="does not belong to the CA key"):
        ensure_pki(tmp_path / "one")


def test_sim_prints_its_ca_fingerprint(panel_home):
    result = panel_cli("sim", "start", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["ca_fingerprint"] == ca_fingerprint(sim_dir_of(panel_home) / "pki" / "ca.pem")
    assert len(info["ca_fingerprint"].split(":")) == 32
