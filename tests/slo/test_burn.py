"""Multiwindow burn-rate alerts: the conditions generated from the workbook table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from golive.config.slo import AlertRule, Slo
from golive.probes.expect import compile_expression
from golive.slo.budget import Counts, budget, burn_rules, firing
from golive.slo.burn import burn_alerts, condition
from golive.slo.signals import burn_values, measured
from golive.slo.status import SloStatus

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def slo(window: str = "30d") -> Slo:
    return Slo.model_validate(
        {"name": "availability", "objective": "99.9%", "window": window, "sli": {"check": "api"}}
    )


RULE = AlertRule.model_validate(
    {"name": "availability-burn", "slo": "availability", "burn_rate": "multiwindow"}
)


def test_a_30_day_slo_pages_on_the_sloth_windows_and_tickets_on_the_slow_ones() -> None:
    rules = burn_rules(timedelta(days=30))
    # Sloth's page alert: 5m and 1h > 14.4 x budget, or 30m and 6h > 6 x budget
    assert condition(rules, "page") == (
        "(burn_1h > 14.4 && burn_5m > 14.4) || (burn_6h > 6 && burn_30m > 6)"
    )
    assert condition(rules, "ticket") == (
        "(burn_1d > 3 && burn_2h > 3) || (burn_3d > 1 && burn_6h > 1)"
    )


def test_one_rule_gives_a_page_and_a_ticket_alert_with_their_severities() -> None:
    page, ticket = burn_alerts([slo()], [RULE])
    assert (page.name, page.severity, page.labels) == (
        "availability-burn-page",
        "high",
        {"slo": "availability", "burn": "page"},
    )
    assert (ticket.name, ticket.severity) == ("availability-burn-ticket", "low")
    # a 7-day SLO's windows are scaled by 7/30
    page7, _ = burn_alerts([slo("7d")], [RULE])
    assert page7.when == "(burn_14m > 14.4 && burn_1m > 14.4) || (burn_84m > 6 && burn_7m > 6)"


@pytest.mark.parametrize(
    "rates",
    [
        {"1h": 15.0, "5m": 15.0, "6h": 1.0, "30m": 1.0, "1d": 1.0, "2h": 1.0, "3d": 0.5},
        {"1h": 15.0, "5m": 2.0, "6h": 7.0, "30m": 7.0, "1d": 4.0, "2h": 4.0, "3d": 1.2},
        {"1h": 15.0, "5m": 2.0, "6h": 7.0, "30m": 5.0, "1d": 2.0, "2h": 4.0, "3d": 1.2},
        {"1h": 0.0, "5m": 0.0, "6h": 0.0, "30m": 0.0, "1d": 0.0, "2h": 0.0, "3d": 0.0},
    ],
)
def test_the_cel_conditions_decide_as_the_table_does(rates: dict[str, float]) -> None:
    from golive.config.units import parse_duration

    by_window = {parse_duration(k): v for k, v in rates.items()}
    status = SloStatus(
        "availability",
        0.999,
        timedelta(days=30),
        "check api",
        NOW,
        Counts(1, 1),
        budget(Counts(1, 1), 0.999),
        dict(by_window),
        burn_rules(timedelta(days=30)),
        NOW,
    )
    values = burn_values(status)
    for alert in burn_alerts([slo()], [RULE]):
        outcome = compile_expression(alert.when, alert.fields).evaluate(values)
        assert outcome.error is None
        assert outcome.ok == firing(status.rules, dict(by_window), alert.kind)


def test_a_window_without_events_burns_nothing_and_a_missing_source_is_an_error() -> None:
    rules = burn_rules(timedelta(days=30))
    quiet = SloStatus(
        "availability",
        0.999,
        timedelta(days=30),
        "check api",
        NOW,
        Counts(0, 0),
        budget(Counts(0, 0), 0.999),
        dict.fromkeys((r.long for r in rules), None),
        rules,
        NOW,
    )
    [page, _] = measured(burn_alerts([slo()], [RULE]), {"availability": quiet})
    assert page.values["burn_1h"] == 0.0 and page.error is None
    blind = SloStatus(
        "availability",
        0.999,
        timedelta(days=30),
        "requests edge",
        NOW,
        Counts(0, 0),
        budget(Counts(0, 0), 0.999),
        {},
        rules,
        NOW,
        note="no request data for source 'edge'",
        unmeasurable=True,
    )
    [page, _] = measured(burn_alerts([slo()], [RULE]), {"availability": blind})
    assert page.error == "no request data for source 'edge'"
