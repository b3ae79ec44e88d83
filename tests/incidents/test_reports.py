"""The operations reports: what they add up from the store, their Markdown, and sending them
at the local time once per period (across a restart, across the November change)."""

from __future__ import annotations

import asyncio
import importlib.util
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.incidents.report_schedule import due_slots, send_due
from golive.incidents.report_text import NOT_YET_INCIDENTS, markdown, title
from golive.incidents.reports import build_report
from golive.serve.runtime import ServeRuntime
from golive.serve.services import SERVICES
from golive.store import Store, normalise_url
from golive.store.gate import SignoffView, add_signoff
from golive.store.outbox import list_notifications
from golive.store.state import flush
from tests.devkit.web import check_status, seed_incident, seed_notification, seed_rollup

INCIDENTS_RECORDED = importlib.util.find_spec("golive.incidents.stats") is not None
CONFIG = """\
version: 1
project: shop
store: sqlite:///golive.db
components: [{name: API}, {name: Database}]
checks:
  - {name: api-health, component: API, tcp: {host: 127.0.0.1, port: 1}}
  - {name: db, component: Database, tcp: {host: 127.0.0.1, port: 2}}
notify:
  channels:
    - {name: ops-email, url: "json://127.0.0.1:9/ops"}
gate:
  - {name: Runbook reviewed, manual: true}
reports:
  daily: {at: "08:00", timezone: America/New_York, to: [ops-email]}
  weekly: {at: "monday 08:00", timezone: America/New_York, to: [ops-email]}
"""
END = datetime(2026, 11, 2, 13, tzinfo=UTC)  # Monday 08:00 EST
START = END - timedelta(days=1)


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    return load_config(path, environ={})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    yield opened
    opened.close()


def seed_a_day(store: Store, loaded: LoadedConfig) -> None:
    seed_rollup(store, "api-health", START + timedelta(hours=1), runs=60, failures=3)
    seed_rollup(store, "api-health", START + timedelta(hours=2), runs=60, failures=0)
    seed_rollup(store, "api-health", START - timedelta(hours=2), runs=60, failures=60)  # before
    seed_rollup(store, "db", START + timedelta(hours=5), runs=30, failures=0)
    flush(
        store,
        environment="test",
        statuses=[check_status("api-health", "down"), check_status("db", "up")],
        evidence=[],
        buckets=[],
    )
    seed_incident(store, "a1", START + timedelta(hours=3), lasted=timedelta(minutes=30))
    seed_incident(store, "a2", START + timedelta(hours=9), lasted=timedelta(minutes=90))
    seed_notification(
        store, "n1", START + timedelta(hours=3), status="failed", last_error="HTTP 404"
    )
    seed_notification(store, "n2", START + timedelta(hours=4), status="delivered")
    add_signoff(
        store,
        SignoffView(
            id=0,
            item="Runbook reviewed",
            environment=loaded.environment,
            signed_by="ada",
            note="",
            signed_at=END - timedelta(days=80),
            expires_at=END + timedelta(days=10),
        ),
    )


def test_the_daily_report_adds_up_the_period(store: Store, loaded: LoadedConfig) -> None:
    seed_a_day(store, loaded)
    report = build_report(store, loaded, "daily", start=START, end=END)
    api, database = report.components
    assert (api.name, api.state, api.runs, api.failures) == ("API", "down", 120, 3)
    assert api.uptime == pytest.approx(117 / 120)
    assert (database.state, database.uptime) == ("up", 1.0)
    (alert,) = report.alerts
    assert (alert.name, alert.fired, alert.resolved) == ("api-health", 2, 2)
    assert report.alert_mttr_seconds == 3600.0  # 30 and 90 minutes
    assert report.failed_notifications == 1 and report.failures[0].error == "HTTP 404"
    assert [(s.item, s.signed_by) for s in report.expiring] == [("Runbook reviewed", "ada")]
    assert (report.incidents is not None) is INCIDENTS_RECORDED


def test_the_markdown_has_every_section(store: Store, loaded: LoadedConfig) -> None:
    seed_a_day(store, loaded)
    report = build_report(store, loaded, "daily", start=START, end=END)
    text = markdown(report)
    assert "| API | down | 97.50% | 120 | 3 |" in text
    assert "| Database | up | 100.00% | 30 | 0 |" in text
    assert "2 fired, 2 resolved; mean time to resolve 1h 00m." in text
    assert "HTTP 404" in text and "Runbook reviewed: signed by ada" in text
    assert (NOT_YET_INCIDENTS in text) is not INCIDENTS_RECORDED
    assert title(report) == (
        "shop: daily report to 2026-11-02: 1 component(s) down, 2 alert(s) fired,"
        " 1 notification(s) failed"
    )
    assert report.as_dict()["components"][0]["uptime"] == pytest.approx(0.975)


def test_reports_are_due_at_eight_local_on_both_sides_of_the_november_change(
    loaded: LoadedConfig,
) -> None:
    before = datetime(2026, 10, 30, 12, tzinfo=UTC)  # Friday 08:00 EDT
    assert [(p, s) for p, _, s in due_slots(loaded, before)] == [("daily", before)]
    assert due_slots(loaded, before - timedelta(minutes=1)) == []  # yesterday's is 24 h old
    assert due_slots(loaded, END - timedelta(hours=1)) == []  # 07:00 EST
    assert [(p, start) for p, start, _ in due_slots(loaded, END)] == [
        ("daily", datetime(2026, 11, 1, 13, tzinfo=UTC)),
        ("weekly", datetime(2026, 10, 26, 12, tzinfo=UTC)),  # 08:00 EDT a week before
    ]


def test_a_report_is_written_once_per_period_even_across_a_restart(
    tmp_path: Path, store: Store, loaded: LoadedConfig
) -> None:
    assert send_due(store, loaded, END) == 2  # the daily and the weekly, to ops-email
    assert send_due(store, loaded, END + timedelta(minutes=1)) == 0
    store.close()
    again = Store.open(normalise_url("sqlite:///golive.db", tmp_path))  # a new process
    try:
        assert send_due(again, loaded, END + timedelta(hours=5)) == 0
        assert send_due(again, loaded, END + timedelta(days=1)) == 1  # the next daily
        rows = list_notifications(again)
    finally:
        again.close()
    assert sorted(r.kind for r in rows) == ["report", "report", "report"]
    assert all(r.channel == "ops-email" and "## Health and uptime" in r.body for r in rows)


def test_golive_serve_runs_the_reports_service_when_reports_are_configured(
    store: Store, loaded: LoadedConfig
) -> None:
    runtime = ServeRuntime(
        loaded, store=store, clock=ManualClock(END), environ={}, services=SERVICES
    )
    (service,) = [s for s in runtime.services if s.name == "reports"]
    asyncio.run(service.tick(END))
    assert len(list_notifications(store)) == 2
    bare = loaded.config.model_copy(update={"reports": type(loaded.config.reports)()})
    quiet = ServeRuntime(
        LoadedConfig(**{**vars(loaded), "config": bare}),
        store=store,
        clock=ManualClock(END),
        environ={},
        services=SERVICES,
    )
    assert "reports" not in [s.name for s in quiet.services]


def test_a_report_shows_each_slos_attainment_and_budget_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        textwrap.dedent(CONFIG)
        + "slos:\n  - {name: availability, objective: 99%, window: 30d, sli: {check: api-health}}\n"
    )
    with_slo = load_config(path, environ={})
    opened = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    try:
        seed_a_day(opened, with_slo)
        report = build_report(opened, with_slo, "daily", start=START, end=END)
    finally:
        opened.close()
    assert report.slos is not None
    (slo,) = report.slos
    # 180 runs in the window (the hour before START counts: the window is 30 days), 63 failed
    assert (slo["name"], slo["good"], slo["total"]) == ("availability", 117, 180)
    assert slo["attainment"] == pytest.approx(117 / 180)
    text = markdown(report)
    assert "- availability: 65.00% of 99.00% over 30d, budget left 0.00%" in text
