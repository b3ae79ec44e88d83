"""Request data of the metrics sources: per-minute rows merged on write, windows merged on
read (``request_window``, ``request_minutes``: the API the SLOs, alerts and rollouts read), and
each source's reading position and health."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, tuple_, update

from golive.records import Histogram, RequestMinute, RequestWindow, SourceHealth, label_key
from golive.store.store import Store
from golive.store.tables_requests import MetricSourceRow, RequestMinuteRow

_CHUNK = 300  # keys per lookup: well under SQLite's bound-parameter limit
MINUTE = timedelta(minutes=1)
# what both readers of a stored minute select
_MINUTE_COLUMNS = (
    RequestMinuteRow.minute,
    RequestMinuteRow.labels,
    RequestMinuteRow.count,
    RequestMinuteRow.errors,
    RequestMinuteRow.histogram,
)


def save_reading(
    store: Store,
    *,
    source: str,
    kind: str,
    minutes: Sequence[RequestMinute],
    state: Mapping[str, Any],
    health: SourceHealth,
) -> None:
    """Merge ``minutes`` into the stored rows and keep ``state`` and ``health``, in one
    transaction: a crash either counts a read and moves on, or does neither."""
    merged: dict[tuple[datetime, str], RequestMinute] = {}
    for one in minutes:
        key = (one.minute, label_key(one.labels))
        merged[key] = merged[key].merge(one) if key in merged else one
    with store.writing(f"write requests of {source}") as connection:
        _merge_minutes(connection, source, merged)
        values = {"kind": kind, "state": dict(state), "health": health.as_dict()}
        done = connection.execute(
            update(MetricSourceRow).where(MetricSourceRow.name == source).values(**values)
        )
        if done.rowcount == 0:
            connection.execute(insert(MetricSourceRow).values(name=source, **values))


def _merge_minutes(
    connection: Connection, source: str, merged: Mapping[tuple[datetime, str], RequestMinute]
) -> None:
    keys = list(merged)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        stored = {
            (row["minute"], row["labels"]): row
            for row in connection.execute(
                select(*_MINUTE_COLUMNS).where(
                    RequestMinuteRow.source == source,
                    tuple_(RequestMinuteRow.minute, RequestMinuteRow.labels).in_(chunk),
                )
            ).mappings()
        }
        fresh = []
        for key in chunk:
            one = merged[key]
            row = stored.get(key)
            if row is None:
                fresh.append(_row(source, key, one.count, one.errors, one.histogram))
                continue
            histogram = Histogram.from_bytes(row["histogram"]).merge(one.histogram)
            connection.execute(
                update(RequestMinuteRow)
                .where(
                    RequestMinuteRow.source == source,
                    RequestMinuteRow.minute == key[0],
                    RequestMinuteRow.labels == key[1],
                )
                .values(
                    count=row["count"] + one.count,
                    errors=row["errors"] + one.errors,
                    histogram=histogram.to_bytes(),
                )
            )
        if fresh:
            connection.execute(insert(RequestMinuteRow), fresh)


def _row(
    source: str, key: tuple[datetime, str], count: int, errors: int, histogram: Histogram
) -> dict[str, Any]:
    return {
        "source": source,
        "minute": key[0],
        "labels": key[1],
        "count": count,
        "errors": errors,
        "histogram": histogram.to_bytes(),
    }


def load_source(store: Store, source: str) -> tuple[dict[str, Any], SourceHealth] | None:
    """A source's stored state and health (None before its first reading)."""
    with store.reading(f"read the state of {source}") as connection:
        row = (
            connection.execute(select(MetricSourceRow).where(MetricSourceRow.name == source))
            .mappings()
            .one_or_none()
        )
    return None if row is None else (dict(row["state"]), _health(row["health"]))


def load_health(store: Store) -> list[SourceHealth]:
    """Every source's health, by name."""
    with store.reading("read the health of metrics sources") as connection:
        rows = connection.execute(select(MetricSourceRow.health).order_by(MetricSourceRow.name))
        return [_health(health) for health in rows.scalars()]


def sources_now(store: Store, sources: Sequence[tuple[str, str]]) -> list[SourceHealth]:
    """The health of each configured ``(name, kind)`` source, in that order (a source never
    read yet has a health that says so), for `golive status`, the API and the dashboard."""
    stored = {health.source: health for health in load_health(store)}
    return [
        stored.get(name) or SourceHealth(name, kind, ok=False, last_error="not read yet")
        for name, kind in sources
    ]


def describe(health: SourceHealth) -> str:
    """One line: ``ok`` or the error, then what was read."""
    read = (
        f"{health.lines} lines, {health.bad_lines} bad"
        if health.kind == "access_log"
        else f"{health.scrapes} scrapes, {health.failed_scrapes} failed, {health.series} series"
    )
    state = "ok" if health.ok else f"ERROR {health.last_error}"
    return f"{state} ({read})"


def _health(stored: Mapping[str, Any]) -> SourceHealth:
    data = dict(stored)
    for key in ("last_ok_at", "last_error_at", "updated_at"):
        if data.get(key):
            data[key] = datetime.fromisoformat(data[key])
    return SourceHealth(**data)


def request_window(
    store: Store,
    source: str,
    *,
    start: datetime,
    end: datetime,
    where: Mapping[str, str] | None = None,
) -> RequestWindow:
    """The requests of ``source`` in the minutes starting in [``start``, ``end``) whose labels
    include ``where`` (e.g. ``{"route": "/api/facilities", "method": "GET"}``), merged."""
    rows = _rows(store, source, start, end, where)
    return _merged(rows, (end - start).total_seconds())


def request_minutes(
    store: Store,
    source: str,
    *,
    start: datetime,
    end: datetime,
    where: Mapping[str, str] | None = None,
) -> list[tuple[datetime, RequestWindow]]:
    """One merged window per minute that had requests, oldest first (for charts)."""
    grouped: dict[datetime, list[tuple[datetime, int, int, int, Histogram]]] = {}
    for row in _rows(store, source, start, end, where):
        grouped.setdefault(row[0], []).append(row)
    seconds = MINUTE.total_seconds()
    return [(minute, _merged(rows, seconds)) for minute, rows in sorted(grouped.items())]


def _rows(
    store: Store,
    source: str,
    start: datetime,
    end: datetime,
    where: Mapping[str, str] | None,
) -> list[tuple[datetime, int, int, int, Histogram]]:
    wanted = dict(where or {})
    query = select(*_MINUTE_COLUMNS).where(
        and_(
            RequestMinuteRow.source == source,
            RequestMinuteRow.minute >= _utc(start),
            RequestMinuteRow.minute < _utc(end),
        )
    )
    found = []
    with store.reading(f"read requests of {source}") as connection:
        for minute, labels_text, count, errors, blob in connection.execute(query):
            labels = json.loads(labels_text)
            if any(labels.get(k) != v for k, v in wanted.items()):
                continue
            status = _status(labels)
            found.append((minute, count, errors, status, Histogram.from_bytes(blob)))
    return found


def _merged(
    rows: Sequence[tuple[datetime, int, int, int, Histogram]], seconds: float
) -> RequestWindow:
    """One window from many rows: counts added in place (a 30-day window has many rows)."""
    count = errors = 0
    kind = "log"
    by_status: dict[int, dict[float, int]] = {}
    for _minute, n, failed, status, histogram in rows:
        count += n
        errors += failed
        if histogram.counts:
            kind = histogram.kind
        buckets = by_status.setdefault(status, {})
        for key, value in histogram.counts.items():
            buckets[key] = buckets.get(key, 0) + value
    total: dict[float, int] = {}
    for buckets in by_status.values():
        for key, value in buckets.items():
            total[key] = total.get(key, 0) + value
    return RequestWindow(
        count,
        errors,
        seconds,
        Histogram(kind, total),  # type: ignore[arg-type]
        {status: Histogram(kind, buckets) for status, buckets in by_status.items()},  # type: ignore[arg-type]
    )


def _status(labels: Mapping[str, str]) -> int:
    for key in ("status", "code", "status_code"):
        value = str(labels.get(key, ""))[:3]
        if value.isdigit():
            return int(value)
    return 0


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
