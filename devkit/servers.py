"""Real PostgreSQL, Redis, nginx and dnsmasq servers on free 127.0.0.1 ports.

Each ``start(...)`` blocks until the server really answers and raises RuntimeError
(command + log tail) when it cannot; every server is a context manager with an
idempotent ``stop()``. Binaries come from Debian packages (``devkit/system.sh``).

This module only re-exports; the code lives in one module per responsibility:

- ``devkit.process``: spawn, readiness waiting, terminate, the ``Server`` base class
  and stopping every still-running server at interpreter exit
- ``devkit.postgres``: ``PostgresServer`` and ``cache_dir()`` (the initdb template cache)
- ``devkit.redis_server``: ``RedisServer``
- ``devkit.nginx``: ``NginxServer``
- ``devkit.dns_server``: ``DnsServer`` (dnsmasq)
- ``devkit.ports``: ``free_port`` and waiting for a port
"""

from __future__ import annotations

from devkit.dns_server import DnsServer
from devkit.nginx import NginxServer
from devkit.ports import free_port
from devkit.postgres import PostgresServer, cache_dir
from devkit.process import Server
from devkit.redis_server import RedisServer

__all__ = [
    "DnsServer",
    "NginxServer",
    "PostgresServer",
    "RedisServer",
    "Server",
    "cache_dir",
    "free_port",
]
