"""Comparing one table on two stores after a copy: row counts, the highest integer key, and a
checksum of a sample of rows (the first and last by primary key) read back through the
table's own types, so timestamps, JSON, booleans and bytes must match as values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Table, func, select, tuple_

SAMPLE = 500  # rows from each end of a table, by primary key


@dataclass(frozen=True)
class TableCheck:
    """One table on both sides: counts, highest integer key (None for other keys), checksums
    of the same sampled rows."""

    name: str
    source_rows: int
    target_rows: int
    source_max: int | None
    target_max: int | None
    source_digest: str
    target_digest: str

    @property
    def verified(self) -> bool:
        return (
            self.source_rows == self.target_rows
            and self.source_max == self.target_max
            and self.source_digest == self.target_digest
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "table": self.name,
            "source_rows": self.source_rows,
            "target_rows": self.target_rows,
            "max_key": [self.source_max, self.target_max],
            "sample_sha256": [self.source_digest, self.target_digest],
            "verified": self.verified,
        }


def check_table(source: Connection, target: Connection, table: Table) -> TableCheck:
    """Compare ``table`` on ``source`` and ``target`` (both connections see the copy)."""
    keys = list(table.primary_key.columns)
    sampled = _sample(source, table)
    key_values = [tuple(row[k.name] for k in keys) for row in sampled]
    if len(keys) == 1:
        where = keys[0].in_([k[0] for k in key_values])
    else:
        where = tuple_(*keys).in_(key_values)
    mirrored = (
        [dict(r) for r in target.execute(select(table).where(where)).mappings()]
        if key_values
        else []
    )
    return TableCheck(
        name=table.name,
        source_rows=_count(source, table),
        target_rows=_count(target, table),
        source_max=_max_key(source, table),
        target_max=_max_key(target, table),
        source_digest=_digest(sampled, table),
        target_digest=_digest(mirrored, table),
    )


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _max_key(connection: Connection, table: Table) -> int | None:
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer):
        return None
    found = connection.execute(select(func.max(keys[0]))).scalar_one()
    return None if found is None else int(found)


def _sample(connection: Connection, table: Table) -> list[dict[str, Any]]:
    keys = list(table.primary_key.columns)
    first = select(table).order_by(*keys).limit(SAMPLE)
    last = select(table).order_by(*(k.desc() for k in keys)).limit(SAMPLE)
    rows: dict[str, dict[str, Any]] = {}
    for query in (first, last):
        for row in connection.execute(query).mappings():
            rows[_key(row, table)] = dict(row)
    return list(rows.values())


def _key(row: Any, table: Table) -> str:
    return json.dumps([_plain(row[k.name]) for k in table.primary_key.columns])


def _digest(rows: list[dict[str, Any]], table: Table) -> str:
    """SHA-256 of the rows in key order (by their plain text, so no collation decides it)."""
    names = [c.name for c in table.columns]
    lines = sorted(json.dumps([_plain(row[n]) for n in names]) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """A value as JSON that tells types apart (1 from True, bytes from text, a zone shift)."""
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, dict | list):
        return {"json": json.dumps(value)}
    return value
