"""Queries of rollouts: start one (one active per name), read, write with the rev read (a
compare-and-set, so two processes never both move a rollout), events, history."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.exceptions import StoreError, UsageError
from golive.records.rollouts import FINISHED, Notice, RolloutEvent, RolloutView
from golive.store import outbox
from golive.store.outbox import NewNotification
from golive.store.store import Store
from golive.store.tables_rollouts import RolloutEventRow, RolloutRow

_FIELDS = tuple(f for f in RolloutView.__dataclass_fields__)
_TABLE = RolloutRow.__table__


def start_rollout(
    store: Store,
    *,
    name: str,
    strategy: str,
    version: str,
    commit: str | None,
    targets: list[str],
    stable: list[str],
    now: datetime,
) -> RolloutView:
    """A new pending rollout; ``UsageError`` when one of ``name`` is still active."""
    values = {
        "name": name,
        "active_name": name,
        "strategy": strategy,
        "state": "pending",
        "version": version,
        "commit": commit,
        "targets": list(targets),
        "stable": list(stable),
        "step": 0,
        "percent": 0,
        "paused": False,
        "request": None,
        "started_at": now,
        "step_started_at": None,
        "updated_at": now,
        "finished_at": None,
        "reason": "",
        "log_offset": 0,
        "rev": 0,
    }
    try:
        with store.writing("start a rollout") as connection:
            found = connection.execute(insert(RolloutRow).values(**values))
            key = found.inserted_primary_key
            assert key is not None
            rollout_id = int(key[0])
    except StoreError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            active = active_rollout(store, name)
            since = f" (#{active.id}, {active.state}, version {active.version})" if active else ""
            raise UsageError(
                f"rollout {name} is already running{since}: wait for it, or "
                f"`golive rollout abort {name}`"
            ) from exc
        raise
    found_view = rollout_by_id(store, rollout_id)
    assert found_view is not None
    return found_view


def _view(row: RowMapping) -> RolloutView:
    data = {k: row[k] for k in _FIELDS}
    data["targets"] = tuple(row["targets"])
    data["stable"] = tuple(row["stable"])
    return RolloutView(**data)


def rollout_by_id(store: Store, rollout_id: int) -> RolloutView | None:
    with store.reading("read a rollout") as connection:
        row = connection.execute(select(_TABLE).where(RolloutRow.id == rollout_id))
        found = row.mappings().first()
    return _view(found) if found else None


def active_rollout(store: Store, name: str) -> RolloutView | None:
    with store.reading("read the active rollout") as connection:
        row = connection.execute(select(_TABLE).where(RolloutRow.active_name == name))
        found = row.mappings().first()
    return _view(found) if found else None


def active_rollouts(store: Store) -> list[RolloutView]:
    with store.reading("read active rollouts") as connection:
        rows = connection.execute(
            select(_TABLE).where(RolloutRow.active_name.is_not(None)).order_by(RolloutRow.id)
        )
        return [_view(row) for row in rows.mappings()]


def latest_rollout(store: Store, name: str) -> RolloutView | None:
    with store.reading("read the latest rollout") as connection:
        row = connection.execute(
            select(_TABLE).where(RolloutRow.name == name).order_by(RolloutRow.id.desc())
        )
        found = row.mappings().first()
    return _view(found) if found else None


def rollout_history(store: Store, name: str | None = None, *, limit: int = 50) -> list[RolloutView]:
    query = select(_TABLE).order_by(RolloutRow.id.desc()).limit(limit)
    if name is not None:
        query = query.where(RolloutRow.name == name)
    with store.reading("read rollout history") as connection:
        return [_view(row) for row in connection.execute(query).mappings()]


def save_rollout(store: Store, new: RolloutView, *, read_rev: int) -> RolloutView | None:
    """Write ``new`` if the row is still at ``read_rev``; None when another process moved it."""
    values = {k: getattr(new, k) for k in _FIELDS if k not in ("id", "rev")}
    values["targets"] = list(new.targets)
    values["stable"] = list(new.stable)
    values["active_name"] = None if new.state in FINISHED else new.name
    with store.writing("write a rollout") as connection:
        done = connection.execute(
            update(RolloutRow)
            .where(RolloutRow.id == new.id, RolloutRow.rev == read_rev)
            .values(**values, rev=read_rev + 1)
        )
    return replace(new, rev=read_rev + 1) if done.rowcount == 1 else None


def add_event(store: Store, event: RolloutEvent, notice: Notice | None = None) -> int:
    """Write ``event`` and, in the same transaction, ``notice``'s outbox rows (keyed by the
    event, so each event is told once per channel); the event's id."""
    with store.writing("write a rollout event") as connection:
        found = connection.execute(
            insert(RolloutEventRow).values(
                rollout_id=event.rollout_id,
                at=event.at,
                kind=event.kind,
                message=event.message,
                data=dict(event.data),
            )
        )
        key = found.inserted_primary_key
        assert key is not None
        event_id = int(key[0])
        if notice is not None:
            mark = f"rollout\x1f{event.rollout_id}\x1f{event_id}\x1f{event.at.isoformat()}"
            dedup = hashlib.sha256(mark.encode()).hexdigest()
            for channel in notice.channels:
                row = NewNotification(
                    dedup_key=dedup,
                    channel=channel,
                    kind="rollout",
                    title=notice.title,
                    body=notice.body,
                    group_key=notice.group_key,
                    payload={
                        "type": notice.notify_type,
                        "rollout_id": event.rollout_id,
                        "event": event.kind,
                    },
                )
                outbox.enqueue(connection, row, event.at)
    return event_id


def rollout_events(store: Store, rollout_id: int) -> list[RolloutEvent]:
    with store.reading("read rollout events") as connection:
        rows = connection.execute(
            select(RolloutEventRow)
            .where(RolloutEventRow.rollout_id == rollout_id)
            .order_by(RolloutEventRow.id)
        )
        return [
            RolloutEvent(r["rollout_id"], r["at"], r["kind"], r["message"], r["data"])
            for r in rows.mappings()
        ]
