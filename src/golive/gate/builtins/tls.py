"""``tls`` — a valid, matching certificate far from expiry; old protocols and weak ciphers refused.

The certificate facts come from the ``tls`` probe (``golive.probes.tls``). Then one handshake per
protocol version, each version alone (TLS 1.0 … 1.3), and one per weak cipher family (RC4, 3DES,
DES, NULL, EXPORT, anonymous; TLS 1.0-1.2 only, as TLS 1.3 has no weak suites) tell what the
server accepts. A version below ``min_protocol`` or a weak suite that the server accepts fails
the item.

Honesty rule: before each of these handshakes the client's own ClientHello is built in memory
and read back. When the local OpenSSL will not offer that version or family (OpenSSL 3 builds
often drop RC4, DES, 3DES and EXPORT entirely), the cell is ``untested`` and a warning says so;
it is never reported as refused. A handshake that neither completes nor is refused (no answer,
connection refused) fails the item: what could not be measured does not pass.
"""

from __future__ import annotations

import datetime as dt
import ssl
import warnings
from contextlib import suppress
from typing import Any, Literal

from pydantic import Field

from golive.gate.builtins.base import Args, Builtin, Context, Finding
from golive.probes import tls as tls_probe
from golive.probes.base import ProbeContext, ProbeError, os_reason

Protocol = Literal["TLSv1.2", "TLSv1.3"]

# evidence label (as ``SSLObject.version()`` spells it) → version, legacy ClientHello version
VERSIONS: dict[str, tuple[ssl.TLSVersion, int | None]] = {
    "TLSv1": (ssl.TLSVersion.TLSv1, 0x0301),
    "TLSv1.1": (ssl.TLSVersion.TLSv1_1, 0x0302),
    "TLSv1.2": (ssl.TLSVersion.TLSv1_2, 0x0303),
    "TLSv1.3": (ssl.TLSVersion.TLSv1_3, None),  # announced in an extension, not checked here
}
SPOKEN = {"TLSv1": "TLS 1.0", "TLSv1.1": "TLS 1.1", "TLSv1.2": "TLS 1.2", "TLSv1.3": "TLS 1.3"}
# family → OpenSSL cipher string
WEAK_FAMILIES = {
    "RC4": "RC4",
    "3DES": "3DES",
    "DES": "DES",
    "NULL": "eNULL",
    "EXPORT": "EXPORT",
    "anon": "aNULL",
}
_SCSV = {0x00FF, 0x5600}  # signalling values, not cipher suites


class TlsArgs(Args):
    host: str = Field(min_length=1)
    port: int = Field(default=443, ge=1, le=65535)
    server_name: str | None = None  # SNI and the name to verify; the host by default
    min_days: int = Field(default=30, ge=0)
    ca_file: str | None = None  # an extra trust anchor (PEM), on top of the system CAs
    min_protocol: Protocol = "TLSv1.2"

    @property
    def sni(self) -> str:
        return self.server_name or self.host


def _context(ciphers: str, lowest: ssl.TLSVersion, highest: ssl.TLSVersion) -> ssl.SSLContext:
    """A non-verifying client context offering only ``ciphers`` from ``lowest`` to ``highest``;
    ``ssl.SSLError`` when the local OpenSSL has none of those ciphers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers(ciphers)
    with warnings.catch_warnings():  # TLSv1 and TLSv1_1 are deprecated: testing them is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = lowest
        context.maximum_version = highest
    return context


def _client_hello(context: ssl.SSLContext, sni: str) -> tuple[int, list[int]] | None:
    """The legacy version and cipher suites of the ClientHello this context sends (built in
    memory, nothing goes on the wire); None when OpenSSL will not build one."""
    tls = context.wrap_bio(ssl.MemoryBIO(), outgoing := ssl.MemoryBIO(), server_hostname=sni)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass  # the hello is written; it now waits for the server
    except ssl.SSLError:
        return None
    data = outgoing.read()
    # record header (5) · handshake header (4) · version (2) · random (32) · session id
    if len(data) < 44 or data[0] != 0x16 or data[5] != 0x01:
        return None
    at = 44 + data[43]
    count = int.from_bytes(data[at : at + 2], "big")
    suites = [int.from_bytes(data[i : i + 2], "big") for i in range(at + 2, at + 2 + count, 2)]
    return int.from_bytes(data[9:11], "big"), suites


def _offered(context: ssl.SSLContext, sni: str, version: int | None, tls13: bool) -> bool:
    hello = _client_hello(context, sni)
    if hello is None:
        return False
    legacy, suites = hello
    usable = [s for s in suites if s not in _SCSV and (tls13 or s >> 8 != 0x13)]
    return bool(usable) and (version is None or legacy == version)


def _refusal(reason: str | None) -> bool:
    """The server said no: an alert it sent, or a version outside the one we offered."""
    return bool(reason) and (
        "ALERT" in str(reason) or reason in ("UNSUPPORTED_PROTOCOL", "WRONG_VERSION_NUMBER")
    )


async def _handshake(args: TlsArgs, context: ssl.SSLContext, seconds: float) -> tuple[str, str]:
    """``("accepted", "TLSv1 ECDHE-ECDSA-AES256-SHA")``, ``("refused", why)`` or ``("error", why)``."""
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(args.host, args.port), seconds)
    except TimeoutError:
        return "error", f"no connection within {seconds:g}s"
    except OSError as exc:
        return "error", f"cannot connect: {os_reason(exc)}"
    try:
        # our own deadline first: asyncio's handshake timeout looks like a closed connection
        start = writer.start_tls(
            context, server_hostname=args.sni, ssl_handshake_timeout=seconds + 5
        )
        await asyncio.wait_for(start, seconds)
    except TimeoutError:
        return "error", f"no answer to the handshake within {seconds:g}s"
    except ssl.SSLError as exc:
        said = (exc.reason or str(exc)).replace("_", " ").lower()
        if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError) or _refusal(exc.reason):
            return "refused", said
        # our client gave up after the server answered: the server may well have accepted
        return "error", f"the local OpenSSL ended the handshake: {said}"
    except (ConnectionError, asyncio.IncompleteReadError):
        return "refused", "the server closed the connection"
    else:
        tls = writer.get_extra_info("ssl_object")
        cipher = tls.cipher() if tls is not None else None
        return "accepted", f"{tls.version() if tls else '?'} {cipher[0] if cipher else '?'}"
    finally:
        writer.close()
        with suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1)


async def _scan(
    args: TlsArgs, seconds: float
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Per version and per weak family: accepted / refused / untested / error; plus why."""
    import asyncio

    versions = dict.fromkeys(VERSIONS, "untested")
    families = dict.fromkeys(WEAK_FAMILIES, "untested")
    wanted = [
        (versions, label, "ALL:COMPLEMENTOFALL", version, version, legacy)
        for label, (version, legacy) in VERSIONS.items()
    ] + [
        (families, family, cipher_string, ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_2, None)
        for family, cipher_string in WEAK_FAMILIES.items()
    ]
    attempts = []
    for cells, name, ciphers, lowest, highest, legacy in wanted:
        try:
            context = _context(f"{ciphers}:@SECLEVEL=0", lowest, highest)
        except (ssl.SSLError, ValueError):  # no such cipher, or no such version in this build
            continue
        tls13 = highest is ssl.TLSVersion.TLSv1_3
        if _offered(context, args.sni, legacy, tls13=tls13):
            attempts.append((cells, name, context))
    results = await asyncio.gather(*(_handshake(args, c, seconds) for _, _, c in attempts))
    why = {}
    for (cells, name, _), (outcome, detail) in zip(attempts, results, strict=True):
        cells[name] = outcome
        if outcome != "refused":
            why[name] = detail
    return versions, families, why


async def run(args: TlsArgs, ctx: Context) -> Finding:
    spec = tls_probe.TlsSpec(
        host=args.host,
        port=args.port,
        server_name=args.server_name,
        ca_file=str(ctx.loaded.relative(args.ca_file)) if args.ca_file else None,
    )
    probe_error: str | None = None
    cert: dict[str, Any] = {}
    try:
        cert = await tls_probe.run(spec, ProbeContext(timeout=ctx.timeout))
    except ProbeError as exc:
        # the handshake failed (e.g. TLS 1.0 only): still worth scanning; unreachable: not
        if not (exc.connected or isinstance(exc.__cause__, ssl.SSLError)):
            return Finding(False, exc.message, {"host": args.host, "port": args.port})
        probe_error = exc.message
    versions, families, why = await _scan(args, ctx.timeout)
    problems: list[str] = []
    untested: list[str] = []
    if probe_error is not None:
        problems.append(probe_error)
    else:
        not_after = dt.datetime.fromisoformat(cert["not_after"])
        cert["days_left"] = int((not_after - ctx.clock.now()).total_seconds() // 86400)
        problems += _certificate_problems(cert, args)
    below = list(VERSIONS)[: list(VERSIONS).index(args.min_protocol)]
    minimum = f"below the minimum {SPOKEN[args.min_protocol]}, disable it on the server"
    for label in below:
        _judge(SPOKEN[label], versions[label], why.get(label), minimum, problems, untested)
    fix = "remove them from the server's cipher list"
    for family, state in families.items():
        _judge(f"weak {family} ciphers", state, why.get(family), fix, problems, untested)
    warns = (
        [f"could not test {', '.join(untested)}: the local OpenSSL does not offer them"]
        if untested
        else []
    )
    accepted_weak = [
        why[f].split(" ", 1)[1] for f, state in families.items() if state == "accepted"
    ]
    evidence = {
        "host": args.host,
        "port": args.port,
        "server_name": args.sni,
        **{key: cert.get(key) for key in tls_probe.FIELDS},
        "min_days": args.min_days,
        "min_protocol": args.min_protocol,
        "protocols": versions,
        "weak_ciphers": families,
        "weak_ciphers_accepted": accepted_weak,
    }
    if problems:
        return Finding(False, "; ".join(problems), evidence, tuple(warns))
    refused = ", ".join(SPOKEN[label] for label in below if versions[label] == "refused")
    reason = (
        f"certificate valid for {args.sni}, {cert['days_left']} days left (needs {args.min_days}); "
        f"negotiates {SPOKEN.get(cert['protocol'], cert['protocol'])}; "
        + (f"refuses {refused}; " if refused else "")
        + "no weak cipher suite accepted"
        + (" (some protocols or ciphers untested, see warnings)" if warns else "")
    )
    return Finding(True, reason, evidence, tuple(warns))


def _certificate_problems(cert: dict[str, Any], args: TlsArgs) -> list[str]:
    problems = []
    if not cert["valid"]:
        problems.append(f"the certificate does not verify: {cert['verify_error']}")
    if not cert["hostname_match"]:
        problems.append(f"the certificate is not valid for {args.sni}")
    days = cert["days_left"]
    if days < 0:
        problems.append(f"the certificate expired {-days} days ago ({cert['not_after']})")
    elif days < args.min_days:
        problems.append(
            f"the certificate expires in {days} days ({cert['not_after']}), "
            f"needs at least {args.min_days}: renew it"
        )
    return problems


def _judge(
    what: str, state: str, detail: str | None, bad: str, problems: list[str], untested: list[str]
) -> None:
    """One scan cell: accepted or not measurable is a problem; untested is a warning."""
    if state == "accepted":
        problems.append(f"the server accepts {what} ({detail}): {bad}")
    elif state == "untested":
        untested.append(what)
    elif state == "error":
        problems.append(f"could not test {what}: {detail}")


BUILTIN = Builtin(
    name="tls",
    args=TlsArgs,
    run=run,
    summary="certificate valid and far from expiry; old TLS versions and weak ciphers refused",
)
