"""ParkWise with everything it runs beside: PostgreSQL, Redis, an nginx TLS proxy with an
http→https redirect, a DNS server and a webhook for golive's notifications — on free
127.0.0.1 ports, in one folder. ``golive_env`` is what golive's ParkWise config reads.

Used by `make demo` and by the tests that gate ParkWise end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Self

from devkit.certs import make_ca, make_cert
from devkit.ports import free_port, wait_for_port
from devkit.receivers import WebhookReceiver
from devkit.servers import DnsServer, NginxServer, PostgresServer, RedisServer

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "demo-secret-key-0123456789-abcdefghij"  # 38 characters, for the env gate item

EDGE = """
server {{
    listen 127.0.0.1:{tls_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ proxy_pass http://127.0.0.1:{app_port}; }}
}}
server {{
    listen 127.0.0.1:{http_port};
    location / {{ return 301 https://$host:{tls_port}$request_uri; }}
}}
"""


class ParkwiseStack:
    """Start with ``ParkwiseStack.start(folder, postgres=...)``; stop with ``close()``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stack = ExitStack()
        self.app: subprocess.Popen[bytes] | None = None
        self.app_port, self.tls_port, self.http_port = free_port(), free_port(), free_port()
        self.app_env: dict[str, str] = {}

    @classmethod
    def start(
        cls, folder: Path, *, postgres: PostgresServer | None = None, headers: bool = False
    ) -> Self:
        self = cls(folder)
        try:
            self._start(postgres, headers)
        except BaseException:
            self.close()
            raise
        return self

    def _start(self, postgres: PostgresServer | None, headers: bool) -> None:
        folder, stack = self.folder, self.stack
        if postgres is None:
            postgres = stack.enter_context(PostgresServer.start(folder / "postgres"))
        self.postgres = postgres  # the demo stops it to open an incident
        self.database_url = postgres.create_database(f"parkwise_{free_port()}")
        self.redis = stack.enter_context(RedisServer.start(folder / "redis"))
        self.dns = stack.enter_context(
            DnsServer.start(folder / "dns", {"parkwise.golive.test": ["127.0.0.1"]})
        )
        self.hook = WebhookReceiver()
        self.hook.start()
        stack.callback(self.hook.stop)
        self.ca = make_ca(folder / "certs")
        cert = make_cert(folder / "certs", "parkwise", ca=self.ca)
        site = EDGE.format(
            tls_port=self.tls_port,
            http_port=self.http_port,
            app_port=self.app_port,
            cert=cert.chain_path,
            key=cert.key_path,
        )
        stack.enter_context(
            NginxServer.start(folder / "nginx", site, ports=[self.tls_port, self.http_port])
        )
        self.app_env = {
            "PARKWISE_DATABASE_URL": self.database_url,
            "PARKWISE_REDIS_URL": self.redis.url,
            "PARKWISE_PORT": str(self.app_port),
            "PARKWISE_RATE_LIMIT": "100/10s",
            "PARKWISE_SECRET_KEY": SECRET_KEY,
        }
        self.stack.callback(self.stop_app)
        self.start_app(headers=headers)

    def start_app(self, *, headers: bool) -> None:
        """(Re)start ParkWise, with its security headers on or off."""
        self.stop_app()
        log = self.folder / "parkwise.log"
        env = {
            **os.environ,
            **self.app_env,
            "PARKWISE_SECURITY_HEADERS": "on" if headers else "off",
            "PYTHONPATH": str(ROOT / "examples" / "parkwise"),
        }
        with log.open("ab") as out:
            self.app = subprocess.Popen(
                [sys.executable, "-m", "parkwise"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        wait_for_port(self.app_port, timeout=30, proc=self.app, log=log)

    def stop_app(self) -> None:
        if self.app is not None and self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(10)
            except subprocess.TimeoutExpired:
                self.app.kill()
                self.app.wait()
        self.app = None

    def golive_env(self) -> dict[str, str]:
        """The variables examples/parkwise/golive.yaml reads."""
        return {
            "PARKWISE_URL": f"http://127.0.0.1:{self.app_port}",
            "PARKWISE_PORT": str(self.app_port),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "PARKWISE_TLS_PORT": str(self.tls_port),
            "PARKWISE_HTTP_PORT": str(self.http_port),
            "PARKWISE_CA_FILE": str(self.ca.cert_path),
            "PARKWISE_DNS": f"127.0.0.1:{self.dns.port}",
            "PARKWISE_ALERTS_URL": self.hook.url("/golive"),
            "PARKWISE_PAGER_URL": self.hook.url("/page"),
            "PARKWISE_SECRET_KEY": SECRET_KEY,
        }

    def close(self) -> None:
        self.stack.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
