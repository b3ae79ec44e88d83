"""devkit starts real servers; these tests talk to them over 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
from pathlib import Path

import dns.resolver
import psycopg
import pytest
import redis
from cryptography import x509
from redis.backoff import NoBackoff
from redis.retry import Retry

from devkit.certs import make_cert
from devkit.ports import wait_for_port
from devkit.pytest_plugin import CertFactory, NginxFactory
from devkit.servers import DnsServer, NginxServer, PostgresServer, RedisServer, free_port


def https_get(port: int, cafile: Path, host: str = "localhost") -> tuple[int, bytes]:
    """GET / over TLS from 127.0.0.1:port, verifying against ``cafile`` with SNI ``host``."""
    context = ssl.create_default_context(cafile=str(cafile))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def http_get(port: int, path: str = "/") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_postgres_accepts_queries(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn()) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone() == (2,)


def test_postgres_listens_only_on_loopback(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn()) as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()
    assert row == ("127.0.0.1",)


def test_postgres_creates_databases(postgres_server: PostgresServer) -> None:
    dsn = postgres_server.create_database("devkit_created")
    assert dsn == f"postgresql://postgres@127.0.0.1:{postgres_server.port}/devkit_created"
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("devkit_created",)


def test_redis_reports_its_port(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.info("server")["tcp_port"] == redis_server.port
        assert client.set("devkit", "yes")
        assert client.get("devkit") == b"yes"
    finally:
        client.close()


def test_redis_with_a_password_rejects_anonymous_clients(tmp_path: Path) -> None:
    with RedisServer.start(tmp_path, password="s3cret", maxmemory="16mb") as server:
        assert server.url == f"redis://:s3cret@127.0.0.1:{server.port}/0"
        # redis-py retries AuthenticationError (a ConnectionError) with backoff by default
        anonymous = redis.Redis(host="127.0.0.1", port=server.port, retry=Retry(NoBackoff(), 0))
        authorised = redis.Redis.from_url(server.url)
        try:
            with pytest.raises(redis.AuthenticationError):
                anonymous.ping()
            assert authorised.config_get("maxmemory") == {"maxmemory": str(16 * 1024 * 1024)}
        finally:
            anonymous.close()
            authorised.close()


def test_nginx_serves_tls_with_the_generated_certificate(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    cert = cert_factory("web", ca=ca)
    port = free_port()
    nginx_factory(
        f"""
        server {{
            listen 127.0.0.1:{port} ssl;
            ssl_certificate {cert.chain_path};
            ssl_certificate_key {cert.key_path};
            location / {{ return 200 "hello over tls"; }}
        }}
        """,
        [port],
    )
    assert https_get(port, ca.cert_path) == (200, b"hello over tls")


def test_nginx_serves_a_self_signed_certificate_trusted_directly(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    cert = cert_factory("self")
    port = free_port()
    nginx_factory(
        f"server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {cert.cert_path};"
        f" ssl_certificate_key {cert.key_path}; return 200 self; }}",
        [port],
    )
    assert https_get(port, cert.cert_path) == (200, b"self")


def test_an_expired_certificate_fails_verification(
    nginx_factory: NginxFactory, cert_factory: CertFactory
) -> None:
    ca = cert_factory.ca()
    cert = cert_factory("old", ca=ca, expired=True)
    port = free_port()
    nginx_factory(
        f"server {{ listen 127.0.0.1:{port} ssl; ssl_certificate {cert.chain_path};"
        f" ssl_certificate_key {cert.key_path}; return 200; }}",
        [port],
    )
    with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
        https_get(port, ca.cert_path)


def test_nginx_reload_switches_to_the_new_config(nginx_factory: NginxFactory) -> None:
    first, second = free_port(), free_port()
    server = nginx_factory(f"server {{ listen 127.0.0.1:{first}; return 200 one; }}", [first])
    assert http_get(first) == (200, b"one")
    server.reload(f"server {{ listen 127.0.0.1:{second}; return 200 two; }}", ports=[second])
    assert http_get(second) == (200, b"two")


def test_nginx_reload_on_the_same_port_answers_with_the_new_config_at_once(
    nginx_factory: NginxFactory,
) -> None:
    port = free_port()
    server = nginx_factory(f"server {{ listen 127.0.0.1:{port}; return 200 v0; }}", [port])
    for version in range(1, 4):
        server.reload(f"server {{ listen 127.0.0.1:{port}; return 200 v{version}; }}")
        assert http_get(port) == (200, f"v{version}".encode())


def test_nginx_reload_keeps_serving_when_the_new_config_is_broken(
    nginx_factory: NginxFactory,
) -> None:
    port = free_port()
    server = nginx_factory(f"server {{ listen 127.0.0.1:{port}; return 200 kept; }}", [port])
    with pytest.raises(RuntimeError, match="nginx -t"):
        server.reload(f"server {{ listen 127.0.0.1:{port}; no_such_directive; }}")
    assert http_get(port) == (200, b"kept")


@pytest.mark.parametrize(
    "conf",
    [
        "server { listen 8080; }",
        "server { listen 0.0.0.0:8080; }",
        "server { listen [::]:8080; }",
        "server { listen [::1]:8080; }",
        "server { return 200; }",
    ],
)
def test_nginx_refuses_to_listen_beyond_loopback(tmp_path: Path, conf: str) -> None:
    with pytest.raises(ValueError, match="listen"):
        NginxServer.start(tmp_path, conf, ports=[8080])


def test_dns_server_answers_a_records(dns_server: DnsServer) -> None:
    resolver = dns_server.resolver()
    multi = {r.to_text() for r in resolver.resolve("multi.golive.test", "A")}
    assert multi == {"127.0.0.2", "127.0.0.3"}
    assert [r.to_text() for r in resolver.resolve("app.golive.test", "A")] == ["127.0.0.1"]


def test_dns_server_answers_aaaa_records(dns_server: DnsServer) -> None:
    answer = dns_server.resolver().resolve("app.golive.test", "AAAA")
    assert [r.to_text() for r in answer] == ["::1"]


def test_dns_server_says_other_names_do_not_exist(dns_server: DnsServer) -> None:
    with pytest.raises(dns.resolver.NXDOMAIN):
        dns_server.resolver().resolve("example.com", "A")


def test_certificate_names_become_dns_and_ip_sans(tmp_path: Path) -> None:
    cert = make_cert(tmp_path, "sans", hostnames=("app.golive.test", "127.0.0.1", "::1"))
    san = cert.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["app.golive.test"]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    ]
    assert cert.chain_path.read_bytes() == cert.cert_path.read_bytes()


def test_expired_certificate_is_in_the_past(cert_factory: CertFactory) -> None:
    cert = cert_factory("expired", expired=True, days=30)
    now = dt.datetime.now(dt.UTC)
    assert cert.cert.not_valid_after_utc < now
    assert cert.cert.not_valid_after_utc - cert.cert.not_valid_before_utc == dt.timedelta(days=30)


def test_certificate_chain_is_leaf_then_ca(cert_factory: CertFactory) -> None:
    ca = cert_factory.ca()
    cert = cert_factory("leaf", ca=ca)
    chain = x509.load_pem_x509_certificates(cert.chain_path.read_bytes())
    assert chain == [cert.cert, ca.cert]
    assert cert.cert.issuer == ca.cert.subject


def test_stop_is_idempotent(tmp_path: Path) -> None:
    server = RedisServer.start(tmp_path)
    server.stop()
    server.stop()
    assert not server.running


def test_a_failed_start_reports_the_command_and_log(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"(?s)redis-server.*--no-such-option.*FATAL"):
        RedisServer.start(tmp_path, extra_args=["--no-such-option", "x"])


def test_a_taken_port_is_reported_instead_of_reused(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    with pytest.raises(RuntimeError, match="already in use"):
        RedisServer.start(tmp_path, port=redis_server.port)


def test_waiting_for_a_silent_port_gives_up_clearly() -> None:
    with pytest.raises(RuntimeError, match="nothing accepted connections"):
        wait_for_port(free_port(), timeout=0.2)


def test_nginx_reload_onto_a_taken_port_fails_fast(
    nginx_factory: NginxFactory, redis_server: RedisServer
) -> None:
    port = free_port()
    server = nginx_factory(f"server {{ listen 127.0.0.1:{port}; return 200 kept; }}", [port])
    taken = redis_server.port
    with pytest.raises(RuntimeError, match="Address already in use"):
        server.reload(f"server {{ listen 127.0.0.1:{taken}; }}", ports=[taken], timeout=10)
    assert http_get(port) == (200, b"kept")
