"""``/api/notifications``: the outbox, newest first, with counts by status.

The outbox only grows, so it pages by id (``before_id``) rather than by offset."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from golive.store import outbox
from golive.web.api.common import AUTH_ERRORS, Limit, Text, redacted
from golive.web.api.models import NotificationOut, NotificationPage
from golive.web.auth import RuntimeDep, Viewer

Status = Literal["pending", "sending", "delivered", "failed"]


def list_notifications(
    runtime: RuntimeDep,
    _: Viewer,
    status: Status | None = None,
    channel: Text = None,
    before_id: Annotated[
        int | None, Query(ge=1, description="only rows older than this id (the next page)")
    ] = None,
    limit: Limit = 100,
) -> NotificationPage:
    """Notifications (optionally of one status or channel) and the whole outbox's counts."""
    found = outbox.list_notifications(
        runtime.store, status=status, channel=channel, before_id=before_id, limit=limit + 1
    )
    shown = found[:limit]
    return NotificationPage(
        items=[
            NotificationOut(
                id=n.id,
                dedup_key=n.dedup_key,
                channel=n.channel,
                kind=n.kind,
                group_key=n.group_key,
                title=redacted(runtime, n.title),
                body=redacted(runtime, n.body),
                payload=redacted(runtime, n.payload),
                status=n.status,
                attempts=n.attempts,
                next_attempt_at=n.next_attempt_at,
                last_error=redacted(runtime, n.last_error),
                created_at=n.created_at,
                delivered_at=n.delivered_at,
            )
            for n in shown
        ],
        limit=limit,
        next_before_id=shown[-1].id if len(found) > limit else None,
        counts=outbox.counts_by_status(runtime.store),
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/notifications", tags=["notifications"], responses=AUTH_ERRORS)
    router.add_api_route("", list_notifications, methods=["GET"], response_model=NotificationPage)
    return router
