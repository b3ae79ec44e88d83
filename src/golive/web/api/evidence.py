"""``/api/evidence``: what golive measured, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from golive.store import history
from golive.web.api.common import AUTH_ERRORS, Limit, Offset, evidence_out, next_offset
from golive.web.api.inputs import OptionalTimestamp
from golive.web.api.models import EvidenceOut, Page
from golive.web.auth import RuntimeDep, Viewer


def list_evidence(
    runtime: RuntimeDep,
    _: Viewer,
    subject: Annotated[
        str | None, Query(min_length=1, max_length=200, description="a check name, for probes")
    ] = None,
    kind: Annotated[
        str | None, Query(min_length=1, max_length=40, description="probe, loadtest, ...")
    ] = None,
    ok: bool | None = None,
    since: OptionalTimestamp = None,
    until: OptionalTimestamp = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[EvidenceOut]:
    """Evidence records, optionally of one subject or kind, one verdict, a time range."""
    found = history.evidence(
        runtime.store,
        subject=subject,
        kind=kind,
        ok=ok,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    now = runtime.clock.now()
    return Page[EvidenceOut](
        items=[evidence_out(runtime, row, now) for row in found.items],
        limit=limit,
        offset=offset,
        next_offset=next_offset(offset, len(found.items), found.more),
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/evidence", tags=["evidence"], responses=AUTH_ERRORS)
    router.add_api_route("", list_evidence, methods=["GET"], response_model=Page[EvidenceOut])
    return router
