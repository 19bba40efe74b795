"""Every key file the simulator needs is checked like ca.pem: one that is there but unusable stops
the start with the file, the problem and the way back, and is kept. Every file it opens for
writing in its home refuses to follow a symbolic link planted there (simulator.log included)."""
from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from panel_tui.sim.atomic_file import SimFileError
from panel_tui.sim.pki import ensure_pki
from panel_tui.sim.tokens import SigningKey

from .conftest import panel_cli, sim_dir_of

EC_KEY = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
BAD_KEYS = {
    "garbage": b"garbage",
    "empty": b"",
    "truncated-pem": b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n",
    "nul": b"\x00" * 64,
    "ec-not-rsa": EC_KEY,
}


@pytest.mark.parametrize("case", BAD_KEYS)
def test_an_unusable_signing_key_is_refused_and_kept(tmp_path, case):
    path = tmp_path / "signing-key.pem"
    path.write_bytes(BAD_KEYS[case])
    with pytest.raises(SimFileError) as refused:
        SigningKey.load_or_create(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: the token signing key is not")
    assert "Restore" in message and "delete it" in message
    assert path.read_bytes() == BAD_KEYS[case]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signing-key.pem"]


def test_a_missing_signing_key_is_made_once_and_then_kept(tmp_path):
    path = tmp_path / "signing-key.pem"
    first = SigningKey.load_or_create(path)
    assert SigningKey.load_or_create(path).kid == first.kid
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("which", ["cert_path", "key_path"])
def test_a_garbage_server_certificate_or_key_is_refused_and_kept(tmp_path, which):
    pki = ensure_pki(tmp_path)
    path = getattr(pki, which)
    path.write_bytes(b"garbage")
    other = pki.key_path if which == "cert_path" else pki.cert_path
    kept = other.read_bytes()
    with pytest.raises(SimFileError) as refused:
        ensure_pki(tmp_path)
    assert str(refused.value).startswith(f"{path}: the server ")
    assert f"Delete {pki.cert_path} and {pki.key_path}" in str(refused.value)
    assert path.read_bytes() == b"garbage" and other.read_bytes() == kept


def test_sim_stops_at_a_garbage_signing_key_and_says_how_to_recover(panel_home):
    sim_dir = sim_dir_of(panel_home)
    sim_dir.mkdir(parents=True)
    (sim_dir / "signing-key.pem").write_text("garbage")
    result = panel_cli("sim", timeout=60)
    assert result.returncode == 1
    assert f"{sim_dir / 'signing-key.pem'}: the token signing key is not a PEM private key" in result.stderr
    assert "Traceback" not in result.stderr
    assert (sim_dir / "signing-key.pem").read_text() == "garbage"


LINKED = {"simulator.log": ("sim", "start"), "start.lock": ("sim", "start"), "clients.lock": ("status",)}


@pytest.mark.parametrize("name", LINKED)
def test_a_symlink_planted_in_the_home_is_not_followed(panel_home, tmp_path, name):
    sim_dir = sim_dir_of(panel_home)
    sim_dir.mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the simulator's\n")
    os.symlink(outside, sim_dir / name)
    result = panel_cli(*LINKED[name], timeout=90)
    panel_cli("sim", "stop", timeout=60)
    assert result.returncode == 1, result.stdout
    assert f"{sim_dir / name} is a symbolic link" in result.stderr and "remove the link" in result.stderr
    assert "Traceback" not in result.stderr
    assert outside.read_text() == "not the simulator's\n"
    assert os.readlink(sim_dir / name) == str(outside)
