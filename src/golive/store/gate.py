"""Queries of the gate: sign-offs and the history of verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from golive.store.store import Store
from golive.store.tables_gate import GateRun, Signoff


@dataclass(frozen=True)
class SignoffView:
    id: int
    item: str
    environment: str
    signed_by: str
    note: str
    signed_at: datetime
    expires_at: datetime

    def valid(self, now: datetime) -> bool:
        return self.signed_at <= now < self.expires_at


@dataclass(frozen=True)
class GateRunView:
    id: int
    environment: str
    at: datetime
    verdict: str
    items: list[dict[str, Any]]
    release: str | None = None


def add_signoff(store: Store, signoff: SignoffView) -> SignoffView:
    values = {k: v for k, v in signoff.__dict__.items() if k != "id"}
    with store.writing("store the sign-off") as connection:
        new_id = connection.execute(insert(Signoff).returning(Signoff.id), values).scalar_one()
    return SignoffView(**{**values, "id": int(new_id)})


def signoffs(store: Store, environment: str, *, item: str | None = None) -> list[SignoffView]:
    """Sign-offs of an environment (optionally of one item), newest first."""
    query = select(Signoff).where(Signoff.environment == environment)
    if item is not None:
        query = query.where(Signoff.item == item)
    query = query.order_by(Signoff.signed_at.desc(), Signoff.id.desc())
    with store.reading("read sign-offs") as connection:
        return [SignoffView(**dict(row)) for row in connection.execute(query).mappings()]


def latest_signoffs(store: Store, environment: str) -> dict[str, SignoffView]:
    """The newest sign-off of each item."""
    latest: dict[str, SignoffView] = {}
    for view in signoffs(store, environment):
        latest.setdefault(view.item, view)
    return latest


def record_gate_run(
    store: Store,
    environment: str,
    at: datetime,
    verdict: str,
    items: list[dict[str, Any]],
    *,
    release: str | None = None,
) -> int:
    with store.writing("store the gate verdict") as connection:
        statement = insert(GateRun).returning(GateRun.id)
        values = {
            "environment": environment,
            "at": at,
            "verdict": verdict,
            "items": items,
            "release": release,
        }
        return int(connection.execute(statement, values).scalar_one())


def gate_runs(store: Store, environment: str, *, limit: int = 20) -> list[GateRunView]:
    """Past verdicts, newest first."""
    query = (
        select(GateRun)
        .where(GateRun.environment == environment)
        .order_by(GateRun.at.desc(), GateRun.id.desc())
        .limit(limit)
    )
    with store.reading("read gate verdicts") as connection:
        return [GateRunView(**dict(row)) for row in connection.execute(query).mappings()]
