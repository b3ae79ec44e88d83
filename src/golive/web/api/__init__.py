"""The JSON API under ``/api/``: one router module per resource, each with ``build()``."""

from __future__ import annotations

from fastapi import APIRouter

from golive.web.api import (
    alerts,
    checks,
    cluster,
    evidence,
    flags,
    gate,
    incidents,
    maintenance,
    metrics,
    notifications,
    oncall,
    reload,
    results,
    silences,
    slos,
    tokens,
)

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """A fresh router per resource (built per app, never shared between apps)."""
    modules = (
        checks,
        results,
        alerts,
        silences,
        maintenance,
        evidence,
        notifications,
        oncall,
        gate,
        incidents,
        flags,
        tokens,
        reload,
        slos,
        metrics,
        cluster,
    )
    return [module.build() for module in modules]
