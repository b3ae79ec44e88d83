"""Grandfather-father-son retention: which good backups a ``retention:`` keeps.

``last`` keeps the newest N; ``daily`` / ``weekly`` / ``monthly`` keep the newest backup of each
of the newest N days / ISO weeks / months that have one. The newest verified backup (its last
drill passed) is always kept. Failed and corrupt entries older than the newest good backup go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from golive.config.ship import Retention
from golive.records import BackupEntry

Bucket = Callable[[datetime], tuple[int, ...]]
BUCKETS: tuple[tuple[str, Bucket], ...] = (
    ("daily", lambda t: (t.year, t.month, t.day)),
    ("weekly", lambda t: tuple(t.isocalendar())[:2]),
    ("monthly", lambda t: (t.year, t.month)),
)


def kept(entries: Sequence[BackupEntry], retention: Retention) -> dict[int, list[str]]:
    """The ids of the good backups to keep, each with why (``last``, ``daily``, ``verified``)."""
    good = sorted(
        (e for e in entries if e.state == "good"), key=lambda e: (e.started_at, e.id), reverse=True
    )
    why: dict[int, list[str]] = {}
    for entry in good[: retention.last]:
        why.setdefault(entry.id, []).append("last")
    for rule, bucket in BUCKETS:
        count: int = getattr(retention, rule)
        seen: set[tuple[int, ...]] = set()
        for entry in good:
            slot = bucket(entry.started_at)
            if slot in seen:
                continue
            if len(seen) == count:
                break
            seen.add(slot)
            why.setdefault(entry.id, []).append(rule)
    verified = next((e for e in good if e.verified), None)
    if verified is not None:
        why.setdefault(verified.id, []).append("newest verified")
    return why


def to_delete(entries: Sequence[BackupEntry], retention: Retention) -> list[BackupEntry]:
    """The entries retention removes, oldest first; running ones are never touched."""
    keep = kept(entries, retention)
    newest_good = max((e.started_at for e in entries if e.state == "good"), default=None)
    doomed = [
        e
        for e in entries
        if (e.state == "good" and e.id not in keep)
        or (
            e.state in ("failed", "corrupt")
            and newest_good is not None
            and e.started_at < newest_good
        )
    ]
    return sorted(doomed, key=lambda e: (e.started_at, e.id))
