"""``/api/slos``: every SLO now (viewer); one SLO with its budget-burn series and its alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.slo.sli import Reader
from golive.slo.status import budget_series, evaluate, find
from golive.store.alerts import list_alerts
from golive.web.api.common import AUTH_ERRORS, NOT_FOUND, not_found
from golive.web.auth import RuntimeDep, Viewer
from golive.web.runtime import Runtime

RECENT_ALERTS = 20


class SloOut(BaseModel):
    name: str
    objective: float = Field(description="A fraction: 0.999 for 99.9%.")
    window: str
    sli: str
    at: str
    since: str = Field(description="From when the data covers the window.")
    good: float
    total: float
    attainment: float | None
    budget: dict[str, Any] = Field(
        description="total, consumed, remaining (events), remaining_share"
    )
    page_windows: list[str]
    burn_rates: dict[str, float | str | None] = Field(description="Burn rate per alert window.")
    exhausted_at: str | None = Field(description="When the budget runs out at the 1 h rate.")
    note: str


class SloDetailOut(SloOut):
    series: list[tuple[str, float | None]] = Field(
        description="Remaining budget share at the end of each 30th of the window."
    )
    alerts: list[dict[str, Any]] = Field(description="Its burn-rate alerts, newest first.")


def get_slos(runtime: RuntimeDep, _: Viewer) -> list[SloOut]:
    """Every configured SLO over its window, as `golive slo --json` shows it."""
    now, reader = runtime.clock.now(), Reader.of(runtime.store)
    return [SloOut(**evaluate(s, reader, now).as_json()) for s in runtime.loaded.config.slos]


async def get_slo(runtime: RuntimeDep, _: Viewer, name: str) -> SloDetailOut:
    """One SLO with its budget-burn series over the window and the alerts it raised."""
    return SloDetailOut(**await run_in_threadpool(detail, runtime, name))


def detail(runtime: Runtime, name: str) -> dict[str, Any]:
    """The status, budget series and alerts of one SLO (the API's and the page's read)."""
    config = runtime.loaded.config
    try:
        slo = find(config.slos, name)
    except UsageError:
        raise not_found("SLO", name) from None
    now, reader = runtime.clock.now(), Reader.of(runtime.store)
    rules = [r.name for r in config.alerts if r.slo == name]
    alerts = list_alerts(runtime.store, rules=rules, limit=RECENT_ALERTS) if rules else []
    return {
        **evaluate(slo, reader, now).as_json(),
        "series": [(at.isoformat(), share) for at, share in budget_series(slo, reader, now)],
        "alerts": [
            {
                "fingerprint": a.fingerprint,
                "name": a.name,
                "severity": a.severity,
                "state": a.state,
                "summary": a.summary,
                "since": _iso(a.firing_since or a.pending_since or a.updated_at),
            }
            for a in alerts
        ],
    }


def build() -> APIRouter:
    router = APIRouter(prefix="/api/slos", tags=["slos"], responses=AUTH_ERRORS)
    router.add_api_route("", get_slos, methods=["GET"], response_model=list[SloOut])
    router.add_api_route(
        "/{name}", get_slo, methods=["GET"], response_model=SloDetailOut, responses=NOT_FOUND
    )
    return router


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
