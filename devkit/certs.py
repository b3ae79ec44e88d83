"""Throw-away X.509 certificates (EC P-256) for TLS tests."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class CA:
    """A certificate authority: its certificate and key, in memory and on disk."""

    cert_path: Path
    key_path: Path
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Cert:
    """A leaf certificate. ``chain_path`` is leaf + CA (just the leaf when self-signed)."""

    cert_path: Path
    key_path: Path
    chain_path: Path
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    ca: CA | None


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _san(hostname: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(hostname))
    except ValueError:
        return x509.DNSName(hostname)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "golive devkit"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(directory: Path, name: str = "ca", *, days: int = 365) -> CA:
    """Create a CA in ``directory`` as ``<name>.crt`` and ``<name>.key``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = _name(f"golive devkit {name}")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(_pem(cert))
    _write_key(key_path, key)
    return CA(cert_path=cert_path, key_path=key_path, cert=cert, key=key)


def make_cert(
    directory: Path,
    name: str,
    *,
    hostnames: Sequence[str] = ("localhost", "127.0.0.1"),
    days: int = 90,
    expired: bool = False,
    ca: CA | None = None,
) -> Cert:
    """Create a server certificate ``<name>.crt``/``<name>.key`` (+ ``<name>-chain.crt``).

    Self-signed when ``ca`` is None. ``expired=True`` gives a certificate that was valid
    for ``days`` days and stopped being valid a day ago. IP hostnames become IP SANs,
    everything else DNS SANs.
    """
    if not hostnames:
        raise ValueError("a certificate needs at least one hostname")
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    if expired:
        not_after = now - dt.timedelta(days=1)
        not_before = not_after - dt.timedelta(days=days)
    else:
        not_before, not_after = now - dt.timedelta(minutes=5), now + dt.timedelta(days=days)
    subject = _name(hostnames[0])
    issuer_name, signing_key = (ca.cert.subject, ca.key) if ca else (subject, key)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    issuer_ski = x509.SubjectKeyIdentifier.from_public_key(ca.key.public_key()) if ca else ski
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([_san(h) for h in hostnames]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski),
            critical=False,
        )
        .sign(signing_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    chain_path = directory / f"{name}-chain.crt"
    cert_path.write_bytes(_pem(cert))
    _write_key(key_path, key)
    chain_path.write_bytes(_pem(cert) + (_pem(ca.cert) if ca else b""))
    return Cert(
        cert_path=cert_path,
        key_path=key_path,
        chain_path=chain_path,
        cert=cert,
        key=key,
        ca=ca,
    )
