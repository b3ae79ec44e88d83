"""SLIs read from a real store: check runs from rollups, ratio fields from stored runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from golive.config.slo import Slo
from golive.records import Bucket, EvidenceRecord
from golive.slo.sli import Reader
from golive.slo.status import budget_series, evaluate
from golive.store import Store
from golive.store.state import flush

NOW = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
H, M = timedelta(hours=1), timedelta(minutes=1)


def bucket(resolution: str, start: datetime, runs: int, failures: int) -> Bucket:
    found = Bucket("api", resolution, start)
    for i in range(runs):
        found.add(i >= failures, 10.0)
    return found


def record(store: Store, buckets: list[Bucket], evidence: tuple[EvidenceRecord, ...] = ()) -> None:
    flush(store, environment="test", statuses=[], evidence=list(evidence), buckets=buckets)


def test_a_check_sli_adds_whole_hours_and_the_minutes_at_both_edges(store: Store) -> None:
    # hours 10:00 and 11:00 (stored whole), minutes of 09:40-09:59 and 12:00-12:29
    record(
        store,
        [bucket("hour", NOW.replace(hour=h, minute=0), 60, f) for h, f in ((10, 3), (11, 1))]
        + [bucket("minute", NOW.replace(hour=9, minute=m), 2, 1) for m in range(40, 60)]
        + [bucket("minute", NOW.replace(hour=12, minute=m), 2, 0) for m in range(30)],
    )
    reader = Reader(store)
    slo = Slo.model_validate(
        {"name": "a", "objective": "99%", "window": "3h", "sli": {"check": "api"}}
    )
    # 09:30-12:30: minutes 09:40..09:59 (40 runs, 20 failed) + 120 hour runs (4 failed)
    # + minutes 12:00..12:29 (60 runs)
    counts = reader.counts(slo.sli, start=NOW - 3 * H, end=NOW)
    assert (counts.good, counts.total) == (220 - 24, 220)
    # 12:15-12:30: only minutes, 30 runs
    assert reader.counts(slo.sli, start=NOW - 15 * M, end=NOW).total == 30
    # 09:50-10:00 is inside one partial hour: 10 minutes of 2 runs
    assert (
        reader.counts(
            slo.sli, start=NOW.replace(hour=9, minute=50), end=NOW.replace(hour=10, minute=0)
        ).total
        == 20
    )


def test_an_slo_over_a_check_measures_attainment_budget_and_burn(store: Store) -> None:
    # a 3-day window: 72 whole hours of 120 runs; the last hour 12 failures, the rest none
    start = NOW.replace(minute=0) - 72 * H
    record(
        store,
        [bucket("hour", start + i * H, 120, 12 if i == 71 else 0) for i in range(72)]
        + [bucket("minute", start + 71 * H + i * M, 2, 0 if i < 24 else 1) for i in range(30)]
        + [bucket("minute", NOW.replace(minute=0) + i * M, 2, 0) for i in range(30)],
    )
    slo = Slo.model_validate(
        {"name": "a", "objective": "99%", "window": "3d", "sli": {"check": "api"}}
    )
    status = evaluate(slo, Reader(store), NOW)
    # the window starts 12:30 three days ago: no minute rows there (minutes of the edge are
    # gone), then 71 whole hours from 13:00 (the last one with 12 failures) and the 60 minute
    # runs of 12:00-12:29 today, none failed
    assert status.counts.total == 71 * 120 + 60
    assert status.counts.bad == 12
    assert status.budget.total == pytest.approx(0.01 * (71 * 120 + 60))
    # 3 d x 3/30 windows: 1 h -> 6 min; minutes 12:24-12:30 all good
    six = timedelta(minutes=6)
    assert status.burn[six] == 0.0
    # 3 d x 6 h / 30 d = 36 min: 11:54-12:30 is read from minute rows only, and the 11:00
    # hour's minute rows end at 11:29: 60 good runs
    assert status.burn[timedelta(minutes=36)] == 0.0
    assert status.exhausted_at is None  # not burning now
    assert status.attainment == pytest.approx(1 - 12 / (71 * 120 + 60))


def test_a_ratio_sli_is_the_mean_of_the_field_since_evidence_began(store: Store) -> None:
    runs = [
        EvidenceRecord("probe", "redis", True, NOW - i * M, NOW + H, values={"hit_rate": rate})
        for i, rate in enumerate([0.5, 0.9, None, 0.7, 1])
    ]
    record(store, [], tuple(runs))
    slo = Slo.model_validate(
        {
            "name": "hits",
            "objective": "70%",
            "window": "1d",
            "sli": {"ratio": {"check": "redis", "field": "hit_rate"}},
        }
    )
    status = evaluate(slo, Reader(store), NOW + M)
    assert status.counts.total == 4  # the run without a hit rate is skipped
    assert status.attainment == pytest.approx((0.5 + 0.9 + 0.7 + 1) / 4)
    assert status.since == NOW - 4 * M  # evidence covers the last four minutes only


def test_the_budget_series_ends_at_the_remaining_share_of_the_whole_window(store: Store) -> None:
    start = NOW.replace(minute=0) - 30 * H
    record(store, [bucket("hour", start + i * H, 100, 1 if i % 2 else 0) for i in range(30)])
    slo = Slo.model_validate(
        {"name": "a", "objective": "99%", "window": "30h", "sli": {"check": "api"}}
    )
    series = budget_series(slo, Reader(store), NOW.replace(minute=0))
    assert len(series) == 30
    # one failure every other hour against 1 allowed per hour: half the budget left at the end
    assert series[0][1] == pytest.approx(1.0)
    assert series[1][1] == pytest.approx(0.5)
    assert series[-1][1] == pytest.approx(0.5)


def test_burn_alerts_are_measured_from_the_stored_runs(store: Store) -> None:
    from golive.config.slo import AlertRule
    from golive.slo.signals import measure

    # the last 5 minutes: 10 runs a minute, 3 failed each (30 %): 300x a 99.9 % budget
    record(store, [bucket("minute", NOW - (i + 1) * M, 10, 3) for i in range(5)])
    slo = Slo.model_validate(
        {"name": "a", "objective": "99.9%", "window": "30d", "sli": {"check": "api"}}
    )
    rule = AlertRule.model_validate({"name": "a-burn", "slo": "a", "burn_rate": "multiwindow"})
    page, ticket = measure([slo], [rule], Reader(store), NOW)
    assert (page.alert, ticket.alert) == ("a-burn-page", "a-burn-ticket")
    assert page.values["burn_5m"] == pytest.approx(300.0)
    assert page.values["burn_1h"] == pytest.approx(300.0)  # only those 50 runs in the hour
    assert page.values["burn_3d"] == pytest.approx(300.0)
    assert page.target == "slo a (check api, 30d)"
