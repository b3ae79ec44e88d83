"""``/api/checks``: the current state of each check, and one check with its history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from golive.config.checks import CheckBase
from golive.engine.checks_now import CheckNow, Selection, Sort, parse_label
from golive.engine.rollup import RESOLUTIONS, bucket_start
from golive.records import LATENCY_BOUNDS_MS
from golive.store import history
from golive.web.api.common import AUTH_ERRORS, NOT_FOUND, Offset, Text, evidence_out
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
from golive.web.checks_now import live_checks
from golive.web.runtime import Runtime

RECENT_EVIDENCE = 50
DETAIL_WINDOW = timedelta(hours=24)
MAX_BUCKETS = 10_000
Resolution = Literal["minute", "hour"]


def list_checks(
    request: Request,
    runtime: RuntimeDep,
    _: Viewer,
    state: CheckState | None = None,
    component: Text = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="text in name, description, component"),
    ] = None,
    label: Annotated[
        list[str] | None,
        Query(max_length=20, description="key=value (or key: has the label); each must hold"),
    ] = None,
    sort: Annotated[
        Sort, Query(description="config (their order), name, or state (down first)")
    ] = "config",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Offset = 0,
) -> CheckList:
    """Every configured check with its current state, keyed by name, in configuration order
    (or ``sort``)."""
    labels = tuple(parse_label(text[:200]) for text in label or ())
    selection = Selection(state=state, component=component, q=q, labels=labels, sort=sort)
    checks = live_checks(request).get(runtime).select(selection)
    shown = checks[offset : offset + limit]
    return CheckList(
        checks={row.name: _check_out(row) for row in shown},
        total=len(checks),
        limit=limit,
        offset=offset,
        next_offset=offset + len(shown) if offset + len(shown) < len(checks) else None,
    )


def get_check(request: Request, runtime: RuntimeDep, _: Viewer, name: str) -> CheckDetail:
    """One check: its state, last result, newest 50 evidence records, hourly rollups of 24 h."""
    _configured(runtime, name)
    row = next(r for r in live_checks(request).get(runtime).rows if r.name == name)
    now = runtime.clock.now()
    evidence = history.evidence(
        runtime.store, kind="probe", subject=name, limit=RECENT_EVIDENCE
    ).items
    shown = [evidence_out(runtime, row, now) for row in evidence]
    return CheckDetail(
        **_check_out(row).model_dump(),
        last_failed=row.last_failed,
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


def _check_out(row: CheckNow) -> CheckOut:
    check, status = row.check, row.status
    return CheckOut(
        name=check.name,
        component=check.component,
        kind=check.kind,
        description=check.description,
        severity=check.severity,
        labels=check.labels,
        runbook=check.runbook,
        state=row.state,
        since=status.since if status else None,
        maintenance=row.maintenance,
        last_run_at=status.last_run_at if status else None,
        last_ok=status.last_ok if status else None,
        last_latency_ms=status.last_latency_ms if status else None,
        last_error=row.last_error,
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
