"""Day rollups: each check's hour rollups summed per UTC day, kept as ``rollups`` rows of
resolution ``day`` (bucket = midnight UTC).

They are written with the hour rollups they add up (``days_of`` the hours, merged into the
stored days by ``golive.store.state.flush`` in the same transaction), so a day row always
equals the sum of its stored hours (the open hour is added to both once a minute), and a
crash loses no more than a minute. What reads 90 days of every check (the status page's
uptime bars) reads 90 rows a check instead of 2,160. ``backfill`` makes them from the stored
hours (migration 0005), reporting its progress.
They are pruned with the hour rollups (``server.retention.hour_rollups``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from golive.records import LATENCY_BOUNDS_MS, Bucket

DAY = "day"


def day_start(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def days_of(hours: Iterable[Bucket]) -> list[Bucket]:
    """Hour buckets summed per (check, UTC day), as day buckets."""
    found: dict[tuple[str, datetime], Bucket] = {}
    for hour in hours:
        key = (hour.check, day_start(hour.start))
        day = found.get(key)
        if day is None:
            found[key] = day = Bucket(hour.check, DAY, key[1])
        day.merge(hour)
    return list(found.values())


# -- from the stored hours, in the database --------------------------------------------------

_HIST_SLOTS = len(LATENCY_BOUNDS_MS) + 1


CHECKS_PER_STATEMENT = 50  # at most 50 x 9,600 hour rows (400 days) per INSERT ... SELECT


def backfill(
    connection: Connection,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    checks_per_statement: int = CHECKS_PER_STATEMENT,
) -> int:
    """Day rows for every (check, day) that has hour rows, replacing any there were; one
    ``INSERT ... SELECT`` (SQLite or PostgreSQL) per ``checks_per_statement`` checks, each
    followed by ``progress(what, hour rows done, hour rows in all)``. Returns the rows
    written."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        day = "substr(bucket, 1, 10) || ' 00:00:00.000000'"
        slot = "json_extract(latency_hist, '$[{i}]')"
        array = "json_array({items})"
    elif dialect == "postgresql":
        day = "date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        slot = "(latency_hist->>{i})::bigint"
        array = "json_build_array({items})"
    else:  # pragma: no cover - only the two backends are supported
        raise ValueError(f"no day backfill for {dialect}")
    sums = ", ".join(f"coalesce(sum({slot.format(i=i)}), 0)" for i in range(_HIST_SLOTS))
    connection.execute(text("DELETE FROM rollups WHERE resolution = 'day'"))
    statement = text(
        'INSERT INTO rollups ("check", resolution, bucket, runs, failures, latency_sum_ms,'
        f" latency_max_ms, latency_hist) SELECT \"check\", 'day', {day}, sum(runs),"
        f" sum(failures), sum(latency_sum_ms), max(latency_max_ms), {array.format(items=sums)}"
        " FROM rollups WHERE resolution = 'hour' AND \"check\" IN :checks"
        f' GROUP BY "check", {day}'
    ).bindparams(bindparam("checks", expanding=True))
    hours = connection.execute(
        text(
            "SELECT \"check\", count(*) FROM rollups WHERE resolution = 'hour'"
            ' GROUP BY "check" ORDER BY "check"'
        )
    ).all()
    total, done, written = sum(int(n) for _, n in hours), 0, 0
    for first in range(0, len(hours), checks_per_statement):
        chunk = hours[first : first + checks_per_statement]
        result = connection.execute(statement, {"checks": [check for check, _ in chunk]})
        written += int(result.rowcount or 0)
        done += sum(int(n) for _, n in chunk)
        if progress is not None:
            progress("day rollups from hour rollups", done, total)
    return written
