"""`golive loadtest NAME`: run one configured load test and keep its report as evidence."""

from __future__ import annotations

import threading
from datetime import timedelta

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.config.slo import LoadTest
from golive.exceptions import UsageError
from golive.loadtest.plan import make_plan
from golive.loadtest.report import LoadReport, build
from golive.loadtest.workers import OnLive, run_plan
from golive.records import EvidenceRecord, RunSummary
from golive.store import Store

KIND = "loadtest"
KEPT_FOR = timedelta(days=7)  # the evidence's own expiry; gate items judge with their `fresh`


def find(loaded: LoadedConfig, name: str) -> LoadTest:
    tests = {t.name: t for t in loaded.config.loadtests}
    if name not in tests:
        raise UsageError.unknown("load test", name, list(tests))
    return tests[name]


def run_loadtest(
    loaded: LoadedConfig,
    name: str,
    *,
    store: Store,
    clock: Clock,
    rate: float | None = None,
    duration: timedelta | None = None,
    workers: int = 1,
    stop: threading.Event | None = None,
    on_live: OnLive | None = None,
) -> LoadReport:
    """Run the load test ``name`` (bounded by its config), store the report, return it."""
    test = find(loaded, name)
    plan = make_plan(test, rate=rate, duration=duration, workers=workers)
    started = clock.now()
    tallies = run_plan(plan, stop=stop or threading.Event(), on_live=on_live)
    report = build(test, plan, tallies)
    report = LoadReport(loaded.secrets.redact_data(report.data))
    finished = clock.now()
    record = EvidenceRecord(
        kind=KIND,
        subject=name,
        ok=report.ok,
        taken_at=started,
        expires_at=started + KEPT_FOR,
        latency_ms=report.data["overall"]["p95_ms"],
        error=None if report.ok else "; ".join(report.reasons),
        values=report.data,
    )
    store.record_run(RunSummary(KIND, loaded.environment, started, finished), [record])
    return report
