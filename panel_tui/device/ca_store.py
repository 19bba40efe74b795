"""The CA certificates imported into the printer (Network Security > CA Certificate).

Files live in the profile's `ca_dir` as `<sha256 prefix>.pem`; the mail layer trusts every
*.pem there besides the system store. No textual here: the page only calls these functions.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from cryptography.x509 import Certificate

MAX_PEM_BYTES = 1_000_000  # a certificate is a few KB; refuse to read a disk image by mistake


class CertificateImportError(Exception):
    """The file cannot be imported; `key` and `params` are the locale message."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)


@dataclass(frozen=True)
class ImportedCertificate:
    """One trusted CA certificate: where it is and what the page lists."""

    path: Path
    subject_cn: str
    not_after: datetime

    @property
    def name(self) -> str:
        return self.path.name


def _common_name(cert: Certificate) -> str:
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _describe(path: Path, cert: Certificate) -> ImportedCertificate:
    return ImportedCertificate(path, _common_name(cert), cert.not_valid_after_utc)


def _is_ca(cert: Certificate) -> bool:
    from cryptography import x509

    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return bool(constraints.ca)


def read_ca_certificate(source: Path) -> Certificate:
    """The CA certificate in the PEM file `source` (CertificateImportError says what is wrong)."""
    from cryptography import x509

    source = Path(source).expanduser()
    if not source.is_file():
        raise CertificateImportError("webconfig.ca.missing", path=str(source))
    try:
        data = source.read_bytes()[:MAX_PEM_BYTES]
    except OSError:
        raise CertificateImportError("webconfig.ca.unreadable", path=str(source)) from None
    try:
        cert = x509.load_pem_x509_certificate(data)
    except ValueError:
        raise CertificateImportError("webconfig.ca.not_pem") from None
    if not _is_ca(cert):
        raise CertificateImportError("webconfig.ca.not_ca", subject=_common_name(cert))
    return cert


def import_ca_certificate(source: Path, ca_dir: Path) -> ImportedCertificate:
    """Validate `source` and copy its certificate (PEM, re-encoded) into `ca_dir`."""
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = read_ca_certificate(source)
    pem = cert.public_bytes(Encoding.PEM)
    target = Path(ca_dir) / f"{hashlib.sha256(pem).hexdigest()[:16]}.pem"
    if target.exists():
        raise CertificateImportError("webconfig.ca.already", subject=_common_name(cert))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(pem)
    tmp.replace(target)  # atomic: the mail layer never sees half a file
    return _describe(target, cert)


def list_ca_certificates(ca_dir: Path) -> list[ImportedCertificate]:
    """The imported certificates, by subject; unreadable files are left out."""
    from cryptography import x509

    found: list[ImportedCertificate] = []
    directory = Path(ca_dir)
    if not directory.is_dir():
        return found
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in (".pem", ".crt") or not path.is_file():
            continue
        try:
            found.append(_describe(path, x509.load_pem_x509_certificate(path.read_bytes())))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda c: (c.subject_cn.lower(), c.name))


def delete_ca_certificate(cert: ImportedCertificate) -> None:
    """Stop trusting `cert` (its file is removed)."""
    cert.path.unlink(missing_ok=True)
