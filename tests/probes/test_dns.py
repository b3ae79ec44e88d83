"""The ``dns`` probe against a real dnsmasq (devkit's ``dns_server``)."""

from __future__ import annotations

from typing import Any

import dns.rdata
import pytest
from pydantic import ValidationError

from devkit.ports import free_port
from devkit.servers import DnsServer
from golive.probes import dns as dns_probe
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.dns import DnsSpec, parse_server
from golive.probes.registry import builtin_kinds


async def lookup(server: str, name: str, *, within: float = 5, **options: Any) -> dict[str, Any]:
    spec = DnsSpec(name=name, server=server, **options)
    return await dns_probe.run(spec, ProbeContext(timeout=within))


@pytest.fixture
def server(dns_server: DnsServer) -> str:
    return f"127.0.0.1:{dns_server.port}"


async def test_it_resolves_an_a_record(server: str) -> None:
    result = await lookup(server, "app.golive.test")

    assert result == {"addresses": ["127.0.0.1"], "ttl": 60, "rcode": "NOERROR"}


async def test_it_resolves_an_aaaa_record(server: str) -> None:
    result = await lookup(server, "app.golive.test", type="aaaa")

    assert result["addresses"] == ["::1"]


async def test_it_returns_every_address_of_a_name(server: str) -> None:
    result = await lookup(server, "multi.golive.test")

    assert sorted(result["addresses"]) == ["127.0.0.2", "127.0.0.3"]


async def test_it_can_ask_over_tcp(server: str) -> None:
    result = await lookup(server, "multi.golive.test", tcp=True)

    assert sorted(result["addresses"]) == ["127.0.0.2", "127.0.0.3"]


async def test_it_reverses_an_address_for_a_ptr_lookup(server: str) -> None:
    result = await lookup(server, "127.0.0.1", type="PTR")

    assert result["addresses"] == ["app.golive.test"]  # no trailing dot


async def test_it_reports_nxdomain_as_no_addresses(server: str) -> None:
    result = await lookup(server, "missing.golive.test")

    assert result == {"addresses": [], "ttl": 0, "rcode": "NXDOMAIN"}


async def test_a_name_without_that_record_type_is_no_addresses(server: str) -> None:
    result = await lookup(server, "multi.golive.test", type="AAAA")  # only A records

    assert result == {"addresses": [], "ttl": 0, "rcode": "NOERROR"}


async def test_a_server_that_does_not_answer_is_an_error() -> None:
    server = f"127.0.0.1:{free_port(udp=True)}"  # nothing listens: UDP queries go unanswered

    with pytest.raises(ProbeError) as caught:
        await lookup(server, "app.golive.test", within=0.3)

    assert caught.value.message == f"no answer from DNS server {server} within 0.3s"
    assert caught.value.connected is False


async def test_a_closed_tcp_port_is_an_error() -> None:
    server = f"127.0.0.1:{free_port()}"

    with pytest.raises(ProbeError) as caught:
        await lookup(server, "app.golive.test", tcp=True)

    assert caught.value.message == f"DNS server {server} failed: connection refused"


@pytest.mark.parametrize(
    ("rdtype", "rdata", "text"),
    [
        ("A", "192.0.2.1", "192.0.2.1"),
        ("AAAA", "2001:db8::1", "2001:db8::1"),
        ("CNAME", "app.golive.test.", "app.golive.test"),
        ("MX", "10 mail.golive.test.", "10 mail.golive.test"),
        ("SRV", "0 5 5432 db.golive.test.", "0 5 5432 db.golive.test"),
        ("TXT", '"v=spf1 " "-all"', "v=spf1 -all"),
        ("CAA", '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'),
    ],
)
def test_answers_read_as_documented(rdtype: str, rdata: str, text: str) -> None:
    # dnsmasq here only serves A/AAAA/PTR, so the other types are checked on parsed rdata
    assert dns_probe._text(dns.rdata.from_text("IN", rdtype, rdata)) == text


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
    ],
)
def test_a_server_is_an_address_with_an_optional_port(
    server: str, expected: tuple[str, int]
) -> None:
    assert parse_server(server) == expected


@pytest.mark.parametrize(
    "options",
    [
        {"type": "SOA"},
        {"type": "ANY"},
        {"server": "dns.google"},
        {"server": "127.0.0.1:0"},
        {"server": "127.0.0.1:dns"},
        {"name": "a" * 64 + ".golive.test"},  # a label is at most 63 octets
    ],
)
def test_the_spec_refuses_what_it_cannot_ask(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        DnsSpec(**{"name": "app.golive.test", **options})


def test_it_is_registered_with_its_default_expectation() -> None:
    kind = builtin_kinds()["dns"]

    assert kind.default_expect == ("size(addresses) > 0",)
    assert set(kind.fields) == {"addresses", "ttl", "rcode"}
    spec = DnsSpec(name="app.golive.test", type="mx", server="127.0.0.1:5353", tcp=True)
    assert spec.type == "MX"
    assert spec.describe() == "MX app.golive.test @127.0.0.1:5353 (tcp)"
