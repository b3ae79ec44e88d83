"""RPO and RTO judged from the catalog and the last drill; schedules that cannot meet rpo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from golive.backup.health import problems, schedule_advice
from golive.config.ship import Backup
from golive.records import BackupEntry, EvidenceRecord

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def spec(**fields: object) -> Backup:
    return Backup.model_validate(
        {"name": "main-db", "postgres": {"dsn": "postgresql://x/db"}, "to": {"dir": "b"}, **fields}
    )


def verified(at: datetime) -> BackupEntry:
    return BackupEntry(
        1, "main-db", "staging", "postgres", "dir:/b", "k", "good", at, at, verified=True
    )


def drill(ok: bool, seconds: float) -> EvidenceRecord:
    return EvidenceRecord(
        "backup_drill",
        "main-db",
        ok,
        NOW,
        NOW,
        error=None if ok else "expect 1: false",
        values={"restore_seconds": seconds},
    )


def test_a_verified_backup_younger_than_rpo_and_a_quick_drill_have_no_problems() -> None:
    found = problems(
        spec(rpo="1h", rto="10m"), [verified(NOW - timedelta(minutes=30))], drill(True, 60), NOW
    )
    assert found == []


def test_the_newest_verified_backup_older_than_rpo_is_a_problem() -> None:
    found = problems(spec(rpo="1h"), [verified(NOW - timedelta(hours=3))], None, NOW)
    assert found == ["rpo 1h: the newest verified backup is 3h old"]


def test_no_verified_backup_breaks_rpo() -> None:
    assert problems(spec(rpo="1h"), [], None, NOW) == ["rpo 1h: no verified backup yet"]


def test_a_failed_drill_and_a_slow_one_are_problems() -> None:
    assert problems(spec(), [], drill(False, 1), NOW) == [
        "the last restore drill failed: expect 1: false"
    ]
    assert problems(spec(rto="1m"), [], drill(True, 90), NOW) == [
        "rto 1m: the last drill's restore took 1.5m"
    ]


def test_a_schedule_slower_than_rpo_is_told_with_the_fix() -> None:
    advice = schedule_advice(spec(every="6h", rpo="15m"), NOW)
    assert advice is not None
    assert "runs every 6h but promises rpo 15m" in advice and "archive WAL" in advice
    assert schedule_advice(spec(every="10m", rpo="15m"), NOW) is None


def test_a_cron_schedule_is_judged_by_its_longest_gap() -> None:
    advice = schedule_advice(spec(cron="0 2,3 * * *", rpo="2h"), NOW)
    assert advice is not None and "runs cron 23h" in advice


def test_a_pgbackrest_backup_archives_wal_so_a_slow_schedule_still_meets_rpo() -> None:
    physical = Backup.model_validate(
        {
            "name": "main-db",
            "pgbackrest": {"stanza": "main"},
            "to": {"dir": "b"},
            "every": "6h",
            "rpo": "15m",
        }
    )
    assert schedule_advice(physical, NOW) is None


def test_files_and_redis_are_not_told_to_archive_wal() -> None:
    files = Backup.model_validate(
        {"name": "up", "files": {"paths": ["x"]}, "to": {"dir": "b"}, "every": "6h", "rpo": "1h"}
    )
    advice = schedule_advice(files, NOW)
    assert advice is not None and "runs every 6h but promises rpo 1h" in advice
    assert "WAL" not in advice and "Back up at least every 1h" in advice
