"""The operator dashboard (login required): the overview of every check (``overview``), a
check's page (``check``), alerts and silences (``alerts``), the outbox, gate and maintenance
(``ops``), who is on call (``oncall``), load tests (``loadtests``), backups and drills
(``backups``), SLOs (``slos``), feature flags (``flags``), tokens and users (admin), and what
these pages share (``common``)."""

from __future__ import annotations

from fastapi import APIRouter

from golive.web.pages.dashboard import (
    alerts,
    backups,
    check,
    dora,
    flags,
    incidents,
    loadtests,
    oncall,
    ops,
    overview,
    slos,
    tokens,
    users,
)
from golive.web.pages.dashboard.page_cache import OverviewPages

__all__ = ["OverviewPages", "routers"]


def routers() -> list[APIRouter]:
    """Fresh routers of every dashboard page, the overview first (the most asked)."""
    pages = (
        overview,
        check,
        alerts,
        incidents,
        slos,
        ops,
        oncall,
        loadtests,
        backups,
        dora,
        flags,
        tokens,
        users,
    )
    return [m.build() for m in pages]
