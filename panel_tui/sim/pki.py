"""Local PKI: a CA and a server certificate, created once under the data directory.

The CA (``pki/ca.pem``) is what clients trust: MSAL through ``requests`` (``verify=``),
aiosmtplib and smtplib through an ``ssl`` context, the panel's Web Config through its
"CA Certificate" import. Files are reused across runs; the server certificate is
re-issued by the same CA only when it nears expiry or lacks a host it must cover.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from panel_tui.sim.atomic_file import SimFileError, write_bytes_atomic

CA_NAME = "panel_tui Microsoft 365 simulator local CA"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_LIFETIME = dt.timedelta(days=3650)
SERVER_LIFETIME = dt.timedelta(days=397)
RENEW_BEFORE = dt.timedelta(days=30)
# Keys that can sign a certificate (the simulator makes EC P-256 ones).
_ISSUER_KEYS = (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey,
                dsa.DSAPrivateKey)


@dataclass(frozen=True)
class LocalPki:
    """Paths of the simulator's certificates and keys."""

    ca_path: Path
    ca_key_path: Path
    cert_path: Path
    key_path: Path

    def server_ssl_context(self) -> ssl.SSLContext:
        """A TLS server context presenting the server certificate (with the CA in its chain)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_ssl_context(self) -> ssl.SSLContext:
        """A TLS client context trusting only the simulator's CA."""
        return ssl.create_default_context(cafile=str(self.ca_path))


def ensure_pki(pki_dir: Path, extra_hosts: tuple[str, ...] = ()) -> LocalPki:
    """Create the CA and the server certificate if missing; return their paths.

    ``extra_hosts`` are names or addresses the server certificate must also cover (the
    bind address when it is not loopback).
    """
    pki = LocalPki(
        ca_path=pki_dir / "ca.pem",
        ca_key_path=pki_dir / "ca-key.pem",
        cert_path=pki_dir / "server.pem",
        key_path=pki_dir / "server-key.pem",
    )
    now = dt.datetime.now(dt.UTC)
    ca_cert, ca_key = _load_ca(pki)
    if ca_key is None:  # no CA yet (or only its public certificate, useless without the key)
        ca_cert, ca_key = _create_ca(pki, now)
        _create_server_cert(pki, ca_cert, ca_key, now, extra_hosts)
        return pki
    if ca_cert is None or ca_cert.not_valid_after_utc - now < RENEW_BEFORE:
        # The key is the CA: its certificate is issued again from it, never a new key over it.
        ca_cert = _issue_ca_cert(pki, ca_key, now)
        _create_server_cert(pki, ca_cert, ca_key, now, extra_hosts)
        return pki
    if not _server_cert_is_usable(pki, ca_cert, now, extra_hosts):
        _create_server_cert(pki, ca_cert, ca_key, now, extra_hosts)
    return pki


def ca_fingerprint(ca_path: Path) -> str:
    """The CA certificate's SHA-256 fingerprint, as ``AB:CD:...`` (what --sim-fingerprint takes)."""
    cert = x509.load_pem_x509_certificate(Path(ca_path).read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


_PKI_FIX = ("The simulator did not start and changed nothing. Restore the file from a backup, or delete "
            "{cert} to issue the CA certificate again from the kept key; deleting the whole folder {folder} "
            "makes a new CA (every client that trusted the old one must import the new one).")


def _load_certificate(path: Path, data: bytes, what: str, fix: str) -> x509.Certificate:
    """A PEM certificate with the fields the simulator reads parsed now (cryptography parses some
    lazily): SimFileError names the file when any of them is damaged."""
    try:
        cert = x509.load_pem_x509_certificate(data)
        cert.public_key()
        _ = (cert.issuer, cert.subject, cert.not_valid_after_utc, list(cert.extensions))
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SimFileError(path, f"{what} is not a PEM certificate ({error})", fix) from None
    return cert


def _load_ca(pki: LocalPki) -> tuple[x509.Certificate | None, CertificateIssuerPrivateKeyTypes | None]:
    """The CA certificate and key: (None, None) when there is no key file, (None, key) when
    the certificate file is missing; SimFileError when a file is there but unusable."""
    fix = _PKI_FIX.format(cert=pki.ca_path, folder=pki.ca_path.parent)
    try:
        key_bytes = pki.ca_key_path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise SimFileError(pki.ca_key_path, f"cannot read the CA key ({error.strerror or error})", fix) from None
    try:
        key = serialization.load_pem_private_key(key_bytes, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SimFileError(pki.ca_key_path, f"the CA key is not a PEM private key ({error})", fix) from None
    if not isinstance(key, _ISSUER_KEYS):
        raise SimFileError(pki.ca_key_path, "the CA key cannot sign certificates (it is not an EC, RSA, EdDSA "
                           "or DSA key)", fix)
    try:
        cert_bytes = pki.ca_path.read_bytes()
    except FileNotFoundError:
        return None, key
    except OSError as error:
        raise SimFileError(pki.ca_path, f"cannot read the CA certificate ({error.strerror or error})", fix) from None
    cert = _load_certificate(pki.ca_path, cert_bytes, "the CA certificate", fix)
    if cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise SimFileError(pki.ca_path, "the CA certificate does not belong to the CA key beside it", fix)
    return cert, key


def _create_ca(pki: LocalPki, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    write_bytes_atomic(pki.ca_key_path, _key_pem(key), mode=0o600)
    return _issue_ca_cert(pki, key, now), key


def _issue_ca_cert(pki: LocalPki, key: CertificateIssuerPrivateKeyTypes, now: dt.datetime) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "panel_tui"),
        x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME),
    ])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_bytes_atomic(pki.ca_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return cert


def _wanted_names(extra_hosts: tuple[str, ...]) -> list[str]:
    names = list(LOOPBACK_NAMES)
    for host in extra_hosts:
        if host and host not in names and host not in ("0.0.0.0", "::"):
            names.append(host)
    return names


def _san_entries(names: list[str]) -> list[x509.GeneralName]:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return entries


def _server_cert_is_usable(pki: LocalPki, ca_cert: x509.Certificate, now: dt.datetime,
                           extra_hosts: tuple[str, ...]) -> bool:
    """False when the server certificate must be issued (again): missing, expiring, not of this
    CA or not naming the hosts. A file that is there but unusable is SimFileError (kept)."""
    fix = (f"The simulator did not start and changed nothing. Delete {pki.cert_path} and {pki.key_path}: "
           "the simulator issues them again from its CA, which clients keep trusting.")
    try:
        cert_bytes, key_bytes = pki.cert_path.read_bytes(), pki.key_path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise SimFileError(Path(error.filename or pki.cert_path),
                           f"cannot read the server certificate or key ({error.strerror or error})", fix) from None
    cert = _load_certificate(pki.cert_path, cert_bytes, "the server certificate", fix)
    try:
        key = serialization.load_pem_private_key(key_bytes, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise SimFileError(pki.key_path, f"the server key is not a PEM private key ({error})", fix) from None
    if cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise SimFileError(pki.cert_path, "the server certificate does not belong to the server key beside it", fix)
    if cert.issuer != ca_cert.subject or cert.not_valid_after_utc - now < RENEW_BEFORE:
        return False
    try:
        cert.verify_directly_issued_by(ca_cert)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False
    present = set(san)
    return all(entry in present for entry in _san_entries(_wanted_names(extra_hosts)))


def _create_server_cert(pki: LocalPki, ca_cert: x509.Certificate, ca_key: CertificateIssuerPrivateKeyTypes,
                        now: dt.datetime, extra_hosts: tuple[str, ...]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = _wanted_names(extra_hosts)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "panel_tui"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + SERVER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_san_entries(names)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_bytes_atomic(pki.key_path, _key_pem(key), mode=0o600)
    write_bytes_atomic(pki.cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)


def _key_pem(key: PrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
