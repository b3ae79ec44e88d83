"""Tables of `golive serve`: check state, rollups, alerts, silences, the outbox, API tokens.

Each index carries a comment naming the query that needs it. Times are UTC (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class CheckState(Base):
    """The current state of one check, as the engine's state machine decided it."""

    __tablename__ = "check_state"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # up | down | unknown
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_successes: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok: Mapped[bool | None]
    last_latency_ms: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_failed: Mapped[list[Any]] = mapped_column(default=list)


class Rollup(Base):
    """Runs, failures and a latency histogram of one check over one minute, hour or UTC day."""

    __tablename__ = "rollups"

    check: Mapped[str] = mapped_column(String(200), primary_key=True)
    resolution: Mapped[str] = mapped_column(String(8), primary_key=True)  # minute | hour | day
    bucket: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    runs: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer)
    latency_sum_ms: Mapped[float] = mapped_column(Float)
    latency_max_ms: Mapped[float] = mapped_column(Float)
    latency_hist: Mapped[list[Any]]  # counts per LATENCY_BOUNDS_MS bucket (+1 overflow)

    __table_args__ = (
        # uptime bars and charts: WHERE resolution = ? AND bucket >= ? (all checks)
        Index("ix_rollups_resolution_bucket", "resolution", "bucket"),
    )


class Alert(Base):
    """One alert (implicit per check, or from an `alerts:` rule), keyed by a stable fingerprint."""

    __tablename__ = "alerts"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(200))  # null for a check's implicit alert
    check: Mapped[str | None] = mapped_column(String(200))
    component: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16))  # pending | firing | resolved
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    firing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # error, failed, values
    silenced_by: Mapped[str | None] = mapped_column(String(200))  # silence:ID | maintenance:NAME
    inhibited_by: Mapped[str | None] = mapped_column(String(200))  # the DOWN dependency
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # the API and dashboard: WHERE state IN ('pending', 'firing')
        Index("ix_alerts_state", "state"),
    )


class AlertEvent(Base):
    """A transition of an alert; the notifier routes each one exactly once (``routed_at``)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    transition: Mapped[str] = mapped_column(String(16))  # pending | firing | resolved | repeat
    payload: Mapped[
        dict[str, Any]
    ]  # the alert as it was: name, check, severity, labels, summary ...
    routed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # the notifier: WHERE routed_at IS NULL ORDER BY id
        Index("ix_alert_events_unrouted", "routed_at", "id"),
        # an alert's history: WHERE fingerprint = ? ORDER BY at DESC
        Index("ix_alert_events_fingerprint", "fingerprint", "at"),
    )


class Silence(Base):
    """Alerts matching ``matchers`` are not notified between ``starts_at`` and ``ends_at``."""

    __tablename__ = "silences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matchers: Mapped[dict[str, Any]]  # {check?, component?, alert?, labels?: {k: v}}
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(Base):
    """The durable outbox: written before it is sent, claimed atomically, retried, never lost."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # alert | resolved | repeat | digest | test
    group_key: Mapped[str] = mapped_column(String(400), default="")
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # the same event is written once per channel, whatever retries or restarts happen
        UniqueConstraint("dedup_key", "channel", name="uq_notifications_dedup"),
        # the deliverer: WHERE status IN ('pending','sending') AND next_attempt_at <= ?
        Index("ix_notifications_due", "status", "next_attempt_at"),
    )


class Token(Base):
    """An API token; only its SHA-256 is kept."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | operator | viewer
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
