"""DORA's four measures over a period, from finished rollouts and incidents: deployment
frequency, lead time for changes, change failure rate, failed deployment recovery time,
each with its performance band (the 2023 State of DevOps report's thresholds)."""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any, Literal

from golive.records.deployments import Deployment
from golive.records.incidents import IncidentView
from golive.store import incidents as incident_queries
from golive.store.history import StoredEvidence, evidence
from golive.store.store import Store

Band = Literal["elite", "high", "medium", "low"]
INCIDENT_WINDOW = timedelta(hours=24)  # an incident this soon after a promotion: a failure
HOUR, DAY, WEEK, MONTH = 3600.0, 86400.0, 7 * 86400.0, 30 * 86400.0


@dataclass(frozen=True)
class Failure:
    """A change that failed: rolled back, or followed by an incident; ``restore_seconds``
    until traffic was back on stable or the incident was mitigated (None while it is not)."""

    name: str
    version: str
    at: datetime
    why: str
    restore_seconds: float | None


@dataclass(frozen=True)
class DoraReport:
    """The measures of the deployments that finished in ``[since, until)``."""

    since: datetime
    until: datetime
    deployments: int  # promoted
    changes: int  # promoted + rolled back (aborted ones never counted)
    per_day: float
    per_week: float
    lead_time_median_seconds: float | None
    lead_time_p90_seconds: float | None
    change_failure_rate: float | None
    restore_median_seconds: float | None
    bands: dict[str, Band | None]
    failures: list[Failure] = field(default_factory=list)
    aborted: int = 0
    without_commit_time: int = 0  # promoted, but no commit time known: not in the lead time

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["since"], data["until"] = self.since.isoformat(), self.until.isoformat()
        for failure in data["failures"]:
            failure["at"] = failure["at"].isoformat()
        return data


def frequency_band(per_day: float) -> Band:
    """Elite: on demand (daily or more); high: daily to weekly; medium: weekly to monthly."""
    if per_day >= 1:
        return "elite"
    if per_day * 7 >= 1:
        return "high"
    return "medium" if per_day * 30 >= 1 else "low"


def lead_time_band(seconds: float) -> Band:
    """Elite: under a day; high: a day to a week; medium: a week to a month; low: longer."""
    return _under(seconds, DAY, WEEK, MONTH)


def failure_rate_band(rate: float) -> Band:
    """The 2023 clusters' rates as upper bounds: elite 5 %, high 10 %, medium 15 %."""
    if rate <= 0.05:
        return "elite"
    if rate <= 0.10:
        return "high"
    return "medium" if rate <= 0.15 else "low"


def restore_band(seconds: float) -> Band:
    """Elite: under an hour; high: under a day; medium: under a week; low: longer."""
    return _under(seconds, HOUR, DAY, WEEK)


def _under(value: float, elite: float, high: float, medium: float) -> Band:
    if value < elite:
        return "elite"
    if value < high:
        return "high"
    return "medium" if value < medium else "low"


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile (``q`` in 0..1) of ``values``; None without any."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def failures_of(
    deployments: Sequence[Deployment],
    incidents: Sequence[IncidentView],
    *,
    window: timedelta = INCIDENT_WINDOW,
) -> list[Failure]:
    """Rolled-back deployments, and promotions followed by an incident within ``window``
    (an incident counts against the latest promotion before it, once)."""
    failures = [
        Failure(
            d.name, d.version, d.finished_at, "rolled back", _seconds(d.started_at, d.finished_at)
        )
        for d in deployments
        if d.outcome == "rolled_back"
    ]
    promoted = sorted(
        (d for d in deployments if d.outcome == "promoted"), key=lambda d: d.finished_at
    )
    blamed: set[int] = set()
    for incident in sorted(incidents, key=lambda i: i.opened_at):
        before = [i for i, d in enumerate(promoted) if d.finished_at <= incident.opened_at]
        if not before or incident.opened_at - promoted[before[-1]].finished_at > window:
            continue
        if before[-1] in blamed:
            continue
        blamed.add(before[-1])
        deployment = promoted[before[-1]]
        restored = incident.mitigated_at or incident.resolved_at
        restore = _seconds(incident.opened_at, restored) if restored else None
        why = f"incident #{incident.id} ({incident.title}) opened after the promotion"
        failures.append(
            Failure(deployment.name, deployment.version, incident.opened_at, why, restore)
        )
    return sorted(failures, key=lambda f: f.at)


def dora(
    deployments: Sequence[Deployment],
    incidents: Sequence[IncidentView],
    *,
    since: datetime,
    until: datetime,
    window: timedelta = INCIDENT_WINDOW,
) -> DoraReport:
    """The four measures of the deployments that finished in ``[since, until)``; incidents
    opened up to ``window`` after a promotion in the period count as its failure."""
    inside = [d for d in deployments if since <= d.finished_at < until]
    promoted = [d for d in inside if d.outcome == "promoted"]
    changes = [d for d in inside if d.outcome != "aborted"]
    days = max((until - since).total_seconds() / DAY, 1e-9)
    per_day = len(promoted) / days
    leads = [
        _seconds(d.committed_at, d.finished_at) for d in promoted if d.committed_at is not None
    ]
    failures = failures_of(inside, incidents, window=window)
    restores = [f.restore_seconds for f in failures if f.restore_seconds is not None]
    rate = len(failures) / len(changes) if changes else None
    lead = median(leads) if leads else None
    restore = median(restores) if restores else None
    bands: dict[str, Band | None] = {
        "deployment_frequency": frequency_band(per_day) if inside else None,
        "lead_time": lead_time_band(lead) if lead is not None else None,
        "change_failure_rate": failure_rate_band(rate) if rate is not None else None,
        "time_to_restore": restore_band(restore) if restore is not None else None,
    }
    return DoraReport(
        since=since,
        until=until,
        deployments=len(promoted),
        changes=len(changes),
        per_day=per_day,
        per_week=per_day * 7,
        lead_time_median_seconds=lead,
        lead_time_p90_seconds=percentile(leads, 0.9),
        change_failure_rate=rate,
        restore_median_seconds=restore,
        bands=bands,
        failures=failures,
        aborted=len(inside) - len(changes),
        without_commit_time=len(promoted) - len(leads),
    )


def spoken(seconds: float | None) -> str:
    """``2d 03h``, ``1h 05m``, ``4m 10s``, or ``—``."""
    if seconds is None:
        return "—"
    left = int(seconds)
    days, left = divmod(left, 86400)
    hours, left = divmod(left, 3600)
    minutes, secs = divmod(left, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def measures(report: DoraReport) -> list[dict[str, str]]:
    """The four measures as lines of ``measure``, ``value`` and ``band`` (CLI and page)."""
    bands = {k: v or "—" for k, v in report.bands.items()}
    rate = report.change_failure_rate
    median_lead, p90_lead = report.lead_time_median_seconds, report.lead_time_p90_seconds
    return [
        {
            "measure": "deployment frequency",
            "value": f"{report.per_day:.2f}/day, {report.per_week:.1f}/week "
            f"({report.deployments} promoted)",
            "band": bands["deployment_frequency"],
        },
        {
            "measure": "lead time for changes",
            "value": f"median {spoken(median_lead)}, p90 {spoken(p90_lead)}",
            "band": bands["lead_time"],
        },
        {
            "measure": "change failure rate",
            "value": "—"
            if rate is None
            else f"{rate:.0%} ({len(report.failures)} of {report.changes})",
            "band": bands["change_failure_rate"],
        },
        {
            "measure": "time to restore",
            "value": f"median {spoken(report.restore_median_seconds)}",
            "band": bands["time_to_restore"],
        },
    ]


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def commit_time(sha: str, repo: Path) -> datetime | None:
    """The committer time of ``sha`` in the git repository at ``repo`` (None when git, the
    repository or the commit is not there)."""
    if sha.startswith("-"):  # an option, not a commit
        return None
    try:
        done = subprocess.run(
            ["git", "show", "-s", "--format=%cI", sha, "--"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return datetime.fromisoformat(done.stdout.strip())


def latest_per_rollout(records: Iterable[StoredEvidence]) -> list[StoredEvidence]:
    """One record per rollout, its newest: a blue-green rollout switched back within
    ``keep_old`` ends twice (promoted, then rolled back) and counts once, as rolled back."""

    def key(record: StoredEvidence) -> tuple[str, object, object]:
        return (record.subject, record.values.get("rollout_id"), record.values.get("started_at"))

    listed = list(records)
    newest: dict[tuple[str, object, object], StoredEvidence] = {}
    for record in listed:
        if key(record) not in newest or record.taken_at > newest[key(record)].taken_at:
            newest[key(record)] = record
    return [record for record in listed if newest[key(record)] is record]


def read_dora(
    store: Store,
    *,
    since: datetime,
    until: datetime,
    window: timedelta = INCIDENT_WINDOW,
    repo: Path | None = None,
) -> DoraReport:
    """DORA over ``[since, until)`` from the store: each finished rollout's evidence (kind
    ``rollout``) and the incidents opened up to ``window`` after the period's start; a commit
    without a stored ``committed_at`` is looked up in the git repository at ``repo``."""
    found = latest_per_rollout(
        evidence(store, kind="rollout", since=since, until=until, limit=100_000).items
    )
    times: dict[str, datetime | None] = {}
    deployments = []
    for record in found:
        values = record.values
        commit = values.get("commit")
        committed = values.get("committed_at")
        committed_at = datetime.fromisoformat(committed) if committed else None
        if committed_at is None and commit and repo is not None:
            if commit not in times:
                times[commit] = commit_time(commit, repo)
            committed_at = times[commit]
        outcome = values.get("state")
        if outcome not in ("promoted", "rolled_back", "aborted"):
            continue
        deployments.append(
            Deployment(
                name=record.subject,
                version=str(values.get("version", "")),
                outcome=outcome,
                started_at=datetime.fromisoformat(values["started_at"]),
                finished_at=record.taken_at,
                commit=commit,
                committed_at=committed_at,
            )
        )
    with store.reading("read incidents for DORA") as connection:
        incidents = incident_queries.list_incidents(
            connection, since=since, until=until + window, limit=1_000_000
        )
    return dora(deployments, incidents, since=since, until=until, window=window)
