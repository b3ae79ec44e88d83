"""Queries of feature flags: runtime overrides and their audit trail, written together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select

from golive.store.store import Store
from golive.store.tables_flags import FlagChange, FlagOverride


@dataclass(frozen=True)
class FlagOverrideView:
    name: str
    enabled: bool | None
    rollout: float | None
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class FlagChangeView:
    id: int
    flag: str
    at: datetime
    changed_by: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]


def flag_overrides(store: Store) -> dict[str, FlagOverrideView]:
    with store.reading("read flag overrides") as connection:
        rows = connection.execute(select(FlagOverride)).mappings()
        return {row["name"]: FlagOverrideView(**dict(row)) for row in rows}


def write_flag_change(
    store: Store,
    override: FlagOverrideView,
    *,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> FlagChangeView:
    """Replace the flag's override and append the change to its history, in one transaction."""
    values = override.__dict__
    change: dict[str, Any] = {
        "flag": override.name,
        "at": override.changed_at,
        "changed_by": override.changed_by,
        "reason": reason,
        "before": before,
        "after": after,
    }
    with store.writing("store the flag change") as connection:
        connection.execute(delete(FlagOverride).where(FlagOverride.name == override.name))
        connection.execute(insert(FlagOverride), values)
        new_id = connection.execute(
            insert(FlagChange).returning(FlagChange.id), change
        ).scalar_one()
    return FlagChangeView(id=int(new_id), **change)


def flag_changes(
    store: Store, flag: str | None = None, *, limit: int = 100
) -> list[FlagChangeView]:
    """Changes, newest first (of one flag when given)."""
    query = select(FlagChange)
    if flag is not None:
        query = query.where(FlagChange.flag == flag)
    query = query.order_by(FlagChange.at.desc(), FlagChange.id.desc()).limit(limit)
    with store.reading("read flag changes") as connection:
        return [FlagChangeView(**dict(row)) for row in connection.execute(query).mappings()]
