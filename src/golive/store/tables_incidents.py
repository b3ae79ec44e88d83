"""Tables of the incidents stage: incidents, their alerts and timeline, escalation state, the
notifications each incident sent, used one-click links, and the alert-event cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class Incident(Base):
    """One incident, opened by an alert or by hand."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(
        String(16)
    )  # triggered | acknowledged | mitigated | resolved
    component: Mapped[str | None] = mapped_column(String(200))
    components: Mapped[list[Any]] = mapped_column(default=list)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    group_key: Mapped[str | None] = mapped_column(String(400))
    policy: Mapped[str | None] = mapped_column(String(200))
    channels: Mapped[list[Any]] = mapped_column(default=list)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(200))
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # joining an alert to the open incident of its group: WHERE group_key = ? AND state != ?
        Index("ix_incidents_group", "group_key", "state"),
        # lists and stats: WHERE opened_at >= ? ORDER BY opened_at
        Index("ix_incidents_opened", "opened_at"),
    )


class IncidentAlert(Base):
    """An alert that joined an incident."""

    __tablename__ = "incident_alerts"

    incident_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (
        # an alert resolving: WHERE fingerprint = ?
        Index("ix_incident_alerts_fingerprint", "fingerprint"),
    )


class IncidentEvent(Base):
    """The timeline: every event of an incident, with its time and actor."""

    __tablename__ = "incident_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        # an incident's timeline: WHERE incident_id = ? ORDER BY at, id
        Index("ix_incident_timeline_incident", "incident_id", "at"),
    )


class Escalation(Base):
    """An incident's escalation: the next step (of which round) and when it is due."""

    __tablename__ = "incident_escalations"

    incident_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy: Mapped[str] = mapped_column(String(200))
    round: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stop_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        # the escalation tick: WHERE stopped_at IS NULL AND next_at <= ?
        Index("ix_incident_escalations_due", "stopped_at", "next_at"),
    )


class IncidentNotification(Base):
    """An outbox row an incident wrote, and the outcome its timeline already tells."""

    __tablename__ = "incident_notifications"

    notification_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer)
    told: Mapped[str] = mapped_column(String(16))  # the outbox status the timeline last told

    __table_args__ = (
        # the outcome sync and cancelling on ack: WHERE told IN ('pending', 'sending')
        Index("ix_incident_notifications_told", "told"),
    )


class UsedLink(Base):
    """A one-click link that was used (its nonce): a second use is refused."""

    __tablename__ = "incident_links_used"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentMeta(Base):
    """Small named values of the stage: the alert-event cursor, the link signing key."""

    __tablename__ = "incident_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
