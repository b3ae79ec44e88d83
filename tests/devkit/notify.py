"""Writing alerts and their events as the alerts engine does, and building configs."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from golive.config.root import ConfigBase
from golive.store import Store
from golive.store.tables_monitor import Alert, AlertEvent, Notification


def make_config(
    channels: dict[str, str],
    routes: list[dict[str, Any]],
    *,
    public_url: str | None = None,
    reports: dict[str, Any] | None = None,
    **notify: Any,
) -> ConfigBase:
    return ConfigBase.model_validate(
        {
            "version": 1,
            "project": "parkwise",
            "server": {"public_url": public_url},
            "notify": {
                "channels": [{"name": name, "url": url} for name, url in channels.items()],
                "routes": routes,
                **notify,
            },
            "reports": reports or {},
        }
    )


class Alerts:
    """The reading side's view of the alerts engine: alert rows plus one event per transition."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def fire(
        self,
        name: str,
        at: datetime,
        *,
        severity: str = "high",
        component: str | None = "API",
        labels: dict[str, str] | None = None,
        **extra: Any,
    ) -> str:
        """An alert goes firing (its row is created or updated, and a `firing` event written)."""
        fingerprint = hashlib.sha256(name.encode()).hexdigest()[:16]
        row = {
            "name": name,
            "rule": None,
            "check": extra.pop("check", name),
            "component": component,
            "severity": severity,
            "labels": labels or {},
            "state": "firing",
            "firing_since": at,
            "resolved_at": None,
            "summary": extra.pop("summary", f"{name} is failing"),
            "details": extra.pop("details", {}),
            "silenced_by": extra.get("silenced_by"),
            "inhibited_by": extra.get("inhibited_by"),
            "updated_at": at,
        }
        with self.store.engine.begin() as connection:
            exists = connection.execute(
                select(Alert.fingerprint).where(Alert.fingerprint == fingerprint)
            ).first()
            if exists:
                connection.execute(
                    update(Alert).where(Alert.fingerprint == fingerprint).values(**row)
                )
            else:
                connection.execute(insert(Alert).values(fingerprint=fingerprint, **row))
        self.event(fingerprint, "firing", at, **extra)
        return fingerprint

    def resolve(self, fingerprint: str, at: datetime, **extra: Any) -> None:
        self._update(fingerprint, state="resolved", resolved_at=at, updated_at=at)
        self.event(fingerprint, "resolved", at, **extra)

    def acknowledge(self, fingerprint: str, by: str, at: datetime) -> None:
        self._update(fingerprint, acknowledged_by=by, acknowledged_at=at)

    def event(self, fingerprint: str, transition: str, at: datetime, **extra: Any) -> int:
        """An event whose payload is the alert as it is now, plus ``extra``."""
        with self.store.engine.begin() as connection:
            alert = connection.execute(select(Alert).where(Alert.fingerprint == fingerprint)).one()
            payload = {
                "fingerprint": fingerprint,
                "name": alert.name,
                "rule": alert.rule,
                "check": alert.check,
                "component": alert.component,
                "severity": alert.severity,
                "labels": alert.labels,
                "state": transition,
                "since": (alert.firing_since or at).isoformat(),
                "summary": alert.summary,
                "details": alert.details,
                "runbook": None,
                "silenced_by": None,
                "inhibited_by": None,
                "affected": [],
                "reason": "",
                **extra,
            }
            return int(
                connection.execute(
                    insert(AlertEvent)
                    .values(fingerprint=fingerprint, at=at, transition=transition, payload=payload)
                    .returning(AlertEvent.id)
                ).scalar_one()
            )

    def _update(self, fingerprint: str, **values: Any) -> None:
        with self.store.engine.begin() as connection:
            connection.execute(
                update(Alert).where(Alert.fingerprint == fingerprint).values(**values)
            )

    def last_notified(self, fingerprint: str) -> datetime | None:
        with self.store.engine.connect() as connection:
            return connection.execute(
                select(Alert.last_notified_at).where(Alert.fingerprint == fingerprint)
            ).scalar()

    def unrouted(self) -> int:
        with self.store.engine.connect() as connection:
            return len(
                connection.execute(
                    select(AlertEvent.id).where(AlertEvent.routed_at.is_(None))
                ).all()
            )


def outbox_rows(store: Store) -> list[Any]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(Notification).order_by(Notification.id)).all())


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
