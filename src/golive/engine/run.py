"""Running checks: one probe run with its timeout, its expectations, and a redacted result.

``run_checks`` runs a batch concurrently (bounded) and is what ``golive check`` calls;
``golive serve`` schedules ``run_check`` one check at a time with the same code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.lateness import LoopWatch, late_limit
from golive.engine.results import CheckResult, Failure
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.expect import Expectation

DEFAULT_CONCURRENCY = 256
_ERROR_FIELDS = frozenset({"error", "ok_connect"})


@asynccontextmanager
async def http_session(
    concurrency: int, *, user_agent: str = "golive-probe"
) -> AsyncIterator[aiohttp.ClientSession]:
    """One aiohttp session for a batch: fresh connection per request, no shared cookies."""
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True, ttl_dns_cache=60)
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
        headers={"User-Agent": user_agent},
        auto_decompress=True,
    ) as session:
        yield session


async def run_checks(
    loaded: LoadedConfig,
    checks: Sequence[CheckBase],
    *,
    clock: Clock,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[CheckResult]:
    """Run ``checks`` once, at most ``concurrency`` at a time; results in the given order.

    A fixed pool of workers takes checks from one queue, so a batch of thousands holds only
    ``concurrency`` coroutines at once.
    """
    results: list[CheckResult | None] = [None] * len(checks)
    queue = iter(enumerate(checks))
    async with http_session(concurrency) as session, watching_the_loop() as watch:

        async def worker() -> None:
            for index, check in queue:
                results[index] = await run_check(
                    loaded, check, clock=clock, http=session, watch=watch
                )

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(checks)))))
    return [result for result in results if result is not None]


@asynccontextmanager
async def watching_the_loop(watch: LoopWatch | None = None) -> AsyncIterator[LoopWatch]:
    """A ``LoopWatch`` running for the duration of the block."""
    watch = watch or LoopWatch()
    task = asyncio.create_task(watch.run(), name="loop-watch")
    try:
        yield watch
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def run_check(
    loaded: LoadedConfig,
    check: CheckBase,
    *,
    clock: Clock,
    http: aiohttp.ClientSession | None,
    watch: LoopWatch | None = None,
) -> CheckResult:
    """Run one check; never raises for anything the target does. With a ``watch``, a run that
    timed out while the event loop was late (see ``lateness``) is inconclusive."""
    kind = loaded.kinds[check.kind]
    timeout = check.timeout.total_seconds()
    taken_at = clock.now()
    started = time.perf_counter()
    watched_from = watch.monotonic() if watch is not None else 0.0
    late: float | None = None
    fields: dict[str, Any] = dict.fromkeys(kind.fields)
    error: str | None = None
    connected = True
    try:
        async with asyncio.timeout(timeout):
            fields.update(await kind.run(check.spec, ProbeContext(timeout=timeout, http=http)))
    except ProbeError as exc:
        error, connected = exc.message, exc.connected
        fields.update(exc.fields)
    except TimeoutError:
        error, connected = f"timed out after {_seconds(timeout)}", False
        if watch is not None and (lag := watch.late_since(watched_from)) > late_limit(timeout):
            late = lag
            error += f" while golive itself was {lag * 1000:.0f} ms late (inconclusive)"
    except Exception as exc:  # a probe bug must not end the run; report it as the check's error
        error, connected = f"unexpected {type(exc).__name__}: {exc}", False
    if fields.get("latency_ms") is None:
        fields["latency_ms"] = (time.perf_counter() - started) * 1000
    fields["ok_connect"] = connected
    fields["error"] = error
    ok, failed = judge(loaded.expectations[check.name], fields, error)
    secrets = loaded.secrets
    return CheckResult(
        name=check.name,
        component=check.component,
        kind=check.kind,
        target=secrets.redact(kind.target(check.spec)),
        ok=ok,
        latency_ms=fields["latency_ms"],
        error=None if error is None else secrets.redact(error),
        failed=tuple(Failure(f.expect, secrets.redact_data(f.values), f.error) for f in failed),
        fields=secrets.redact_data(fields),
        taken_at=taken_at,
        fresh_for=max(check.every * 2, check.timeout * 2),
        late_ms=None if late is None else late * 1000,
    )


def judge(
    expectations: Sequence[Expectation], fields: dict[str, Any], error: str | None
) -> tuple[bool, list[Failure]]:
    """A probe error fails the check unless its expectations are about the error itself."""
    if error is not None and not any(_ERROR_FIELDS.intersection(e.paths) for e in expectations):
        return False, []
    failed = []
    for expectation in expectations:
        outcome = expectation.evaluate(fields)
        if not outcome.ok:
            failed.append(Failure(expectation.source, outcome.values, outcome.error))
    return not failed, failed


def _seconds(value: float) -> str:
    return f"{value:g}s" if value >= 1 else f"{value * 1000:g}ms"
