"""DORA's measures: frequency, lead time, change failure rate, time to restore, and bands."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.config.oncall import Incidents
from golive.incidents.lifecycle import act, open_incident
from golive.records import EvidenceRecord, RunSummary
from golive.records.deployments import Deployment, Outcome
from golive.records.incidents import IncidentView
from golive.rollout.dora import (
    commit_time,
    dora,
    failure_rate_band,
    frequency_band,
    lead_time_band,
    percentile,
    read_dora,
    restore_band,
)
from golive.store import Store, normalise_url

START = datetime(2026, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)
INCIDENTS = Incidents.model_validate(
    {"severities": {"SEV2": {"from": "high", "respond_within": "15m"}}}
)


def deployment(
    day: float,
    outcome: Outcome = "promoted",
    *,
    lead: timedelta | None = None,
    took: timedelta = 10 * timedelta(minutes=1),
) -> Deployment:
    finished = START + timedelta(days=day)
    return Deployment(
        name="api",
        version=f"v{day:g}",
        outcome=outcome,
        started_at=finished - took,
        finished_at=finished,
        commit="abc123",
        committed_at=finished - lead if lead is not None else None,
    )


def incident(opened: datetime, mitigated: datetime | None = None, id: int = 1) -> IncidentView:
    return IncidentView(
        id=id,
        title="api down",
        severity="SEV2",
        state="mitigated" if mitigated else "triggered",
        opened_at=opened,
        opened_by="alert",
        mitigated_at=mitigated,
    )


def test_frequency_counts_promotions_per_day_and_week() -> None:
    shipped = [deployment(d) for d in (1, 2, 3, 4, 5, 6, 7)] + [deployment(8, "rolled_back")]
    report = dora(shipped, [], since=START, until=START + timedelta(days=14))
    assert (report.deployments, report.changes) == (7, 8)
    assert report.per_day == pytest.approx(0.5)
    assert report.per_week == pytest.approx(3.5)
    assert report.bands["deployment_frequency"] == "high"


def test_lead_time_runs_from_the_commit_to_the_promotion() -> None:
    leads = [1, 2, 3, 4, 5, 6, 7, 8, 9, 30]  # hours
    shipped = [deployment(i, lead=h * H) for i, h in enumerate(leads)] + [deployment(11)]
    report = dora(shipped, [], since=START, until=START + timedelta(days=30))
    assert report.lead_time_median_seconds == 5.5 * 3600
    assert report.lead_time_p90_seconds == 9 * 3600  # nearest rank: the 9th of 10
    assert report.without_commit_time == 1
    assert report.bands["lead_time"] == "elite"


def test_change_failure_rate_counts_rollbacks_and_incidents_after_a_promotion() -> None:
    shipped = [deployment(d) for d in range(1, 9)] + [
        deployment(9, "rolled_back", took=12 * timedelta(minutes=1)),
        deployment(10, "aborted"),
    ]
    # 3 h after day 2's promotion: its failure, restored (mitigated) in 40 minutes; a second
    # incident after the same promotion is not a second failure; one 2 days later is none
    incidents = [
        incident(
            START + timedelta(days=2) + 3 * H,
            START + timedelta(days=2) + 3 * H + 40 * timedelta(minutes=1),
        ),
        incident(START + timedelta(days=2) + 5 * H, id=2),
        incident(START + timedelta(days=8, hours=2) + 2 * timedelta(days=1), id=3),
    ]
    report = dora(shipped, incidents, since=START, until=START + timedelta(days=30))
    assert report.changes == 9 and report.aborted == 1
    assert report.change_failure_rate == pytest.approx(2 / 9)
    assert [f.why for f in report.failures] == [
        "incident #1 (api down) opened after the promotion",
        "rolled back",
    ]
    assert sorted(f.restore_seconds or 0 for f in report.failures) == [12 * 60, 40 * 60]
    assert report.restore_median_seconds == 26 * 60
    assert report.bands["change_failure_rate"] == "low"
    assert report.bands["time_to_restore"] == "elite"


def test_only_deployments_finished_in_the_period_count() -> None:
    shipped = [deployment(-1), deployment(0), deployment(6.9), deployment(7)]
    report = dora(shipped, [], since=START, until=START + timedelta(days=7))
    assert report.deployments == 2


def test_an_empty_period_has_no_bands_and_no_rates() -> None:
    report = dora([], [], since=START, until=START + timedelta(days=30))
    assert report.change_failure_rate is None and report.lead_time_median_seconds is None
    assert set(report.bands.values()) == {None}
    assert report.as_dict()["per_week"] == 0


@pytest.mark.parametrize(
    ("per_day", "band"),
    [(3, "elite"), (1, "elite"), (0.2, "high"), (1 / 7, "high"), (0.05, "medium"), (0.02, "low")],
)
def test_frequency_bands(per_day: float, band: str) -> None:
    assert frequency_band(per_day) == band


def test_the_other_bands_follow_the_2023_report() -> None:
    assert [lead_time_band(h * 3600) for h in (23, 24, 24 * 7, 24 * 30)] == [
        "elite",
        "high",
        "medium",
        "low",
    ]
    assert [failure_rate_band(r) for r in (0.05, 0.1, 0.15, 0.16)] == [
        "elite",
        "high",
        "medium",
        "low",
    ]
    assert [restore_band(h * 3600) for h in (0.5, 1, 24, 24 * 7)] == [
        "elite",
        "high",
        "medium",
        "low",
    ]
    assert percentile([], 0.5) is None and percentile([3.0, 1.0, 2.0], 0.5) == 2.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


def rollout_evidence(
    store: Store, at: datetime, state: str, commit: str | None, **more: str
) -> None:
    """What the rollout helper stores when a rollout ends (kind ``rollout``)."""
    values = {
        "rollout_id": 1,
        "version": "v2",
        "commit": commit,
        "state": state,
        "strategy": "canary",
        "started_at": (at - 10 * timedelta(minutes=1)).isoformat(),
        **more,
    }
    record = EvidenceRecord(
        "rollout", "api", state == "promoted", at, at + timedelta(days=90), values=values
    )
    store.record_run(RunSummary("rollout", "", at - 10 * timedelta(minutes=1), at), [record])


def git_repo(path: Path, when: str) -> str:
    env = {
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "HOME": str(path),
        "PATH": "/usr/bin:/bin",
    }
    path.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=path, env=env, check=True, capture_output=True, text=True
        )

    run("init", "-q")
    run(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "x",
    )
    return run("rev-parse", "HEAD").stdout.strip()


def test_commit_time_is_the_committer_time_in_the_repository(tmp_path: Path) -> None:
    sha = git_repo(tmp_path / "repo", "2026-03-01T08:00:00+00:00")
    assert commit_time(sha, tmp_path / "repo") == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert commit_time("0" * 40, tmp_path / "repo") is None
    assert commit_time("--help", tmp_path / "repo") is None
    assert commit_time(sha, tmp_path) is None  # not a repository


def test_read_dora_reads_rollout_evidence_incidents_and_commit_times(
    store: Store, tmp_path: Path
) -> None:
    sha = git_repo(tmp_path / "repo", "2026-03-02T08:00:00+00:00")
    rollout_evidence(store, START + timedelta(days=1, hours=10), "promoted", sha)  # lead 2 h
    rollout_evidence(
        store,
        START + timedelta(days=3),
        "promoted",
        "feed",
        committed_at="2026-03-03T20:00:00+00:00",
    )
    rollout_evidence(store, START + timedelta(days=5), "rolled_back", None)
    rollout_evidence(store, START + timedelta(days=6), "aborted", None)
    seen = open_incident(
        store,
        INCIDENTS,
        title="api slow",
        severity="SEV2",
        at=START + timedelta(days=3, hours=2),
        actor="alice",
    )
    act(store, seen.id, "resolve", at=START + timedelta(days=3, hours=3), actor="alice")
    report = read_dora(store, since=START, until=START + timedelta(days=7), repo=tmp_path / "repo")
    assert (report.deployments, report.changes, report.aborted) == (2, 3, 1)
    assert report.lead_time_median_seconds == (2 * 3600 + 4 * 3600) / 2
    assert report.change_failure_rate == pytest.approx(2 / 3)
    assert [f.why for f in report.failures] == [
        "incident #1 (api slow) opened after the promotion",
        "rolled back",
    ]
    assert report.failures[0].restore_seconds == 3600


def test_a_blue_green_switched_back_within_keep_old_counts_once_as_rolled_back(
    store: Store,
) -> None:
    promoted_at = START + timedelta(days=1)
    started = (promoted_at - timedelta(minutes=10)).isoformat()
    rollout_evidence(store, promoted_at, "promoted", None, started_at=started)
    rollout_evidence(
        store, promoted_at + timedelta(minutes=5), "rolled_back", None, started_at=started
    )
    report = read_dora(store, since=START, until=START + timedelta(days=7))
    assert (report.deployments, report.changes) == (0, 1)
    assert [f.why for f in report.failures] == ["rolled back"]
