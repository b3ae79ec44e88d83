"""``golive check``: run selected checks once and keep the results as evidence."""

from __future__ import annotations

from collections.abc import Sequence

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.results import CheckResult
from golive.engine.run import DEFAULT_CONCURRENCY, run_checks
from golive.exceptions import UsageError
from golive.records import RunSummary
from golive.store import Store, normalise_url


def select_checks(loaded: LoadedConfig, names: Sequence[str]) -> list[CheckBase]:
    """The checks called ``names`` (all that can run today when empty), in config order; a
    named check whose kind arrives with a later stage, or whose runs are pushed to golive
    serve (a heartbeat), is a usage error that says so."""
    checks = loaded.config.checks
    if not names:
        return loaded.runnable_checks()
    for check in checks:
        kind = loaded.kinds[check.kind]
        if check.name in names and kind.pushed:
            raise UsageError(
                f"check {check.name} is a {check.kind} check: golive serve judges it from its"
                f" pings (`golive ping {check.name}` reports a run), golive check cannot run it"
            )
        later = kind.later
        if check.name in names and later is not None:
            raise UsageError(
                f"not yet supported: check {check.name} is a {check.kind} check, which runs"
                f" with the {later} stage"
            )
    known = sorted(c.name for c in checks)
    for name in names:
        if name not in known:
            raise UsageError.unknown("check", name, known)
    wanted = set(names)
    return [c for c in checks if c.name in wanted]


def open_store(loaded: LoadedConfig) -> Store:
    """The store named by the config (relative SQLite paths are beside the config file)."""
    return Store.open(normalise_url(loaded.config.store, loaded.base_dir))


async def check_once(
    loaded: LoadedConfig,
    checks: Sequence[CheckBase],
    *,
    clock: Clock,
    store: Store,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> list[CheckResult]:
    """Run ``checks`` concurrently and record them as one run of evidence."""
    started = clock.now()
    results = await run_checks(loaded, checks, clock=clock, concurrency=concurrency)
    summary = RunSummary("check", loaded.environment, started, clock.now())
    store.record_run(summary, [result.evidence() for result in results])
    return results
