"""DNS: ``dnsmasq`` on a free 127.0.0.1 port, answering only for the given records.

Named ``dns_server`` so that it is never confused with dnspython's ``dns`` package.
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from devkit.ports import HOST, ensure_port_free
from devkit.process import Server, find_binary, on_free_port, spawn, wait_ready

if TYPE_CHECKING:
    import dns.resolver

__all__ = ["DnsServer"]


class DnsServer(Server):
    """dnsmasq answering only for ``records``; every other name is NXDOMAIN."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        base_dir: Path,
        log: Path,
        port: int,
        records: dict[str, list[str]],
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.records = records

    @classmethod
    def start(
        cls,
        base_dir: Path,
        records: Mapping[str, Sequence[str]],
        *,
        port: int | None = None,
        ttl: int = 60,
        timeout: float = 30.0,
    ) -> DnsServer:
        """``records`` maps a name to its IPv4 and/or IPv6 addresses."""
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        binary = find_binary("dnsmasq", "/usr/sbin/dnsmasq", package="dnsmasq-base")
        log = base_dir / "dnsmasq.log"
        recs = {
            name: [str(ipaddress.ip_address(ip)) for ip in ips] for name, ips in records.items()
        }
        host_records = [f"--host-record={n},{ip}" for n, ips in recs.items() for ip in ips]

        def launch(p: int) -> DnsServer:
            ensure_port_free(p, udp=True)
            cmd = [binary, "--no-daemon", "--keep-in-foreground", "--conf-file=/dev/null"]
            cmd += [f"--port={p}", f"--listen-address={HOST}", "--bind-interfaces"]
            cmd += ["--no-resolv", "--no-hosts", "--no-poll", f"--local-ttl={ttl}"]
            cmd += ["--local=/#/"]  # never forward: unknown names get NXDOMAIN
            # -d already logs everything to stderr (which goes to ``log``); a separate
            # --log-facility file would only duplicate each line.
            cmd += ["--log-facility=-", *host_records]
            proc = spawn(cmd, log)
            server = cls(proc, base_dir, log, p, recs)
            try:
                wait_ready(proc, log, "dnsmasq", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        return on_free_port(port, launch, udp=True)

    def _answers(self) -> bool:
        import dns.message
        import dns.query

        # dnsmasq also serves TCP on the port: a refused connect fails at once, where an
        # unanswered UDP query would only time out.
        socket.create_connection((HOST, self.port), timeout=1).close()
        name = next(iter(self.records), "devkit.invalid")
        dns.query.udp(dns.message.make_query(name, "A"), HOST, port=self.port, timeout=1)
        return True

    def resolver(self) -> dns.resolver.Resolver:
        """A ``dns.resolver.Resolver`` that asks only this server."""
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [HOST]
        resolver.port = self.port
        return resolver
