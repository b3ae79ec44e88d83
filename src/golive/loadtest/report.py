"""A run's figures: achieved vs asked rate, per-class percentiles, the SLA table, the verdict."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from golive.config.slo import LoadTest
from golive.loadtest import histogram
from golive.loadtest.plan import Plan
from golive.records.histogram import Histogram, Recorder

PERCENTILES = (50, 90, 95, 99)
CURVE = (0, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100)  # the latency distribution kept
KEEPS_UP = 0.95  # achieved below this share of the asked rate fails the run
Verdict = Literal["PASS", "FAIL"]


def stats(h: Histogram, count: int, errors: int) -> dict[str, Any]:
    row: dict[str, Any] = {"count": count, "errors": errors}
    *found, top = histogram.ms_at_each(h, [*PERCENTILES, 100])
    for p, ms in zip(PERCENTILES, found, strict=True):
        row[f"p{p}_ms"] = round(ms, 3)
    row["max_ms"] = round(top, 3)
    return row


def curve(h: Histogram) -> list[list[float]]:
    """[percentile, ms] pairs: enough to draw the latency distribution."""
    return [[p, round(ms, 3)] for p, ms in zip(CURVE, histogram.ms_at_each(h, CURVE), strict=True)]


@dataclass(frozen=True)
class LoadReport:
    """Everything ``golive loadtest --json`` prints, plus what the dashboard draws."""

    data: dict[str, Any]

    @property
    def verdict(self) -> Verdict:
        verdict: Verdict = self.data["verdict"]
        return verdict

    @property
    def ok(self) -> bool:
        return self.verdict == "PASS"

    @property
    def reasons(self) -> list[str]:
        reasons: list[str] = self.data["reasons"]
        return reasons


def build(test: LoadTest, plan: Plan, tallies: list[dict[str, Any]]) -> LoadReport:
    """Merge the workers' tallies (histograms add exactly) and judge them against the SLA."""
    by_class: dict[str, dict[str, Any]] = {}
    curves: dict[str, list[list[float]]] = {}
    overall = Recorder()
    for klass in plan.classes:
        parts = [t["classes"][klass] for t in tallies if klass in t["classes"]]
        h = histogram.merged([p["histogram"] for p in parts])
        overall.add(h)
        count, errors = sum(p["count"] for p in parts), sum(p["errors"] for p in parts)
        by_class[klass] = stats(h, count, errors)
        curves[klass] = curve(h)
    overall_h = overall.freeze()
    done = sum(t["done"] for t in tallies)
    errors = sum(t["errors"] for t in tallies)
    sent = sum(t["sent"] for t in tallies)
    unsent = sum(t["unsent"] for t in tallies)
    window = max((t["window_s"] for t in tallies), default=0.0)
    elapsed = max((t["elapsed_s"] for t in tallies), default=0.0)
    achieved = sent / window if window > 0 else 0.0
    interrupted = any(t["interrupted"] for t in tallies) or len(tallies) < len(plan.workers)
    error_rate = errors / done if done else 0.0
    kinds: Counter[str] = Counter()
    for t in tallies:
        kinds.update(t["error_kinds"])
    sla = _sla(test, by_class, error_rate)
    reasons = [_failed(row) for row in sla if not row["ok"]]
    warnings = []
    if plan.users is not None:
        warnings.append(
            f"closed model ({plan.users} users), the weaker model: latencies are corrected as wrk2"
            " does (expected"
            f" interval {plan.users / plan.rate * 1000:g} ms per user), but users wait for"
            " answers, so a stall is only estimated; an open model (no `users:`) measures it"
        )
    if achieved < KEEPS_UP * plan.rate and not interrupted:
        short = f" ({unsent} due requests never sent)" if unsent else ""
        reasons.append(f"achieved {achieved:.1f}/s of the asked {plan.rate:g}/s{short}")
    lag = max((t["max_lag_ms"] for t in tallies), default=0.0)
    if lag > 50:
        warnings.append(
            f"the generator sent up to {lag:.0f} ms late (this machine was busy); those"
            " requests count their latency from when they were due"
        )
    if interrupted:
        reasons.append(f"stopped early, after {elapsed:.1f}s of {plan.duration_s:g}s")
    if done == 0:
        reasons.append("no request was answered")
    data: dict[str, Any] = {
        "name": plan.name,
        "verdict": "FAIL" if reasons else "PASS",
        "asked_rate": plan.rate,
        "achieved_rate": round(achieved, 2),
        "duration_s": round(elapsed, 3),
        "requests": done,
        "unsent": unsent,
        "errors": errors,
        "error_rate": round(error_rate, 6),
        "overall": stats(overall_h, done, errors),
        "classes": by_class,
        "sla": sla,
        "model": "open" if plan.users is None else "closed",
        "users": plan.users,
        "workers": len(plan.workers),
        "base_url": plan.base_url,
        "interrupted": interrupted,
        "error_kinds": dict(kinds.most_common(10)),
        "max_lag_ms": round(lag, 3),
        "generator_cpu_s": round(sum(t["cpu_s"] for t in tallies), 3),
        "distribution": {"overall": curve(overall_h), **curves},
        "reasons": reasons,
        "warnings": warnings,
    }
    return LoadReport(data)


def _sla(
    test: LoadTest, classes: dict[str, dict[str, Any]], error_rate: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for klass, target in test.sla.items():
        for stat in ("p50", "p90", "p95", "p99"):
            limit = getattr(target, stat)
            if limit is None:
                continue
            row = classes.get(klass, {})
            value = row.get(f"{stat}_ms", 0.0)
            limit_ms = limit.total_seconds() * 1000
            ok = bool(row.get("count")) and value <= limit_ms
            rows.append({"class": klass, "stat": stat, "limit": limit_ms, "value": value, "ok": ok})
    if test.error_rate is not None:
        ok = error_rate <= test.error_rate
        rows.append(
            {
                "class": "overall",
                "stat": "error_rate",
                "limit": test.error_rate,
                "value": round(error_rate, 6),
                "ok": ok,
            }
        )
    return rows


def _failed(row: dict[str, Any]) -> str:
    if row["stat"] == "error_rate":
        return f"error rate {row['value']:.2%} > {row['limit']:.2%}"
    return f"{row['class']} {row['stat']} {row['value']:.1f} ms > {row['limit']:g} ms"
