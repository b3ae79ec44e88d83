"""Queries of the backup catalog: start an entry, finish it good or failed, mark it corrupt or
verified, list and delete. State changes are conditional updates: only a running entry turns
good or failed, so a crashed run stays ``running`` and is never counted as a backup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from golive.records import BackupEntry, BackupFile
from golive.store.store import Store
from golive.store.tables_backup import BackupRow


def start_backup(
    store: Store,
    *,
    name: str,
    environment: str,
    kind: str,
    target: str,
    key: str,
    started_at: datetime,
    encrypted: bool,
) -> int:
    """A new ``running`` entry; returns its id."""
    values = {
        "name": name,
        "environment": environment,
        "kind": kind,
        "target": target,
        "key": key,
        "state": "running",
        "started_at": started_at,
        "size": 0,
        "seconds": 0.0,
        "files": [],
        "source": {},
        "encrypted": encrypted,
    }
    with store.writing("start a backup entry") as connection:
        return int(
            connection.execute(insert(BackupRow).returning(BackupRow.id), values).scalar_one()
        )


def set_key(store: Store, backup_id: int, key: str) -> None:
    """Where the target keeps the entry's files (it holds the id, so it is known after insert)."""
    with store.writing("name the backup") as connection:
        connection.execute(update(BackupRow).where(BackupRow.id == backup_id).values(key=key))


def finish_backup(
    store: Store,
    backup_id: int,
    *,
    finished_at: datetime,
    seconds: float,
    files: list[BackupFile],
    source: dict[str, Any],
) -> bool:
    """Mark a running entry good with its files; False if it was not running any more."""
    return _move(
        store,
        backup_id,
        "running",
        state="good",
        finished_at=finished_at,
        seconds=seconds,
        files=[f.as_dict() for f in files],
        size=sum(f.size for f in files),
        source=source,
    )


def fail_backup(
    store: Store, backup_id: int, *, finished_at: datetime, seconds: float, error: str
) -> bool:
    """Mark a running entry failed with why."""
    return _move(
        store,
        backup_id,
        "running",
        state="failed",
        finished_at=finished_at,
        seconds=seconds,
        error=error,
    )


def mark_corrupt(store: Store, backup_id: int, error: str) -> bool:
    """A good backup whose files no longer match their checksums."""
    return _move(store, backup_id, "good", state="corrupt", error=error, verified=False)


def mark_verified(store: Store, backup_id: int, *, ok: bool, at: datetime) -> None:
    """Record a drill's verdict on a backup."""
    statement = update(BackupRow).where(BackupRow.id == backup_id)
    with store.writing("record the drill on the backup") as connection:
        connection.execute(statement.values(verified=ok, verified_at=at))


def _move(store: Store, backup_id: int, from_state: str, **values: Any) -> bool:
    statement = (
        update(BackupRow)
        .where(BackupRow.id == backup_id, BackupRow.state == from_state)
        .values(**values)
    )
    with store.writing("update the backup catalog") as connection:
        return connection.execute(statement).rowcount == 1


def backups(
    store: Store, environment: str, *, name: str | None = None, state: str | None = None
) -> list[BackupEntry]:
    """Catalog entries of an environment (optionally of one name or state), newest first."""
    query = select(BackupRow).where(BackupRow.environment == environment)
    if name is not None:
        query = query.where(BackupRow.name == name)
    if state is not None:
        query = query.where(BackupRow.state == state)
    query = query.order_by(BackupRow.started_at.desc(), BackupRow.id.desc())
    with store.reading("read the backup catalog") as connection:
        return [_entry(dict(row)) for row in connection.execute(query).mappings()]


def backup(store: Store, backup_id: int) -> BackupEntry | None:
    with store.reading("read the backup catalog") as connection:
        row = (
            connection.execute(select(BackupRow).where(BackupRow.id == backup_id))
            .mappings()
            .first()
        )
    return _entry(dict(row)) if row is not None else None


def delete_backup(store: Store, backup_id: int) -> None:
    """Remove an entry whose files are gone."""
    with store.writing("delete a backup entry") as connection:
        connection.execute(delete(BackupRow).where(BackupRow.id == backup_id))


def _entry(row: dict[str, Any]) -> BackupEntry:
    files = tuple(BackupFile(**f) for f in row.pop("files"))
    return BackupEntry(**row, files=files)
