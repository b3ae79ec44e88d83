"""What the routers share: paging parameters, 404s, redaction at output, evidence shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import HTTPException, Query

from golive.store.history import StoredEvidence
from golive.web.api.models import EvidenceOut
from golive.web.errors import ErrorBody
from golive.web.runtime import Runtime

MAX_LIMIT = 500
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]

Responses = dict[int | str, dict[str, Any]]
AUTH_ERRORS: Responses = {  # what every API route may answer
    401: {"model": ErrorBody, "description": "no valid token"},
    403: {"model": ErrorBody, "description": "the token's role is too small"},
    422: {"model": ErrorBody, "description": "the request breaks the schema: see problems"},
    429: {"model": ErrorBody, "description": "rate limit exceeded (see Retry-After)"},
    503: {"model": ErrorBody, "description": "the store is unavailable"},
}
NOT_FOUND: Responses = {404: {"model": ErrorBody, "description": "no such"}}
BODY_ERRORS: Responses = {400: {"model": ErrorBody, "description": "the body is not JSON"}}


def conflict(description: str) -> Responses:
    return {409: {"model": ErrorBody, "description": description}}


def next_offset(offset: int, shown: int, more: bool) -> int | None:
    return offset + shown if more else None


def not_found(what: str, name: object) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no {what} {name!r}")


def redacted(runtime: Runtime, data: Any) -> Any:
    """``data`` with the configuration's secrets masked (defence in depth: the engine and the
    notifier redact before storing; this catches whatever slipped through)."""
    return runtime.loaded.secrets.redact_data(data)


def evidence_out(runtime: Runtime, row: StoredEvidence, now: datetime) -> EvidenceOut:
    return EvidenceOut(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        environment=row.environment,
        ok=row.ok,
        taken_at=row.taken_at,
        expires_at=row.expires_at,
        fresh=row.expires_at > now,
        latency_ms=row.latency_ms,
        error=redacted(runtime, row.error),
        values=redacted(runtime, row.values),
        failed=redacted(runtime, row.failed),
    )
