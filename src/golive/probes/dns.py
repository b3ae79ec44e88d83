"""``dns:`` — one DNS lookup with dnspython's async resolver; the answers, their TTL, the rcode.

A name that does not exist (NXDOMAIN) or has no record of the type is a measurement, not an
error: ``addresses`` is empty and ``rcode`` says why, so ``size(addresses) > 0`` fails with a
clear value. A server that answers with an error rcode (SERVFAIL, REFUSED) is reported the same
way. Only a server that cannot be reached or does not answer in time is a ``ProbeError``.

Answers are the record data as text, without trailing dots: addresses for A/AAAA, the target
for CNAME/NS/PTR, ``"<preference> <host>"`` for MX, ``"<priority> <weight> <port> <target>"``
for SRV, the joined strings for TXT and ``<flags> <tag> "<value>"`` for CAA.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec, os_reason

if TYPE_CHECKING:  # dnspython is imported on use: most configs have no DNS check
    import dns.asyncresolver
    import dns.name
    import dns.rdata

RecordType = Literal["A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "CAA", "PTR"]


class DnsSpec(ProbeSpec):
    name: str = Field(min_length=1)
    type: RecordType = "A"
    server: str | None = None  # "127.0.0.1", "127.0.0.1:5353", "::1" or "[::1]:5353"
    tcp: bool = False

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if _plain_name(value):
            return value
        import dns.exception
        import dns.name

        try:
            dns.name.from_text(value)
        except dns.exception.DNSException as exc:
            raise ValueError(f"not a valid DNS name: {exc}") from exc
        return value

    @field_validator("server")
    @classmethod
    def _valid_server(cls, value: str | None) -> str | None:
        if value is not None:
            parse_server(value)
        return value

    def describe(self) -> str:
        where = f" @{self.server}" if self.server else ""
        return f"{self.type} {self.name}{where}{' (tcp)' if self.tcp else ''}"


def parse_server(server: str) -> tuple[str, int]:
    """``"ip"``, ``"ip:port"``, ``"v6"`` or ``"[v6]:port"`` → (ip, port)."""
    host, port = server.strip(), "53"
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"server {server!r}: expected [address]:port")
            port = rest[1:]
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        message = f"server must be an IP address with an optional :port, not {server!r}"
        raise ValueError(message) from None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"server {server!r}: bad port {port!r}")
    return address, int(port)


FIELDS = {
    "addresses": "list(string): the answers as text (IPs for A/AAAA, 'pref host' for MX ...)",
    "ttl": "int: the answer's TTL in seconds, 0 when there is no answer",
    "rcode": "string: the response code: NOERROR, NXDOMAIN, SERVFAIL, REFUSED ...",
}


def _plain_name(name: str) -> bool:
    """A valid ASCII name without escapes, as dnspython would accept it (checked without it)."""
    if not name.isascii() or "\\" in name:
        return False
    relative = name.removesuffix(".")
    labels = relative.split(".") if relative else []
    return all(0 < len(label) <= 63 for label in labels) and len(relative) + 2 <= 255  # wire


def _resolver(spec: DnsSpec, timeout: float) -> dns.asyncresolver.Resolver:
    import dns.asyncresolver
    import dns.exception

    if spec.server is None:
        try:
            resolver = dns.asyncresolver.Resolver()
        except dns.exception.DNSException as exc:
            raise ProbeError(f"no system DNS resolver: {exc}") from exc
    else:
        address, port = parse_server(spec.server)
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [address]
        resolver.port = port
    resolver.cache = None
    resolver.lifetime = timeout
    resolver.timeout = min(resolver.timeout, timeout)
    return resolver


def _qname(spec: DnsSpec) -> dns.name.Name | str:
    if spec.type == "PTR":
        import dns.exception
        import dns.reversename

        try:
            return dns.reversename.from_address(spec.name)
        except (ValueError, dns.exception.SyntaxError):
            pass  # not an address: the name is already the reverse name
    return spec.name


def _text(rdata: dns.rdata.Rdata) -> str:
    value: Any = rdata
    match rdata.rdtype.name:
        case "A" | "AAAA":
            return str(value.address)
        case "CNAME" | "NS" | "PTR":
            return str(value.target.to_text(omit_final_dot=True))
        case "MX":
            return f"{value.preference} {value.exchange.to_text(omit_final_dot=True)}"
        case "SRV":
            target = value.target.to_text(omit_final_dot=True)
            return f"{value.priority} {value.weight} {value.port} {target}"
        case "TXT":
            return b"".join(value.strings).decode("utf-8", errors="replace")
        case _:
            return rdata.to_text()


def _no_answer(rcode: str) -> dict[str, Any]:
    return {"addresses": [], "ttl": 0, "rcode": rcode}


async def run(spec: DnsSpec, ctx: ProbeContext) -> dict[str, Any]:
    import dns.exception
    import dns.rcode
    import dns.resolver

    resolver = _resolver(spec, ctx.timeout)
    where = spec.server or ", ".join(
        ns if isinstance(ns, str) else ns.answer_nameserver() for ns in resolver.nameservers
    )
    try:
        answer = await resolver.resolve(
            _qname(spec), spec.type, tcp=spec.tcp, raise_on_no_answer=False
        )
    except dns.resolver.NXDOMAIN:
        return _no_answer("NXDOMAIN")
    except dns.resolver.YXDOMAIN:
        return _no_answer("YXDOMAIN")
    except dns.resolver.NoNameservers as exc:
        errors = exc.kwargs.get("errors") or []
        answered = [error for error in errors if error[4] is not None]
        if answered:  # a server answered, with an error rcode: a measurement
            return _no_answer(dns.rcode.to_text(answered[-1][4].rcode()))
        reasons = "; ".join(sorted({_reason(error[3]) for error in errors})) or "no answer"
        raise ProbeError(f"DNS server {where} failed: {reasons}") from exc
    except dns.exception.Timeout as exc:
        raise ProbeError(f"no answer from DNS server {where} within {ctx.timeout:g}s") from exc
    except dns.exception.DNSException as exc:
        raise ProbeError(f"DNS lookup of {spec.name} failed: {exc}") from exc
    rrset = answer.rrset
    if rrset is None:
        return _no_answer(dns.rcode.to_text(answer.response.rcode()))
    return {
        "addresses": [_text(rdata) for rdata in rrset],
        "ttl": rrset.ttl,
        "rcode": dns.rcode.to_text(answer.response.rcode()),
    }


def _reason(error: object) -> str:
    if isinstance(error, OSError):
        return os_reason(error)
    return str(error) or type(error).__name__


KIND = ProbeKind(
    name="dns",
    spec=DnsSpec,
    fields=FIELDS,
    default_expect=("size(addresses) > 0",),
    run=run,
    summary="a DNS lookup; passes when it returns at least one record",
)
