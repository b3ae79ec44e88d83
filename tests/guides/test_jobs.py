"""Scheduled jobs in a guide become ``heartbeat:`` checks, each with the line it came from."""

from __future__ import annotations

from golive.guides import import_text
from golive.guides.jobs import jobs
from golive.guides.model import Job

GUIDE = """\
# Shop go-live

## Backups

```bash
# Automated daily backups
0 2 * * * pg_dump -h $DATABASE_HOST shop | gzip > /backups/shop.sql.gz
```

```bash
celery -A shop beat --loglevel=info
```

The report script runs nightly at 3:30am and mails the numbers.
"""


def test_a_crontab_line_celery_beat_and_a_sentence_each_become_a_job() -> None:
    lines = list(enumerate(GUIDE.splitlines(), 1))
    assert jobs(lines) == [
        Job(
            "pg-dump",
            7,
            "0 2 * * * pg_dump -h $DATABASE_HOST shop | gzip > /backups/…",
            "0 2 * * *",
        ),
        Job(
            "celery-beat",
            11,
            "celery -A shop beat --loglevel=info",
            None,
            "5m",
            "celery beat",
            "5m",
        ),
        Job(
            "script",
            14,
            "The report script runs nightly at 3:30am and mails the numb…",
            "30 3 * * *",
            how="prose",
        ),
    ]


def test_numbers_that_are_not_a_schedule_are_not_jobs() -> None:
    lines = [
        (1, "save 900 1"),
        (2, "daily_users: 1000"),
        (3, "99 99 * * * nothing"),
        (4, "- 1 2 3 4 5"),
    ]
    assert jobs(lines) == []


def test_the_import_has_a_heartbeat_check_per_job_with_its_reason() -> None:
    text = import_text(GUIDE, "shop.md").yaml
    assert "  # from line 7 (crontab): 0 2 * * * pg_dump" in text
    assert '  - name: pg-dump\n    heartbeat: {cron: "0 2 * * *", grace: 30m}\n' in text
    assert "runs `golive ping celery-beat` every 5m" in text
    assert '  - name: script\n    heartbeat: {cron: "30 3 * * *", grace: 30m}\n' in text
