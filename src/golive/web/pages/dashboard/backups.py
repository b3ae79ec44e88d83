"""``/backups``: each configured backup with its catalog entries, its last restore drill (every
check) and what breaks its rpo / rto now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from golive.backup.health import problems
from golive.records import DRILL_EVIDENCE
from golive.store.backups import backups
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page

PER_BACKUP = 20


def backups_page(request: Request, user: PageUser) -> HTMLResponse:
    """Backups and drills per name, newest first."""
    runtime = get_runtime(request)
    loaded, store = runtime.loaded, runtime.store
    now = runtime.clock.now()
    named: list[dict[str, Any]] = []
    for spec in loaded.config.backups:
        entries = backups(store, loaded.environment, name=spec.name)
        drill = store.latest(DRILL_EVIDENCE, spec.name)
        named.append(
            {
                "spec": spec,
                "entries": entries[:PER_BACKUP],
                "total": len(entries),
                "drill": drill,
                "checks": loaded.secrets.redact_data(drill.values.get("checks", []))
                if drill
                else [],
                "problems": [loaded.secrets.redact(p) for p in problems(spec, entries, drill, now)],
            }
        )
    return page(request, user, "dashboard/backups.html", current="/backups", named=named)


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/backups", backups_page, methods=["GET"], response_class=HTMLResponse)
    return router
