"""The shapes the API answers and accepts (they are what OpenAPI documents).

Times are ISO 8601 in UTC. Listings are ``{"items": [...], "limit", "offset", "next_offset"}``;
``next_offset`` is null on the last page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from golive.store.tokens import Role
from golive.web.api.inputs import NOT_BLANK, Name, OptionalDuration, OptionalName, OptionalTimestamp

T = TypeVar("T")
CheckState = Literal["up", "down", "unknown"]
AlertState = Literal["pending", "firing", "resolved"]
SilenceState = Literal["scheduled", "active", "expired"]


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(description="the offset of the next page; null on the last")


# -- checks ------------------------------------------------------------------------------------


class CheckOut(BaseModel):
    name: str
    component: str | None
    kind: str = Field(description="the probe kind: http, tcp, tls, dns, postgres, redis ...")
    description: str
    severity: str
    labels: dict[str, str]
    runbook: str | None
    state: CheckState
    since: datetime | None = Field(description="when the check entered its state; null if never")
    maintenance: str | None = Field(description="the maintenance window it is in now, if any")
    last_run_at: datetime | None
    last_ok: bool | None
    last_latency_ms: float | None
    last_error: str | None
    consecutive_failures: int
    consecutive_successes: int


class CheckList(BaseModel):
    checks: dict[str, CheckOut] = Field(description="by name, in configuration order")
    total: int = Field(description="checks matching the filters, on all pages")
    limit: int
    offset: int
    next_offset: int | None


class EvidenceOut(BaseModel):
    id: int
    kind: str
    subject: str
    environment: str
    ok: bool
    taken_at: datetime
    expires_at: datetime
    fresh: bool = Field(description="whether it still counts (expires_at is in the future)")
    latency_ms: float | None
    error: str | None
    values: dict[str, Any] = Field(description="the measured fields (empty for a repeated pass)")
    failed: list[Any] = Field(description="the expectations that did not hold, with values")


class RollupOut(BaseModel):
    bucket: datetime
    runs: int
    failures: int
    uptime: float | None = Field(description="successful runs / runs (null without runs)")
    latency_avg_ms: float | None
    latency_max_ms: float
    latency_hist: list[int] = Field(description="runs per latency_bounds_ms bucket, +1 overflow")


class Rollups(BaseModel):
    check: str
    resolution: Literal["minute", "hour"]
    start: datetime
    end: datetime
    latency_bounds_ms: list[float]
    runs: int
    failures: int
    uptime: float | None
    buckets: list[RollupOut]


class CheckDetail(CheckOut):
    last_failed: list[Any]
    last_result: EvidenceOut | None = Field(description="the newest evidence")
    evidence: list[EvidenceOut] = Field(description="the newest 50 evidence records")
    rollups: Rollups = Field(description="hourly rollups of the last 24 hours")


# -- alerts and silences ---------------------------------------------------------------------


class AlertOut(BaseModel):
    fingerprint: str
    name: str
    rule: str | None
    check: str | None
    component: str | None
    severity: str
    labels: dict[str, str]
    state: AlertState
    pending_since: datetime | None
    firing_since: datetime | None
    resolved_at: datetime | None
    summary: str
    details: dict[str, Any]
    silenced_by: str | None
    inhibited_by: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    last_notified_at: datetime | None
    updated_at: datetime | None


class AlertEventOut(BaseModel):
    id: int
    at: datetime
    transition: str
    payload: dict[str, Any]
    routed_at: datetime | None


class AlertDetail(AlertOut):
    history: list[AlertEventOut] = Field(description="transitions, newest first (up to 100)")


class SilenceMatchers(BaseModel):
    """Which alerts a silence covers: every given matcher must match (at least one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["check"]},
                {"required": ["component"]},
                {"required": ["alert"]},
                {"required": ["labels"], "properties": {"labels": {"minProperties": 1}}},
            ]
        },
    )

    check: OptionalName = None
    component: OptionalName = None
    alert: OptionalName = None
    labels: dict[Name, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something(self) -> SilenceMatchers:
        if self.check is None and self.component is None and self.alert is None and not self.labels:
            raise ValueError("a silence needs at least one of check, component, alert or labels")
        return self


class SilenceCreate(BaseModel):
    """Exactly one of ``ends_at`` and ``duration`` (such as "2h"); ``starts_at`` defaults to
    now. The rules the schema cannot state (known names, something matched, an end after the
    start and in the future) are ``golive.alerts.create_silence``'s; a refusal is a 409 with
    its reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["duration"]}, {"required": ["ends_at"]}],
            "examples": [
                {"matchers": {"check": "redis"}, "duration": "2h", "reason": "failover drill"}
            ],
        },
    )

    matchers: SilenceMatchers
    reason: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK)
    starts_at: OptionalTimestamp = None
    ends_at: OptionalTimestamp = None
    duration: OptionalDuration = None

    @model_validator(mode="after")
    def _one_end(self) -> SilenceCreate:
        if (self.duration is None) == (self.ends_at is None):
            raise ValueError("give exactly one of duration or ends_at")
        return self


class SilenceOut(BaseModel):
    id: int
    matchers: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    reason: str
    created_at: datetime
    expired_at: datetime | None
    state: SilenceState


# -- maintenance, notifications, tokens, reload, health ------------------------------------


class MaintenanceWindowOut(BaseModel):
    name: str
    cron: str | None
    start: datetime | None
    duration_s: float
    components: list[str]
    checks: list[str]
    message: str
    active: bool = Field(description="whether some check is in this window now")
    active_checks: list[str]


class MaintenanceOut(BaseModel):
    windows: list[MaintenanceWindowOut]


class NotificationOut(BaseModel):
    id: int
    dedup_key: str
    channel: str
    kind: str
    group_key: str
    title: str
    body: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    limit: int
    next_before_id: int | None = Field(
        description="``before_id`` of the next page; null on the last"
    )
    counts: dict[str, int] = Field(description="the whole outbox by status")


class TokenOut(BaseModel):
    id: int
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


class TokenCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "grafana", "role": "viewer"}]}
    )

    name: Name
    role: Role


class TokenCreated(TokenOut):
    token: str = Field(description="the token itself: shown this once, only its hash is kept")


class ReloadOut(BaseModel):
    ok: bool
    message: str


class Health(BaseModel):
    status: Literal["ok", "unavailable", "failing"]
    reason: str | None = None  # why it is failing: since when writes fail, and the error
