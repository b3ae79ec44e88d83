"""Queries of the scaled wiring: workers append probe results to the inbox, the evaluator
reads them after a cursor and deletes them when it has stored what it made of them; each
worker's heartbeat row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from golive.store.store import Store
from golive.store.tables_scale import ProbeResultRow, WorkerRow


@dataclass(frozen=True)
class InboxEntry:
    """One region's run of one check, as a worker wrote it (``payload``: the result's dict)."""

    check: str
    region: str
    dispatch: str
    payload: dict[str, Any]
    taken_at: datetime
    received_at: datetime
    id: int = 0  # given by the store


@dataclass(frozen=True)
class WorkerBeat:
    """A worker's heartbeat: who it is, and its counts since it started."""

    name: str
    region: str
    pid: int
    concurrency: int
    started_at: datetime
    seen_at: datetime
    runs: int = 0
    failures: int = 0


def add_results(store: Store, entries: Sequence[InboxEntry]) -> None:
    """Append ``entries`` to the inbox in one transaction."""
    if not entries:
        return
    rows = [{k: v for k, v in vars(e).items() if k != "id"} for e in entries]
    with store.writing("write probe results") as connection:
        connection.execute(insert(ProbeResultRow), rows)


def inbox_ids(store: Store, *, limit: int = 50_000) -> list[int]:
    """The ids of the inbox's rows, oldest first (cheap: the rows a reader has not seen are
    those it picks from these)."""
    statement = select(ProbeResultRow.id).order_by(ProbeResultRow.id).limit(limit)
    with store.reading("read probe results") as connection:
        return list(connection.execute(statement).scalars())


def read_results(
    store: Store, *, after: int = 0, ids: Sequence[int] | None = None, limit: int = 2_000
) -> list[InboxEntry]:
    """The inbox's rows with an id above ``after`` (or those of ``ids``), oldest first."""
    table = ProbeResultRow.__table__
    where = ProbeResultRow.id > after if ids is None else ProbeResultRow.id.in_(list(ids))
    statement = select(table).where(where).order_by(ProbeResultRow.id).limit(limit)
    with store.reading("read probe results") as connection:  # columns named as its fields
        return [InboxEntry(**row) for row in connection.execute(statement).mappings()]


def delete_results(connection: Connection, ids: Sequence[int]) -> None:
    """Remove consumed inbox rows (inside the caller's transaction)."""
    for start in range(0, len(ids), 1_000):
        chunk = list(ids[start : start + 1_000])
        connection.execute(delete(ProbeResultRow).where(ProbeResultRow.id.in_(chunk)))


def beat(store: Store, worker: WorkerBeat) -> None:
    """Write ``worker``'s heartbeat (its row is created on the first one)."""
    values = vars(worker)
    with store.writing("write the worker heartbeat") as connection:
        changed = connection.execute(
            update(WorkerRow).where(WorkerRow.name == worker.name).values(**values)
        ).rowcount
        if not changed:
            connection.execute(insert(WorkerRow).values(**values))


def list_workers(store: Store) -> list[WorkerBeat]:
    """Every worker that ever beat (and was not pruned), by region then name."""
    statement = select(WorkerRow.__table__).order_by(WorkerRow.region, WorkerRow.name)
    with store.reading("read workers") as connection:  # columns named as its fields
        return [WorkerBeat(**row) for row in connection.execute(statement).mappings()]
