"""``/api/maintenance``: the configured maintenance windows and which checks are in one now."""

from __future__ import annotations

from fastapi import APIRouter

from golive.web.api.common import AUTH_ERRORS
from golive.web.api.models import MaintenanceOut, MaintenanceWindowOut
from golive.web.auth import RuntimeDep, Viewer


def list_maintenance(runtime: RuntimeDep, _: Viewer) -> MaintenanceOut:
    """Every window of the configuration; ``active_checks`` are those in it now."""
    active: dict[str, list[str]] = {}
    for check, window in sorted(runtime.maintenance().items()):
        active.setdefault(window, []).append(check)
    return MaintenanceOut(
        windows=[
            MaintenanceWindowOut(
                name=w.name,
                cron=w.cron,
                start=w.start,
                duration_s=w.duration.total_seconds(),
                components=w.components,
                checks=w.checks,
                message=w.message,
                active=w.name in active,
                active_checks=active.get(w.name, []),
            )
            for w in runtime.loaded.config.maintenance
        ]
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/maintenance", tags=["maintenance"], responses=AUTH_ERRORS)
    router.add_api_route("", list_maintenance, methods=["GET"], response_model=MaintenanceOut)
    return router
