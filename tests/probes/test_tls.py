"""The ``tls`` probe against real nginx servers with throw-away certificates."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from devkit.certs import Cert
from devkit.ports import free_port
from devkit.pytest_plugin import CertFactory, NginxFactory
from golive.probes import tls
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.registry import builtin_kinds
from golive.probes.tls import TlsSpec, hostname_matches

TLS13_SUITES = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}


def serve(nginx: NginxFactory, *certs: Cert, directives: str = "") -> list[int]:
    """One nginx with a TLS server per certificate (leaf + CA chain); their ports."""
    ports = [free_port() for _ in certs]
    conf = "".join(
        f"server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {cert.chain_path}; "
        f"ssl_certificate_key {cert.key_path}; {directives} "
        f'location / {{ return 200 "ok"; }} }}\n'
        for port, cert in zip(ports, certs, strict=True)
    )
    nginx(conf, ports)
    return ports


async def probe(port: int, **options: Any) -> dict[str, Any]:
    return await tls.run(TlsSpec(host="127.0.0.1", port=port, **options), ProbeContext(timeout=5))


async def test_it_reports_days_left_of_a_self_signed_certificate(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    cert = cert_factory("self", days=30)
    [port] = serve(nginx_factory, cert)

    result = await probe(port)

    assert result["days_left"] == 29  # 30 days minus the seconds since it was made
    assert result["not_after"] == cert.cert.not_valid_after_utc.isoformat()
    assert dt.datetime.fromisoformat(result["not_after"]).tzinfo is not None
    assert result["valid"] is False
    assert result["verify_error"] == "self-signed certificate"
    assert result["hostname_match"] is True  # 127.0.0.1 is an IP SAN of the certificate
    assert result["subject"] == result["issuer"] == "CN=localhost,O=golive devkit"
    assert result["protocol"] in {"TLSv1.2", "TLSv1.3"}
    assert result["cipher"]


async def test_a_certificate_signed_by_the_ca_file_is_valid(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    [port] = serve(nginx_factory, cert_factory("app", hostnames=["app.golive.test"], ca=ca))

    result = await probe(port, server_name="app.golive.test", ca_file=str(ca.cert_path))

    assert result["valid"] is True
    assert result["verify_error"] is None
    assert result["hostname_match"] is True
    assert result["issuer"] == "CN=golive devkit ca,O=golive devkit"
    assert result["subject"] == "CN=app.golive.test,O=golive devkit"
    assert result["days_left"] == 89


async def test_a_private_ca_is_not_trusted_without_ca_file(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    [port] = serve(nginx_factory, cert_factory("app", hostnames=["app.golive.test"], ca=ca))

    result = await probe(port, server_name="app.golive.test")

    assert result["valid"] is False
    assert result["verify_error"] == "self-signed certificate in certificate chain"
    assert result["hostname_match"] is True
    assert result["days_left"] == 89  # read from the second, non-verifying handshake


async def test_an_expired_certificate_has_negative_days_left(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    cert = cert_factory("old", expired=True, ca=ca)  # stopped being valid a day ago
    [port] = serve(nginx_factory, cert)

    result = await probe(port, ca_file=str(ca.cert_path))

    assert result["days_left"] == -2  # a day and a few seconds ago, rounded down
    assert result["valid"] is False
    assert result["verify_error"] == "certificate has expired"
    assert result["not_after"] == cert.cert.not_valid_after_utc.isoformat()


async def test_a_hostname_mismatch_is_a_field_not_an_error(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    [port] = serve(nginx_factory, cert_factory("app", hostnames=["app.golive.test"], ca=ca))

    result = await probe(port, server_name="other.golive.test", ca_file=str(ca.cert_path))

    assert result["hostname_match"] is False
    assert result["valid"] is True  # the chain is fine; only the name is wrong


async def test_an_ip_address_only_matches_an_ip_san(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    [port] = serve(nginx_factory, cert_factory("named", hostnames=["localhost"]))

    assert (await probe(port))["hostname_match"] is False
    assert (await probe(port, server_name="localhost"))["hostname_match"] is True


async def test_a_wildcard_covers_exactly_one_label(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    [port] = serve(nginx_factory, cert_factory("wild", hostnames=["*.golive.test"], ca=ca))

    async def matches(name: str) -> bool:
        result = await probe(port, server_name=name, ca_file=str(ca.cert_path))
        return bool(result["hostname_match"])

    assert await matches("app.golive.test") is True
    assert await matches("APP.Golive.Test.") is True
    assert await matches("a.b.golive.test") is False
    assert await matches("golive.test") is False


async def test_it_reports_the_negotiated_protocol_and_cipher(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    cert = cert_factory("modern")
    [v13] = serve(nginx_factory, cert, directives="ssl_protocols TLSv1.3;")
    [v12] = serve(nginx_factory, cert, directives="ssl_protocols TLSv1.2;")

    modern, older = await probe(v13), await probe(v12)

    assert modern["protocol"] == "TLSv1.3"
    assert modern["cipher"] in TLS13_SUITES
    assert older["protocol"] == "TLSv1.2"
    assert older["cipher"].startswith("ECDHE-ECDSA-")


async def test_a_closed_port_is_an_error() -> None:
    port = free_port()

    with pytest.raises(ProbeError) as caught:
        await probe(port)

    assert caught.value.message == f"cannot connect to 127.0.0.1:{port}: connection refused"
    assert caught.value.connected is False


async def test_a_port_that_does_not_speak_tls_is_a_handshake_error(
    nginx_factory: NginxFactory,
) -> None:
    port = free_port()
    nginx_factory(f'server {{ listen 127.0.0.1:{port}; return 200 "plain"; }}', [port])

    with pytest.raises(ProbeError) as caught:
        await probe(port)

    assert caught.value.message == (
        f"TLS handshake with 127.0.0.1:{port} failed: wrong version number"
    )


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port whose TCP handshake completes (backlog) but that never says a word."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


async def test_a_server_that_never_answers_is_cut_off_by_the_engine_timeout(
    silent_listener: int,
) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await probe(silent_listener)


async def test_a_missing_ca_file_is_an_error(tmp_path: Any) -> None:
    missing = tmp_path / "nope.pem"

    with pytest.raises(ProbeError) as caught:
        await probe(free_port(), ca_file=str(missing))

    assert caught.value.message == f"cannot load ca_file {missing}: no such file or directory"


@pytest.mark.parametrize(
    ("sans", "name", "expected"),
    [
        (["app.golive.test"], "app.golive.test", True),
        (["app.golive.test"], "App.GOLIVE.test.", True),
        (["app.golive.test"], "api.golive.test", False),
        (["*.golive.test"], "x.golive.test", True),
        (["*.golive.test"], "x.y.golive.test", False),
        (["*.golive.test"], "golive.test", False),
        (["*.test"], "golive.test", False),  # no wildcard for a whole top-level domain
        (["127.0.0.1"], "127.0.0.1", True),
        (["127.0.0.1"], "127.0.0.2", False),
        (["::1"], "[::1]", True),
        (["localhost"], "127.0.0.1", False),
        (["xn--bcher-kva.golive.test"], "bücher.golive.test", True),
    ],
)
def test_hostname_matching_follows_rfc_6125(
    cert_factory: CertFactory, sans: Sequence[str], name: str, expected: bool
) -> None:
    assert hostname_matches(cert_factory("leaf", hostnames=sans).cert, name) is expected


def test_it_is_registered_with_its_default_expectation() -> None:
    kind = builtin_kinds()["tls"]

    assert kind.default_expect == ("valid", "hostname_match", "days_left > 7")
    assert set(kind.fields) >= {"days_left", "valid", "hostname_match", "verify_error"}
    assert TlsSpec(host="example.com").port == 443
    assert TlsSpec(host="10.0.0.1", server_name="app.golive.test").describe() == (
        "10.0.0.1:443 (app.golive.test)"
    )
