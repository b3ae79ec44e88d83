"""The health report: each component checked for real, on every call.

A component is a name and a callable that raises when the component is broken (its message is
the component's ``error``). ``database`` (a DSN or a callable), ``cache`` (a Redis URL or a
callable), ``memory`` and ``disk`` build the usual ones. A component that is not ``critical``
(memory and disk by default) reports ``warning`` instead of ``error`` and leaves the app
healthy, as the seeds' ``/health`` does with memory.

The answer is ``200`` with ``{"status": "healthy", "version": ..., "checks": {name: {"status":
"ok", "latency_ms": ...}}}``, or ``503`` with ``"status": "degraded"`` when a critical component
fails (``"status": "error", "error": "..."``). A component given as ``None`` is reported
``{"status": "disabled"}``. Error messages are the first line of the exception, with any
password in a URL masked.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Probe = Callable[[], object]
Body = dict[str, Any]
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)(@)")


@dataclass(frozen=True)
class Component:
    """One thing the app needs: ``probe`` raises when it is broken."""

    probe: Probe | None
    critical: bool = True


@dataclass(frozen=True)
class Health:
    """The app's components; ``report()`` checks them all and builds the answer."""

    components: Mapping[str, Component | Probe | None]
    version: str = ""
    headers: Mapping[str, str] = field(
        default_factory=lambda: {"Cache-Control": "no-store", "Content-Type": "application/json"}
    )

    def report(self) -> tuple[int, Body]:
        """``(200 or 503, body)``."""
        checks: dict[str, Body] = {}
        healthy = True
        for name, given in self.components.items():
            component = given if isinstance(given, Component) else Component(given)
            checks[name] = _check(component)
            healthy = healthy and checks[name]["status"] != "error"
        body: Body = {"status": "healthy" if healthy else "degraded", "version": self.version}
        body["checks"] = checks
        return (200 if healthy else 503), body


def _check(component: Component) -> Body:
    if component.probe is None:
        return {"status": "disabled"}
    started = time.perf_counter()
    try:
        component.probe()
    except Exception as exc:  # any failure of the component makes its check fail
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        failed = "error" if component.critical else "warning"
        return {"status": failed, "latency_ms": elapsed, "error": _message(exc)}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


def _message(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    return _URL_PASSWORD.sub(r"\g<1>***\g<3>", line)


def database(target: str | Probe, *, query: str = "SELECT 1", timeout_s: float = 2.0) -> Component:
    """A database: a ``postgresql://`` DSN (psycopg), ``sqlite:///path``, or a callable that
    runs a query itself (the app's own pool or ORM)."""
    if callable(target):
        return Component(target)
    dsn = target

    def probe() -> None:
        if dsn.startswith("sqlite:///"):
            path = dsn.removeprefix("sqlite:///")
            with sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout_s) as conn:
                conn.execute(query).fetchall()
            return
        import psycopg  # imported on use: an app without PostgreSQL never needs it

        with psycopg.connect(dsn, connect_timeout=max(2, round(timeout_s))) as conn:
            conn.execute(query).fetchall()

    return Component(probe)


def cache(target: str | Probe, *, timeout_s: float = 2.0) -> Component:
    """A cache: a ``redis://`` URL (PING with redis-py) or a callable."""
    if callable(target):
        return Component(target)
    url = target

    def probe() -> None:
        import redis  # imported on use

        client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        try:
            client.ping()
        finally:
            client.close()

    return Component(probe)


def _rss_bytes() -> int:
    """This process's resident memory now (``/proc``), or its peak where there is no /proc."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def memory(*, max_rss_mb: float, critical: bool = False) -> Component:
    """This process's resident memory stays under ``max_rss_mb``."""

    def probe() -> None:
        used = _rss_bytes() / (1 << 20)
        if used > max_rss_mb:
            raise RuntimeError(f"resident memory {used:.0f} MB is over {max_rss_mb:g} MB")

    return Component(probe, critical)


def disk(path: str = "/", *, min_free_pct: float = 10.0, critical: bool = False) -> Component:
    """The file system holding ``path`` keeps at least ``min_free_pct`` % free."""

    def probe() -> None:
        usage = shutil.disk_usage(path)
        free = usage.free / usage.total * 100 if usage.total else 0.0
        if free < min_free_pct:
            raise RuntimeError(f"{path}: {free:.1f}% free, under {min_free_pct:g}%")

    return Component(probe, critical)
