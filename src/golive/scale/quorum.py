"""A check's verdict from the latest run of each of its regions (pure: tests pass values).

A region's latest run is *fresh* while it is younger than two intervals plus the timeout;
a stale (or missing, or inconclusive) region counts neither as UP nor as DOWN. The check is
DOWN only when at least ``quorum`` regions' fresh runs fail; it is UP when fewer fail and at
least one fresh run passed; with neither (too few fresh regions to reach the quorum, all of
them failing, or none fresh) there is no verdict and the check keeps its state.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

from golive.config import CheckBase, LoadedConfig
from golive.engine.results import CheckResult, Failure

Seen = Literal["ok", "fail", "stale", "late"]


def majority(regions: int) -> int:
    """The default quorum: more than half of the check's regions (1 of 1, 2 of 2, 2 of 3)."""
    return regions // 2 + 1


def regions_of(loaded: LoadedConfig, check: CheckBase) -> list[str]:
    """The regions a check runs in: its ``regions:``, or every region of ``workers.regions``."""
    return list(check.regions or loaded.config.workers.regions)


def quorum_of(check: CheckBase, regions: Sequence[str]) -> int:
    """The check's ``quorum:``, or a majority of its regions."""
    return check.quorum or majority(len(regions))


def stale_after(check: CheckBase) -> timedelta:
    """How old a region's latest run may be and still count."""
    return check.every * 2 + check.timeout


def seen(check: CheckBase, result: CheckResult | None, now: datetime) -> Seen:
    """What one region's latest run says now."""
    if result is None or now - result.taken_at > stale_after(check):
        return "stale"
    if result.inconclusive:
        return "late"
    return "ok" if result.ok else "fail"


def combine(
    check: CheckBase,
    latest: Mapping[str, CheckResult | None],
    now: datetime,
    *,
    regions: Sequence[str],
    quorum: int,
) -> CheckResult | None:
    """The check's result from each region's latest run, or None when there is no verdict.

    Its ``fields`` are those of a representative run (a failing one when DOWN, a passing one
    when UP) plus ``regions: {R: ok|fail|stale|late}`` and ``quorum``; a DOWN result's error
    names the regions that failed and what each saw.
    """
    saw = {region: seen(check, latest.get(region), now) for region in regions}
    failing = [r for r in regions if saw[r] == "fail"]
    passing = [r for r in regions if saw[r] == "ok"]
    down = len(failing) >= quorum
    if not down and not passing:
        return None
    chosen = failing if down else passing
    base = latest[chosen[0]]
    assert base is not None  # a region seen ok or fail has a result
    fresh = [r for r in (latest[region] for region in failing + passing) if r is not None]
    latencies = [r.latency_ms for r in fresh if r.latency_ms is not None]
    error = None
    failed = base.failed
    if down:
        parts = [f"{region}: {_what(latest[region])}" for region in failing]
        error = f"down in {len(failing)} of {len(regions)} regions (quorum {quorum}): " + "; ".join(
            parts
        )
        failed = tuple(f for region in failing for f in _failed(latest[region]))
    return CheckResult(
        name=check.name,
        component=check.component,
        kind=base.kind,
        target=base.target,
        ok=not down,
        latency_ms=statistics.median(latencies) if latencies else None,
        error=error,
        failed=failed if down else (),
        fields={**base.fields, "regions": saw, "quorum": quorum},
        taken_at=max(r.taken_at for r in fresh),
        fresh_for=base.fresh_for,
    )


def _what(result: CheckResult | None) -> str:
    if result is None:
        return "no result"
    return result.error or "; ".join(f.expect for f in result.failed) or "failed"


def _failed(result: CheckResult | None) -> tuple[Failure, ...]:
    return () if result is None else result.failed
