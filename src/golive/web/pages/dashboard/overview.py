"""``/``: the operator dashboard's overview of every check (login required).

Filters (``state``, ``component``, ``q``: text in the name, description or component) and
server-side pages (``limit``, default 100, at most 500; ``offset``). ``?fragment=1`` answers
just the table (``static/dashboard.js`` fetches it every 10 s and swaps it in).

Built to stay fast at 10,000 checks with many operators looking (``Overview``, per app):

- a **snapshot** of every check's state (counts per state, the list of components) is taken
  at most every ``SNAPSHOT_TTL`` seconds: one pass over the configured checks;
- each **table** (filters and page) is rendered once per snapshot and shared by every
  signed-in user asking for it (it holds nothing personal: no form, no token); the page
  around it (navigation, user, CSRF token) is rendered per request;
- what is fresh is answered on the event loop, and so is the previous value while one worker
  thread computes the next (never a queue of threads doing the same work).
So what the overview shows is at most about ``SNAPSHOT_TTL + TABLE_TTL`` seconds old.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from golive.config import LoadedConfig
from golive.config.checks import CheckBase
from golive.records import CheckStatus
from golive.store import history
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page
from golive.web.pages.framework import Memo, html_response, pages_of
from golive.web.pages.sparkline import sparkline
from golive.web.runtime import Runtime

PAGE_SIZE = 100
MAX_PAGE = 500
STATES = ("up", "degraded", "down", "maintenance", "unknown")
SNAPSHOT_TTL = 1.0  # seconds
TABLE_TTL = 1.0  # seconds
MAX_TABLES = 256  # distinct filter/page combinations kept


@dataclass(frozen=True)
class Row:
    name: str
    component: str | None
    description: str
    state: str
    since: datetime | None
    latency_ms: float | None
    error: str | None
    maintenance: str | None
    spark: Markup


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Every configured check with its state, at one moment."""

    loaded: LoadedConfig
    live: Mapping[str, CheckStatus]
    states: Mapping[str, str]
    counts: Counter[str]
    components: tuple[str, ...]


def take_snapshot(runtime: Runtime) -> Snapshot:
    loaded, live = runtime.loaded, runtime.statuses()
    states = {c.name: _state(live.get(c.name)) for c in loaded.config.checks}
    components = sorted({c.component for c in loaded.config.checks if c.component})
    return Snapshot(loaded, live, states, Counter(states.values()), tuple(components))


Filters = tuple[str | None, str | None, str | None, int, int]  # state, component, q, limit, offset


class Overview:
    """The overview's caches of one app (see the module docstring): one snapshot, and one
    table per filters and page (at most ``MAX_TABLES``), each computed by one thread at a time
    while the others answer from the value it replaces."""

    def __init__(self) -> None:
        self.snapshot: Memo[Snapshot] = Memo(ttl=SNAPSHOT_TTL)
        self._tables: dict[Filters, Memo[Markup]] = {}
        self._lock = threading.Lock()

    def table(self, filters: Filters) -> Memo[Markup]:
        memo = self._tables.get(filters)
        if memo is None:
            with self._lock:
                if len(self._tables) >= MAX_TABLES:
                    self._tables.clear()
                memo = self._tables.setdefault(filters, Memo(ttl=TABLE_TTL))
        return memo


async def overview(
    request: Request,
    user: PageUser,
    state: Annotated[str | None, Query(max_length=20)] = None,
    component: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    fragment: bool = False,
) -> Response:
    """Every check with its state, filtered and paged."""
    runtime, cache = get_runtime(request), overview_cache(request)
    filters: Filters = (state or None, component or None, (q or "").strip() or None, limit, offset)
    loaded, tick = runtime.loaded, runtime.clock.monotonic()
    snapshot = await cache.snapshot.aget(loaded, lambda: take_snapshot(runtime), now=tick)
    table = await cache.table(filters).aget(
        snapshot, lambda: _table(request, runtime, snapshot, filters), now=tick
    )
    if fragment:
        return html_response(table)
    context: dict[str, Any] = {
        "table_html": table,
        "states": STATES,
        "components": snapshot.components,
        "filters": _filter_params(filters),
        "fragment_url": _url(_filter_params(filters), offset, fragment=True),
    }
    return page(request, user, "dashboard/overview.html", current="/", **context)


def overview_cache(request: Request) -> Overview:
    cache: Overview = request.app.state.overview
    return cache


def _filter_params(filters: Filters) -> dict[str, Any]:
    state, component, q, limit, _ = filters
    return {"state": state, "component": component, "q": q, "limit": limit}


def _table(request: Request, runtime: Runtime, snapshot: Snapshot, filters: Filters) -> Markup:
    state, component, q, limit, offset = filters
    checks = list(snapshot.loaded.config.checks)
    if component is not None:
        checks = [c for c in checks if c.component == component]
    if q is not None:
        needle = q.casefold()
        checks = [c for c in checks if needle in _haystack(c)]
    if state is not None:
        checks = [c for c in checks if snapshot.states[c.name] == state]
    shown = checks[offset : offset + limit]
    params = _filter_params(filters)
    html = pages_of(request).render_text(
        request,
        "dashboard/checks_table.html",
        rows=_rows(runtime, shown, snapshot.live),
        all_total=len(snapshot.states),
        counts=snapshot.counts,
        states=STATES,
        total=len(checks),
        offset=offset,
        prev_url=_url(params, max(0, offset - limit)) if offset > 0 else None,
        next_url=_url(params, offset + limit) if offset + limit < len(checks) else None,
        now=runtime.clock.now(),
    )
    return Markup(html)


def _rows(runtime: Runtime, shown: list[CheckBase], live: Mapping[str, CheckStatus]) -> list[Row]:
    statuses = {c.name: live[c.name] for c in shown if c.name in live}
    missing = [c.name for c in shown if c.name not in statuses]
    if missing:
        statuses.update(history.check_states(runtime.store, missing))
    in_maintenance = runtime.maintenance()
    recent = runtime.recent_latencies(c.name for c in shown)
    secrets = runtime.loaded.secrets
    rows = []
    for check in shown:
        status = statuses.get(check.name)
        rows.append(
            Row(
                name=check.name,
                component=check.component,
                description=check.description,
                state=_state(status),
                since=status.since if status else None,
                latency_ms=status.last_latency_ms if status else None,
                error=secrets.redact(status.last_error) if status and status.last_error else None,
                maintenance=in_maintenance.get(check.name),
                spark=sparkline(recent.get(check.name, ())),
            )
        )
    return rows


def _state(status: CheckStatus | None) -> str:
    return status.state if status else "unknown"


def _haystack(check: CheckBase) -> str:
    return " ".join((check.name, check.description, check.component or "")).casefold()


def _url(filters: Mapping[str, object], offset: int, *, fragment: bool = False) -> str:
    params = {k: v for k, v in filters.items() if v is not None and v != ""}
    if params.get("limit") == PAGE_SIZE:
        params.pop("limit")
    if offset:
        params["offset"] = offset
    if fragment:
        params["fragment"] = 1
    return "/" + (f"?{urlencode(params)}" if params else "")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/", overview, methods=["GET"], response_class=HTMLResponse)
    return router
