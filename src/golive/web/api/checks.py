"""``/api/checks``: the current state of each check, and one check with its history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from golive.config.checks import CheckBase
from golive.engine.rollup import RESOLUTIONS, bucket_start
from golive.records import LATENCY_BOUNDS_MS, CheckStatus
from golive.store import history
from golive.web.api.common import AUTH_ERRORS, NOT_FOUND, Offset, Text, evidence_out, redacted
from golive.web.api.inputs import OptionalTimestamp
from golive.web.api.models import (
    CheckDetail,
    CheckList,
    CheckOut,
    CheckState,
    RollupOut,
    Rollups,
)
from golive.web.auth import RuntimeDep, Viewer
from golive.web.runtime import Runtime

RECENT_EVIDENCE = 50
DETAIL_WINDOW = timedelta(hours=24)
MAX_BUCKETS = 10_000
Resolution = Literal["minute", "hour"]


def list_checks(
    runtime: RuntimeDep,
    _: Viewer,
    state: CheckState | None = None,
    component: Text = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="text in name, description, component"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Offset = 0,
) -> CheckList:
    """Every configured check with its current state, keyed by name, in configuration order."""
    checks = list(runtime.loaded.config.checks)
    if component is not None:
        checks = [c for c in checks if c.component == component]
    if q is not None:
        needle = q.casefold()
        checks = [c for c in checks if needle in _haystack(c)]
    statuses = _statuses(runtime, [c.name for c in checks])
    if state is not None:
        checks = [c for c in checks if _state_of(statuses.get(c.name)) == state]
    shown = checks[offset : offset + limit]
    in_maintenance = runtime.maintenance()
    return CheckList(
        checks={
            c.name: _check_out(runtime, c, statuses.get(c.name), in_maintenance) for c in shown
        },
        total=len(checks),
        limit=limit,
        offset=offset,
        next_offset=offset + len(shown) if offset + len(shown) < len(checks) else None,
    )


def get_check(runtime: RuntimeDep, _: Viewer, name: str) -> CheckDetail:
    """One check: its state, last result, newest 50 evidence records, hourly rollups of 24 h."""
    check = _configured(runtime, name)
    status = _statuses(runtime, [name]).get(name)
    now = runtime.clock.now()
    evidence = history.evidence(
        runtime.store, kind="probe", subject=name, limit=RECENT_EVIDENCE
    ).items
    shown = [evidence_out(runtime, row, now) for row in evidence]
    summary = _check_out(runtime, check, status, runtime.maintenance())
    return CheckDetail(
        **summary.model_dump(),
        last_failed=redacted(runtime, status.last_failed if status else []),
        last_result=shown[0] if shown else None,
        evidence=shown,
        rollups=_rollups(runtime, name, "hour", now - DETAIL_WINDOW, now),
    )


def get_rollups(
    runtime: RuntimeDep,
    _: Viewer,
    name: str,
    resolution: Resolution = "hour",
    since: OptionalTimestamp = None,
    until: OptionalTimestamp = None,
) -> Rollups:
    """A check's rollups between ``since`` (default: 24 h ago) and ``until`` (default: now),
    at most 10,000 buckets: an earlier ``since`` is moved forward (``start`` says to when), and
    one not before ``until`` is an empty range."""
    _configured(runtime, name)
    end = until or runtime.clock.now()
    earliest = _minus(end, MAX_BUCKETS * RESOLUTIONS[resolution])
    start = min(max(since or _minus(end, DETAIL_WINDOW), earliest), end)
    return _rollups(runtime, name, resolution, start, end)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/checks", tags=["checks"], responses=AUTH_ERRORS)
    router.add_api_route("", list_checks, methods=["GET"], response_model=CheckList)
    rollups = {"operationId": "get_rollups", "parameters": {"name": "$response.body#/name"}}
    router.add_api_route(
        "/{name}",
        get_check,
        methods=["GET"],
        response_model=CheckDetail,
        responses={**NOT_FOUND, 200: {"links": {"rollups": rollups}}},
    )
    router.add_api_route(
        "/{name}/rollups", get_rollups, methods=["GET"], response_model=Rollups, responses=NOT_FOUND
    )
    return router


def _minus(at: datetime, delta: timedelta) -> datetime:
    """``at - delta``, or the earliest time there is."""
    try:
        return at - delta
    except OverflowError:
        return datetime.min.replace(tzinfo=at.tzinfo)


def _configured(runtime: Runtime, name: str) -> CheckBase:
    try:
        return runtime.loaded.config.check(name)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no check {name!r}") from None


def _statuses(runtime: Runtime, names: Sequence[str]) -> dict[str, CheckStatus]:
    """The scheduler's states; the stored ones for checks it does not know (yet)."""
    live = runtime.statuses()
    found = {n: live[n] for n in names if n in live}
    missing = [n for n in names if n not in found]
    if missing:
        found.update(history.check_states(runtime.store, missing))
    return found


def _state_of(status: CheckStatus | None) -> str:
    return status.state if status else "unknown"


def _haystack(check: CheckBase) -> str:
    return " ".join((check.name, check.description, check.component or "")).casefold()


def _check_out(
    runtime: Runtime,
    check: CheckBase,
    status: CheckStatus | None,
    in_maintenance: Mapping[str, str],
) -> CheckOut:
    return CheckOut(
        name=check.name,
        component=check.component,
        kind=check.kind,
        description=check.description,
        severity=check.severity,
        labels=check.labels,
        runbook=check.runbook,
        state=status.state if status else "unknown",
        since=status.since if status else None,
        maintenance=in_maintenance.get(check.name),
        last_run_at=status.last_run_at if status else None,
        last_ok=status.last_ok if status else None,
        last_latency_ms=status.last_latency_ms if status else None,
        last_error=redacted(runtime, status.last_error) if status else None,
        consecutive_failures=status.consecutive_failures if status else 0,
        consecutive_successes=status.consecutive_successes if status else 0,
    )


def _rollups(
    runtime: Runtime, name: str, resolution: Resolution, start: datetime, end: datetime
) -> Rollups:
    start = bucket_start(start, resolution)
    rows = history.rollups(runtime.store, name, resolution=resolution, start=start, end=end)
    runs, failures = sum(r.runs for r in rows), sum(r.failures for r in rows)
    return Rollups(
        check=name,
        resolution=resolution,
        start=start,
        end=end,
        latency_bounds_ms=list(LATENCY_BOUNDS_MS),
        runs=runs,
        failures=failures,
        uptime=_uptime(runs, failures),
        buckets=[
            RollupOut(
                bucket=r.bucket,
                runs=r.runs,
                failures=r.failures,
                uptime=_uptime(r.runs, r.failures),
                latency_avg_ms=r.latency_sum_ms / r.runs if r.runs else None,
                latency_max_ms=r.latency_max_ms,
                latency_hist=[int(n) for n in r.latency_hist],
            )
            for r in rows
        ],
    )


def _uptime(runs: int, failures: int) -> float | None:
    return (runs - failures) / runs if runs else None
