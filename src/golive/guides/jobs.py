"""Scheduled jobs a guide sets up, for ``heartbeat:`` checks: a job that stops running (or
fails) is found by its missing ping, not by a probe.

Found on any line of the guide:
  * a crontab line, ``0 2 * * * pg_dump …`` (five fields cron accepts, then a command): a
    heartbeat on that cron, named after the command's program;
  * Celery beat started (``celery -A app beat``): a ``celery-beat`` heartbeat with a period,
    pinged by a beat task, so a stopped scheduler is seen;
  * prose naming a job and its time, "pg_dump runs daily at 2am": a heartbeat on that cron.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from cronsim import CronSim, CronSimError

from golive.guides.model import Job
from golive.guides.text import plain, slug

_CRONTAB = re.compile(r"^\s*((?:[0-9*/,\-]+\s+){4}[0-9A-Za-z*/,\-]+)\s+(\S.*?)\s*\\?$")
_BEAT = re.compile(r"\bcelery\b.*\bbeat\b", re.I)
_PROSE = re.compile(
    r"\b(pg_dump|backups?|dumps?|cron(?: job)?|jobs?|tasks?|scripts?)\b.{0,60}?"
    r"\b(daily|nightly|every day|every night)\s+at\s+(\d{1,2})(?::(\d\d))?\s*(am|pm)?\b",
    re.I,
)
_PROGRAM = re.compile(r"[A-Za-z_][\w.-]*")
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
_SKIP = {"sudo", "cd", "env", "bash", "sh", "/bin/sh", "nice", "flock"}


def jobs(lines: list[tuple[int, str]]) -> list[Job]:
    """The jobs the guide schedules, one per name (the first mention), in line order."""
    found: dict[str, Job] = {}
    for line, raw in lines:
        job = _job(line, raw)
        if job is not None and job.name not in found:
            found[job.name] = job
    return list(found.values())


def _job(line: int, raw: str) -> Job | None:
    crontab = _CRONTAB.match(raw)
    if crontab and _valid(crontab.group(1)):
        command = crontab.group(2)
        words = [w for w in _PROGRAM.findall(command) if w not in _SKIP]
        name = slug(words[0].rsplit("/", 1)[-1] if words else "job", "job")
        return Job(name, line, _short(raw), cron=" ".join(crontab.group(1).split()))
    if _BEAT.search(raw):
        return Job("celery-beat", line, _short(raw), period="5m", how="celery beat", grace="5m")
    text = plain(raw)
    prose = _PROSE.search(text)
    if prose:
        hour = int(prose.group(3)) % 12 if prose.group(5) else int(prose.group(3))
        hour += 12 if (prose.group(5) or "").lower() == "pm" else 0
        minute = int(prose.group(4) or 0)
        if hour < 24 and minute < 60:
            name = slug(prose.group(1).replace("_", "-"), "job")
            return Job(name, line, _short(text), cron=f"{minute} {hour} * * *", how="prose")
    return None


def _valid(fields: str) -> bool:
    try:
        CronSim(" ".join(fields.split()), _EPOCH)
    except (CronSimError, ValueError):
        return False
    return True


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split()).rstrip("\\ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
