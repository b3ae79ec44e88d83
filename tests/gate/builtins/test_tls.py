"""``tls`` against real nginx servers with throw-away certificates: CA-signed, expired and
expiring soon; a TLS 1.0-only endpoint; weak cipher suites. What the local OpenSSL cannot offer
is a warning, never reported as refused."""

from __future__ import annotations

import ssl
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devkit.certs import CA, Cert
from devkit.ports import free_port
from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins import tls
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.tls import WEAK_FAMILIES, TlsArgs, run
from golive.gate.registry import builtin_checks

if TYPE_CHECKING:
    from devkit.pytest_plugin import CertFactory, NginxFactory

HOST = "app.golive.test"
MODERN = "ssl_protocols TLSv1.2 TLSv1.3;"


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\n")
    return Context(
        clock=SystemClock(), loaded=load_config(config, environ={}), environ={}, timeout=5
    )


@pytest.fixture
def ca(cert_factory: CertFactory) -> CA:
    return cert_factory.ca()


def serve(nginx: NginxFactory, cert: Cert, directives: str = MODERN) -> int:
    """An nginx TLS server with ``cert`` (leaf + CA chain); its port."""
    port = free_port()
    nginx(
        f"server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {cert.chain_path}; "
        f"ssl_certificate_key {cert.key_path}; {directives} location / {{ return 200 ok; }} }}",
        [port],
    )
    return port


async def check(ctx: Context, port: int, ca: CA | None, **args: Any) -> Finding:
    ca_file = str(ca.cert_path) if ca else None
    options = {"server_name": HOST, "ca_file": ca_file, **args}
    return await run(TlsArgs(host="127.0.0.1", port=port, **options), ctx)


def local_openssl_offers(cipher_string: str) -> bool:
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers(f"{cipher_string}:@SECLEVEL=0")
    except ssl.SSLError:
        return False
    return True


def why_no_local_tls10(cert: Cert) -> str | None:
    """Why this machine cannot do a TLS 1.0 handshake (client and server in memory), or None."""
    contexts = []
    for purpose in (ssl.PROTOCOL_TLS_CLIENT, ssl.PROTOCOL_TLS_SERVER):
        context = ssl.SSLContext(purpose)
        context.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1
        contexts.append(context)
    client, server = contexts
    client.check_hostname, client.verify_mode = False, ssl.CERT_NONE
    server.load_cert_chain(cert.chain_path, cert.key_path)
    pipes = [ssl.MemoryBIO() for _ in range(4)]
    ends = [
        client.wrap_bio(pipes[0], pipes[1], server_hostname=HOST),
        server.wrap_bio(pipes[2], pipes[3], server_side=True),
    ]
    done = [False, False]
    for _ in range(10):
        for i, end in enumerate(ends):
            try:
                end.do_handshake()
                done[i] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                return f"{ssl.OPENSSL_VERSION} will not complete a TLS 1.0 handshake: {exc.reason}"
        pipes[2].write(pipes[1].read())
        pipes[0].write(pipes[3].read())
        if all(done):
            return None
    return f"{ssl.OPENSSL_VERSION} did not complete a TLS 1.0 handshake in memory"


async def test_a_ca_signed_certificate_on_a_modern_server_passes(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca))

    finding = await check(ctx, port, ca)

    assert finding.ok, finding.reason
    evidence = finding.evidence
    assert evidence["days_left"] == 89
    assert evidence["valid"] is True and evidence["verify_error"] is None
    assert evidence["hostname_match"] is True
    assert evidence["issuer"] == "CN=golive devkit ca,O=golive devkit"
    assert evidence["protocol"] == "TLSv1.3"
    assert evidence["protocols"] == {
        "TLSv1": "refused",
        "TLSv1.1": "refused",
        "TLSv1.2": "accepted",
        "TLSv1.3": "accepted",
    }
    assert evidence["weak_ciphers_accepted"] == []
    assert "89 days left" in finding.reason
    assert "refuses TLS 1.0, TLS 1.1" in finding.reason


async def test_a_weak_family_the_local_openssl_cannot_offer_is_a_warning_never_refused(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca))

    finding = await check(ctx, port, ca)

    for family, cipher_string in WEAK_FAMILIES.items():
        warning = f"weak {family} ciphers"
        if local_openssl_offers(cipher_string):
            assert finding.evidence["weak_ciphers"][family] == "refused"
            assert not any(warning in w for w in finding.warnings)
        else:
            assert finding.evidence["weak_ciphers"][family] == "untested"
            assert any(
                warning in w and "the local OpenSSL does not offer them" in w
                for w in finding.warnings
            )


async def test_an_expired_certificate_fails_saying_since_when(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("old", hostnames=[HOST], ca=ca, expired=True))

    finding = await check(ctx, port, ca)

    assert not finding.ok
    assert finding.evidence["days_left"] == -2  # expired a day ago, plus the seconds since
    assert finding.evidence["verify_error"] == "certificate has expired"
    assert "the certificate does not verify: certificate has expired" in finding.reason
    assert "the certificate expired 2 days ago" in finding.reason


async def test_a_certificate_expiring_in_10_days_fails_a_30_day_minimum(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("soon", hostnames=[HOST], ca=ca, days=10))

    strict = await check(ctx, port, ca, min_days=30)
    lenient = await check(ctx, port, ca, min_days=7)

    assert not strict.ok
    assert strict.evidence["days_left"] == 9
    assert "the certificate expires in 9 days" in strict.reason
    assert "needs at least 30: renew it" in strict.reason
    assert lenient.ok, lenient.reason


async def test_a_certificate_for_another_name_fails(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca))

    finding = await check(ctx, port, ca, server_name="shop.golive.test")

    assert not finding.ok
    assert finding.evidence["hostname_match"] is False
    assert finding.reason == "the certificate is not valid for shop.golive.test"


async def test_a_private_ca_is_not_trusted_without_its_ca_file(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca))

    finding = await check(ctx, port, None)

    assert not finding.ok
    assert finding.evidence["valid"] is False
    # nginx sends leaf + CA: an untrusted root in the chain
    assert finding.reason == (
        "the certificate does not verify: self-signed certificate in certificate chain"
    )


async def test_a_tls_1_0_only_endpoint_fails_and_shows_tls_1_0_accepted(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    cert = cert_factory("legacy", hostnames=[HOST], ca=ca)
    reason = why_no_local_tls10(cert)
    assert reason is None, f"{ssl.OPENSSL_VERSION} cannot speak TLS 1.0 here: {reason}"
    port = serve(nginx_factory, cert, "ssl_protocols TLSv1; ssl_ciphers ALL:@SECLEVEL=0;")

    finding = await check(ctx, port, ca)

    assert not finding.ok
    assert finding.evidence["protocols"] == {
        "TLSv1": "accepted",
        "TLSv1.1": "refused",
        "TLSv1.2": "refused",
        "TLSv1.3": "refused",
    }
    assert "the server accepts TLS 1.0 (TLSv1 " in finding.reason
    assert "below the minimum TLS 1.2, disable it on the server" in finding.reason
    # a modern client cannot even read its certificate: that is said, not hidden
    assert "TLS handshake with 127.0.0.1" in finding.reason
    assert finding.evidence["days_left"] is None


async def test_a_server_accepting_a_weak_cipher_suite_fails(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    testable = [f for f in ("NULL", "anon") if local_openssl_offers(WEAK_FAMILIES[f])]
    assert testable, f"{ssl.OPENSSL_VERSION} offers neither NULL nor anonymous suites"
    family = testable[0]
    directives = f"ssl_protocols TLSv1.2; ssl_ciphers HIGH:{WEAK_FAMILIES[family]}:@SECLEVEL=0;"
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca), directives)

    finding = await check(ctx, port, ca)

    assert not finding.ok
    assert finding.evidence["valid"] is True  # the certificate is fine; the ciphers are not
    assert finding.evidence["weak_ciphers"][family] == "accepted"
    [suite, *_] = finding.evidence["weak_ciphers_accepted"]
    assert f"the server accepts weak {family} ciphers (TLSv1.2 {suite})" in finding.reason
    assert "remove them from the server's cipher list" in finding.reason


async def test_a_tls_1_3_minimum_fails_a_server_that_still_accepts_tls_1_2(
    ctx: Context, nginx_factory: NginxFactory, cert_factory: CertFactory, ca: CA
) -> None:
    port = serve(nginx_factory, cert_factory("app", hostnames=[HOST], ca=ca))

    finding = await check(ctx, port, ca, min_protocol="TLSv1.3")

    assert not finding.ok
    assert "the server accepts TLS 1.2 (TLSv1.2 " in finding.reason
    assert "below the minimum TLS 1.3" in finding.reason


async def test_a_port_nobody_listens_on_fails_without_scanning(ctx: Context) -> None:
    finding = await check(ctx, free_port(), None)

    assert not finding.ok
    assert finding.reason.endswith("connection refused")
    assert "protocols" not in finding.evidence


def test_a_version_the_local_openssl_will_not_offer_is_caught_before_the_handshake() -> None:
    # TLS 1.2-only AEAD suites leave a TLS 1.0 ClientHello with no cipher: OpenSSL builds none
    aead_only = tls._context(
        "ECDHE-ECDSA-AES128-GCM-SHA256", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        aead_only.minimum_version = aead_only.maximum_version = ssl.TLSVersion.TLSv1
    modern = tls._context("ALL:@SECLEVEL=0", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2)

    assert not tls._offered(aead_only, HOST, 0x0301, tls13=False)
    assert tls._offered(modern, HOST, 0x0303, tls13=False)
    assert not tls._offered(modern, HOST, 0x0301, tls13=False)  # a TLS 1.2 hello is not 1.0


def test_it_is_registered_as_tls() -> None:
    assert builtin_checks()["tls"] is tls.BUILTIN
