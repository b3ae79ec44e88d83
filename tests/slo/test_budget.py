"""SLO arithmetic against hand-computed examples and the SRE workbook / Sloth tables."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from golive.slo.budget import (
    WORKBOOK,
    Counts,
    alert_windows,
    attainment,
    budget,
    burn_rate,
    burn_rules,
    exhausted_at,
    firing,
    scaled,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def test_the_workbook_rows_consume_2_5_10_and_10_percent_of_a_30_day_budget() -> None:
    shares = [round(rule.budget_share(30 * D), 6) for rule in WORKBOOK]
    assert shares == [0.02, 0.05, 0.1, 0.1]


def test_a_30_day_slo_keeps_the_workbook_windows_and_factors() -> None:
    rows = [(r.kind, r.long, r.short, r.factor) for r in burn_rules(30 * D)]
    assert rows == [
        ("page", H, 5 * M, 14.4),
        ("page", 6 * H, 30 * M, 6.0),
        ("ticket", D, 2 * H, 3.0),
        ("ticket", 3 * D, 6 * H, 1.0),
    ]


def test_a_7_day_slo_scales_the_windows_by_7_30_and_keeps_the_budget_shares() -> None:
    rules = burn_rules(7 * D)
    # 1 h x 7/30 = 14 min; 5 min x 7/30 = 70 s -> 1 min; 6 h -> 84 min; 30 min -> 7 min;
    # 1 d -> 336 min; 2 h -> 28 min; 3 d -> 1008 min; 6 h -> 84 min
    assert [(r.long, r.short) for r in rules] == [
        (14 * M, 1 * M),
        (84 * M, 7 * M),
        (336 * M, 28 * M),
        (1008 * M, 84 * M),
    ]
    assert [round(r.budget_share(7 * D), 6) for r in rules] == [0.02, 0.05, 0.1, 0.1]
    assert alert_windows(7 * D) == (M, 7 * M, 14 * M, 28 * M, 84 * M, 336 * M, 1008 * M)


def test_a_scaled_window_is_never_shorter_than_a_minute() -> None:
    assert scaled(timedelta(hours=1), 5 * M) == M


def test_burn_rate_is_the_error_ratio_over_the_allowed_error_ratio() -> None:
    # 99.9 %: 0.1 % may fail; 1,440 of 100,000 failed = 1.44 % = 14.4x (Sloth: 14.4 * 0.001)
    assert burn_rate(Counts(good=98_560, total=100_000), 0.999) == pytest.approx(14.4)
    assert burn_rate(Counts(good=95, total=100), 0.95) == pytest.approx(1.0)
    assert burn_rate(Counts(good=0, total=0), 0.999) is None
    assert burn_rate(Counts(good=10, total=10), 1.0) == 0.0
    assert burn_rate(Counts(good=9, total=10), 1.0) == math.inf


def test_the_budget_counts_bad_events_against_the_allowed_share() -> None:
    # 99.9 % over 1,000,000 runs allows 1,000 failures; 250 failed: 75 % remains
    spent = budget(Counts(good=999_750, total=1_000_000), 0.999)
    assert spent.total == pytest.approx(1_000)
    assert spent.consumed == pytest.approx(250)
    assert spent.remaining == pytest.approx(750)
    assert spent.remaining_share == pytest.approx(0.75)
    assert spent.consumed_share == pytest.approx(0.25)
    over = budget(Counts(good=997, total=1_000), 0.999)
    assert over.remaining_share == pytest.approx(-2.0)
    assert attainment(Counts(good=997, total=1_000)) == pytest.approx(0.997)
    assert attainment(Counts(0, 0)) is None


def test_the_budget_runs_out_after_the_remaining_share_of_the_window_over_the_burn_rate() -> None:
    # 75 % left of a 30-day budget, burning at 2x: 0.75 x 30 d / 2 = 11.25 days
    assert exhausted_at(0.75, 2.0, 30 * D, NOW) == NOW + timedelta(days=11, hours=6)
    assert exhausted_at(0.75, 0.0, 30 * D, NOW) is None
    assert exhausted_at(-0.1, 2.0, 30 * D, NOW) == NOW
    assert exhausted_at(None, 2.0, 30 * D, NOW) is None


def test_a_page_fires_only_when_both_windows_of_a_row_burn_above_its_factor() -> None:
    rules = burn_rules(30 * D)
    rates: dict[timedelta, float | None] = {H: 15.0, 5 * M: 14.0, 6 * H: 2.0, 30 * M: 20.0}
    assert not firing(rules, rates, "page")  # the 1 h burns, the 5 min has stopped
    rates[5 * M] = 14.5
    assert firing(rules, rates, "page")
    assert not firing(rules, rates, "ticket")
    assert firing(rules, {D: 3.5, 2 * H: 3.1}, "ticket")
    assert not firing(rules, {D: 3.5, 2 * H: None}, "ticket")
