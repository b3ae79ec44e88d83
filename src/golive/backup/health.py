"""RPO and RTO, judged: what is wrong with a backup's freshness and drills now, and schedules
that cannot meet their ``rpo`` (told by ``golive validate``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from golive.config.ship import Backup

if TYPE_CHECKING:
    from golive.records import BackupEntry, EvidenceRecord


def every(spec: Backup, start: datetime) -> timedelta | None:
    """The longest gap between two scheduled backups (``every``, or the cron's over a week)."""
    if spec.every is not None:
        return spec.every
    if spec.cron is None:
        return None
    from cronsim import CronSim

    times = CronSim(spec.cron, start)
    previous, longest = next(times), timedelta(0)
    for _ in range(500):
        at = next(times)
        longest = max(longest, at - previous)
        previous = at
        if at - start > timedelta(days=7):
            break
    return longest


def problems(
    spec: Backup,
    entries: Sequence[BackupEntry],
    drill: EvidenceRecord | None,
    now: datetime,
) -> list[str]:
    """Why the backup breaks its promises now (empty when it keeps them): the newest verified
    backup older than ``rpo``, the last drill failed, or slower than ``rto``."""
    found: list[str] = []
    if spec.rpo is not None:
        verified = [e for e in entries if e.state == "good" and e.verified]
        newest = max((e.finished_at or e.started_at for e in verified), default=None)
        if newest is None:
            found.append(f"rpo {_span(spec.rpo)}: no verified backup yet")
        elif now - newest > spec.rpo:
            found.append(
                f"rpo {_span(spec.rpo)}: the newest verified backup is {_span(now - newest)} old"
            )
    if drill is not None and not drill.ok:
        found.append(f"the last restore drill failed: {drill.error}")
    if drill is not None and spec.rto is not None:
        seconds = float(drill.values.get("restore_seconds") or 0.0)
        if seconds > spec.rto.total_seconds():
            found.append(
                f"rto {_span(spec.rto)}: the last drill's restore took {_span(timedelta(seconds=seconds))}"
            )
    return found


def signal_values(
    spec: Backup,
    entries: Sequence[BackupEntry],
    drill: EvidenceRecord | None,
    now: datetime,
) -> dict[str, float]:
    """The values the backup's alert is judged on (``golive.alerts.rules.BACKUP_FIELDS``):
    1.0 for each promise broken now, as ``problems`` words them."""
    found = problems(spec, entries, drill, now)
    return {
        "rpo_breached": float(any(p.startswith("rpo ") for p in found)),
        "drill_failed": float(any(p.startswith("the last restore drill failed") for p in found)),
        "rto_breached": float(any(p.startswith("rto ") for p in found)),
    }


def schedule_advice(spec: Backup, start: datetime) -> str | None:
    """Why the schedule cannot meet ``rpo``, and the fix; None when it can. A ``pgbackrest``
    backup archives WAL continuously (pgBackRest refuses to back up without it), so its
    schedule only bounds how much WAL a restore replays, not what it loses."""
    gap = every(spec, start)
    if spec.rpo is None or gap is None or gap <= spec.rpo or spec.pgbackrest is not None:
        return None
    how = "every" if spec.every is not None else "cron"
    wal = (
        ", or archive WAL (a pgbackrest: backup of the same cluster) for an rpo of minutes"
        if spec.postgres is not None
        else ""
    )
    return (
        f"backup {spec.name} runs {how} {_span(gap)} but promises rpo {_span(spec.rpo)}: it"
        f" can lose up to {_span(gap)} of writes. Back up at least every {_span(spec.rpo)}"
        f" or raise rpo to {_span(gap)}{wal}"
    )


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f}h"
    if seconds >= 60:
        return f"{seconds / 60:.1f}m"
    return f"{span.total_seconds():.1f}s"
