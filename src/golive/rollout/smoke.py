"""Smoke checks: each check named in a rollout's ``smoke:`` run once against each backend of
the new pool before it gets any traffic (an http check's URL with its host:port replaced by the
backend, a tcp check's host and port), with the check's own ``expect``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.results import CheckResult
from golive.engine.run import http_session, run_check
from golive.probes.base import ProbeSpec
from golive.probes.http import HttpSpec
from golive.probes.tcp import TcpSpec

SMOKE_KINDS = ("http", "tcp")  # the kinds whose target a backend's HOST:PORT can replace


@dataclass(frozen=True)
class SmokeFailure:
    """Why the new pool failed its smoke checks: ``reason`` for the rollout's ending,
    ``data`` (check, target, failed expectations, error) for the deployment record."""

    reason: str
    data: dict[str, Any] = field(default_factory=dict)


def retarget(check: CheckBase, target: str) -> CheckBase:
    """``check`` probing ``target`` (HOST:PORT) instead of its own host and port; an http
    check keeps its own Host header, so a virtual host still answers."""
    spec: ProbeSpec = check.spec
    host, _, port = target.rpartition(":")
    if isinstance(spec, HttpSpec):
        url = urlsplit(spec.url)
        headers = dict(spec.headers)
        if not any(key.lower() == "host" for key in headers):
            headers["Host"] = url.netloc.rpartition("@")[2]
        spec = spec.model_copy(
            update={"url": urlunsplit(url._replace(netloc=target)), "headers": headers}
        )
    elif isinstance(spec, TcpSpec):
        spec = spec.model_copy(update={"host": host, "port": int(port)})
    else:
        raise ValueError(f"a {check.kind} check cannot smoke a pool (only {SMOKE_KINDS})")
    copy = check.model_copy()
    object.__setattr__(copy, "_spec", spec)  # the validated probe; see CheckBase._one_probe
    return copy


async def smoke(
    loaded: LoadedConfig, names: Sequence[str], targets: Sequence[str], *, clock: Clock
) -> SmokeFailure | None:
    """Run every named check against every target, in order; the first failure, or None."""
    checks = {c.name: c for c in loaded.config.checks}
    async with http_session(4) as session:
        for target in targets:
            for name in names:
                result = await run_check(
                    loaded, retarget(checks[name], target), clock=clock, http=session
                )
                if not result.ok:
                    return failure(result, target)
    return None


def failure(result: CheckResult, target: str) -> SmokeFailure:
    """The failed run as the rollout's reason: the failing expectations and their values."""
    failed = [f.as_dict() for f in result.failed]
    if result.failed:
        first = result.failed[0]
        values = ", ".join(f"{k}={v!r}" for k, v in first.values.items())
        why = f"expected `{first.expect}`" + (f" ({values})" if values else "")
    else:
        why = result.error or "failed"
    data = {"check": result.name, "target": target, "failed": failed, "error": result.error}
    return SmokeFailure(f"smoke check {result.name} on {target}: {why}", data)
