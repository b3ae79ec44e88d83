"""``/api/oncall``: who is on call now (or ``?at=``) and next, per schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from golive.incidents.oncall import now_and_next
from golive.web.api.common import AUTH_ERRORS
from golive.web.api.inputs import OptionalTimestamp
from golive.web.auth import RuntimeDep, Viewer

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # far from the ends of what datetime can hold,
LATEST = datetime(9000, 1, 1, tzinfo=UTC)  # so shift arithmetic around them cannot overflow


class OnCallScheduleOut(BaseModel):
    schedule: str
    timezone: str
    person: str
    override: bool
    since: datetime
    until: datetime
    next: str | None
    next_until: datetime | None


class OnCallOut(BaseModel):
    at: datetime
    schedules: list[OnCallScheduleOut]


def who_is_on_call(
    runtime: RuntimeDep,
    _: Viewer,
    at: Annotated[OptionalTimestamp, Query(description="default: now")] = None,
) -> OnCallOut:
    """Each schedule's person on call at ``at`` (default now); ``at`` in the answer is the
    instant answered for: times before 1900 or after 9000 are answered at those years."""
    instant = min(max(runtime.clock.now() if at is None else at, EARLIEST), LATEST)
    holders = now_and_next(runtime.loaded.config.oncall, instant)
    return OnCallOut(
        at=instant,
        schedules=[
            OnCallScheduleOut(
                schedule=h.schedule,
                timezone=h.timezone,
                person=h.person,
                override=h.override,
                since=h.since,
                until=h.until,
                next=h.next_person,
                next_until=h.next_until,
            )
            for h in holders
        ],
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/oncall", tags=["oncall"], responses=AUTH_ERRORS)
    router.add_api_route("", who_is_on_call, methods=["GET"], response_model=OnCallOut)
    return router
