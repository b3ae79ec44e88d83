"""The store: an engine, the translated ``reading()`` / ``writing()`` every query goes through,
and evidence (runs and their records)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select

from golive.records import EvidenceRecord, RunSummary
from golive.store import db
from golive.store.tables import Evidence, Run


class Store:
    """The evidence store (SQLite by default, PostgreSQL at scale)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, busy_timeout: float = 30.0) -> Store:
        """Open (and migrate) the store at an already normalised URL."""
        engine = db.create(url, busy_timeout=busy_timeout)
        db.migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def reading(self, doing: str) -> Iterator[Connection]:
        """A connection for queries; a database error becomes ``StoreError("cannot DOING: …")``."""
        with db.translated(doing), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def writing(self, doing: str) -> Iterator[Connection]:
        """One transaction, committed at the end of the block and rolled back on any error; a
        database error becomes ``StoreError("cannot DOING: …")``."""
        with db.translated(doing), self.engine.begin() as connection:
            yield connection

    def record_run(self, run: RunSummary, records: Sequence[EvidenceRecord]) -> int:
        """Store a run and its evidence in one transaction; return the run's id."""
        with self.writing("write evidence") as connection:
            run_id = connection.execute(
                insert(Run).returning(Run.id),
                {
                    "command": run.command,
                    "environment": run.environment,
                    "started_at": run.started_at,
                    "finished_at": run.finished_at,
                    "total": len(records),
                    "failed": sum(not r.ok for r in records),
                },
            ).scalar_one()
            if records:
                connection.execute(
                    insert(Evidence),
                    [
                        {**record.__dict__, "run_id": run_id, "environment": run.environment}
                        for record in records
                    ],
                )
        return int(run_id)

    def latest(self, kind: str, subject: str) -> EvidenceRecord | None:
        """The newest evidence of ``kind`` about ``subject``."""
        query = (
            select(Evidence)
            .where(Evidence.kind == kind, Evidence.subject == subject)
            .order_by(Evidence.taken_at.desc(), Evidence.id.desc())
            .limit(1)
        )
        with self.reading("read evidence") as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return EvidenceRecord(
            kind=row["kind"],
            subject=row["subject"],
            ok=row["ok"],
            taken_at=row["taken_at"],
            expires_at=row["expires_at"],
            latency_ms=row["latency_ms"],
            error=row["error"],
            values=row["values"],
            failed=row["failed"],
        )
