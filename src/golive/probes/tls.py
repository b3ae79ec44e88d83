"""``tls:`` — a TLS handshake; the certificate's expiry, issuer, chain validity and hostname.

One handshake verifies the chain (system CAs plus ``ca_file``) without checking the hostname;
when verification fails, the reason is kept and a second, non-verifying handshake reads the
certificate anyway, so an expired or self-signed certificate still reports ``days_left``. The
hostname is matched separately with ``cryptography`` (SAN DNS names with one-label wildcards,
IP SANs for IP addresses, the CN only when there is no SAN extension).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from typing import TYPE_CHECKING, Any

from pydantic import Field

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec, os_reason
from golive.probes.tlscontext import verifying_context

if TYPE_CHECKING:
    from cryptography import x509


class TlsSpec(ProbeSpec):
    host: str = Field(min_length=1)
    port: int = Field(default=443, ge=1, le=65535)
    server_name: str | None = None  # SNI and the name to verify; the host by default
    ca_file: str | None = None  # an extra trust anchor (PEM), on top of the system CAs

    @property
    def sni(self) -> str:
        return self.server_name or self.host

    def describe(self) -> str:
        where = f"{self.host}:{self.port}"
        return where if self.sni == self.host else f"{where} ({self.sni})"


FIELDS = {
    "days_left": "int: whole days until the certificate's notAfter, negative once expired",
    "not_after": "string: the certificate's notAfter, ISO-8601 in UTC",
    "protocol": "string: the negotiated protocol, e.g. TLSv1.3",
    "cipher": "string: the negotiated cipher suite",
    "issuer": "string: the certificate's issuer, RFC 4514",
    "subject": "string: the certificate's subject, RFC 4514",
    "valid": "bool: the chain verifies against the system CAs plus ca_file",
    "verify_error": "string|null: why valid is false, e.g. 'certificate has expired'",
    "hostname_match": "bool: the certificate's SAN (or CN) matches server_name",
}


def _non_verifying_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_NON_VERIFYING = _non_verifying_context()


async def _handshake(spec: TlsSpec, context: ssl.SSLContext, ctx: ProbeContext) -> dict[str, Any]:
    """Connect, complete the handshake, read what it negotiated, close."""
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    try:
        _, writer = await asyncio.open_connection(
            spec.host,
            spec.port,
            ssl=context,
            server_hostname=spec.sni,
            ssl_handshake_timeout=ctx.timeout,
        )
    except ssl.SSLCertVerificationError:
        raise
    except ssl.SSLError as exc:
        reason = exc.reason.replace("_", " ").lower() if exc.reason else str(exc)
        raise ProbeError(f"TLS handshake with {spec.describe()} failed: {reason}") from exc
    except OSError as exc:
        raise ProbeError(f"cannot connect to {spec.describe()}: {os_reason(exc)}") from exc
    try:
        tls = writer.get_extra_info("ssl_object")
        der = tls.getpeercert(binary_form=True) if tls is not None else None
        cipher = tls.cipher() if tls is not None else None
        if not der:
            raise ProbeError("the server sent no certificate", connected=True)
        return {
            "der": der,
            "protocol": tls.version(),
            "cipher": cipher[0] if cipher else None,
        }
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            writer.transport.abort()
            raise


async def run(spec: TlsSpec, ctx: ProbeContext) -> dict[str, Any]:
    from cryptography import x509  # imported on use: a config without TLS checks never loads it

    verifying = await verifying_context(spec.ca_file, check_hostname=False)
    verify_error: str | None = None
    try:
        session = await _handshake(spec, verifying, ctx)
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc.verify_message or exc.reason or str(exc)
        session = await _handshake(spec, _NON_VERIFYING, ctx)
    try:
        cert = x509.load_der_x509_certificate(session["der"])
    except ValueError as exc:
        raise ProbeError(f"cannot parse the server's certificate: {exc}", connected=True) from exc
    not_after = cert.not_valid_after_utc
    seconds_left = (not_after - dt.datetime.now(dt.UTC)).total_seconds()
    return {
        "days_left": int(seconds_left // 86400),
        "not_after": not_after.isoformat(),
        "protocol": session["protocol"],
        "cipher": session["cipher"],
        "issuer": cert.issuer.rfc4514_string(),
        "subject": cert.subject.rfc4514_string(),
        "valid": verify_error is None,
        "verify_error": verify_error,
        "hostname_match": hostname_matches(cert, spec.sni),
    }


def hostname_matches(cert: x509.Certificate, hostname: str) -> bool:
    """RFC 6125 matching: IP SANs for addresses, DNS SANs (``*.`` one label deep), else CN."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = hostname.strip().strip("[]").rstrip(".")
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = None
    if address is not None:
        return san is not None and address in san.get_values_for_type(x509.IPAddress)
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    name = name.lower()
    if san is not None:
        patterns = san.get_values_for_type(x509.DNSName)
    else:
        common_names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        patterns = [str(attribute.value) for attribute in common_names]
    return any(_dns_match(pattern, name) for pattern in patterns)


def _dns_match(pattern: str, name: str) -> bool:
    pattern = pattern.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == name
    suffix = pattern[2:]
    label, _, rest = name.partition(".")
    # the wildcard stands for exactly one whole label, and never for a top-level domain
    return bool(label) and "." in suffix and "*" not in suffix and rest == suffix


KIND = ProbeKind(
    name="tls",
    spec=TlsSpec,
    fields=FIELDS,
    default_expect=("valid", "hostname_match", "days_left > 7"),
    run=run,
    summary="a TLS handshake; passes on a valid, matching certificate with over 7 days left",
)
