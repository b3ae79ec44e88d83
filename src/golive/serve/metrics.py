"""golive's own Prometheus metrics (served on `/metrics`), on a registry of its own."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from golive.engine.results import CheckResult
from golive.records import CheckStatus

STATE_VALUE = {"up": 1, "down": 0, "unknown": -1}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """Every metric golive exports about itself."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.check_up = Gauge(
            "golive_check_up", "1 up, 0 down, -1 unknown", ["check", "component"], registry=r
        )
        self.check_latency = Gauge(
            "golive_check_latency_seconds", "Latency of the last run", ["check"], registry=r
        )
        self.probe_latency = Histogram(
            "golive_probe_latency_seconds",
            "Probe latency by kind",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.runs = Counter(
            "golive_check_runs_total", "Check runs by verdict", ["result"], registry=r
        )
        self.lag = Histogram(
            "golive_schedule_lag_seconds",
            "Time from a check's due time to its start",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.skipped = Counter(
            "golive_schedule_skipped_total", "Runs skipped: previous run still going", registry=r
        )
        self.dispatch_lost = Counter(
            "golive_dispatch_lost_total",
            "Runs sent to a region's workers, never answered",
            registry=r,
        )
        self.dispatch_failures = Counter(
            "golive_dispatch_send_failures_total",
            "Batches of runs the broker did not take",
            registry=r,
        )
        self.alerts = Gauge("golive_alerts", "Alerts by state", ["state"], registry=r)
        self.outbox = Gauge(
            "golive_outbox_notifications", "Outbox rows by status", ["status"], registry=r
        )
        self.deliveries = Counter(
            "golive_notifications_delivered_total",
            "Notifications delivered",
            ["channel"],
            registry=r,
        )
        self.delivery_failures = Counter(
            "golive_notification_failures_total",
            "Failed delivery attempts",
            ["channel", "permanent"],
            registry=r,
        )
        self.cycle_errors = Counter(
            "golive_cycle_errors_total", "Errors in a serve cycle step", ["step"], registry=r
        )
        self.cycle_seconds = Histogram(
            "golive_cycle_seconds", "Duration of one serve cycle", registry=r
        )

    def observe_results(
        self, results: list[CheckResult], statuses: Mapping[str, CheckStatus]
    ) -> None:
        """Count ``results`` and set each check's gauges from its last one: per batch, not per
        result (a heartbeat pinged 2,000 times a second sends that many results a second)."""
        verdicts: dict[str, int] = {}
        kinds: dict[str, Histogram] = {}  # probe kind → its latency histogram
        last: dict[str, tuple[CheckResult, float]] = {}
        for result in results:
            verdict = "inconclusive" if result.inconclusive else "pass" if result.ok else "fail"
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
            latency = (result.latency_ms or 0) / 1000
            histogram = kinds.get(result.kind)
            if histogram is None:
                histogram = kinds[result.kind] = self.probe_latency.labels(result.kind)
            histogram.observe(latency)
            last[result.name] = (result, latency)
        for verdict, count in verdicts.items():
            self.runs.labels(verdict).inc(count)
        for name, (result, latency) in last.items():
            self.check_latency.labels(name).set(latency)
            status = statuses.get(name)
            if status is not None:
                self.check_up.labels(name, result.component or "").set(STATE_VALUE[status.state])
