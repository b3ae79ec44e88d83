"""``golive.scale.quorum``: a check's verdict from the latest run of each region."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.config import CheckBase, LoadedConfig, load_config
from golive.engine.results import CheckResult, Failure
from golive.scale.quorum import combine, majority, quorum_of, regions_of, seen, stale_after

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CONFIG = """\
version: 1
project: shop
store: "postgresql://golive@127.0.0.1:1/golive"
workers: {broker: "redis://127.0.0.1:1/0", regions: [a, b, c]}
checks:
  - name: web
    http: {url: "http://127.0.0.1:1/"}
    every: 10s
    timeout: 2s
  - name: api
    http: {url: "http://127.0.0.1:1/api"}
    regions: [a, b]
    quorum: 1
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return load_config(path, environ={})


@pytest.fixture
def web(loaded: LoadedConfig) -> CheckBase:
    return loaded.config.check("web")


def run(region: str, ok: bool, *, age: float = 1.0, late: bool = False) -> CheckResult:
    return CheckResult(
        name="web",
        component=None,
        kind="http",
        target="http://127.0.0.1:1/",
        ok=ok,
        latency_ms=10.0 if ok else 2000.0,
        error=None if ok else f"connection refused from {region}",
        failed=() if ok else (Failure("status == 200", {"status": 503}),),
        fields={"status": 200 if ok else 503, "seen_from": region},
        taken_at=NOW - timedelta(seconds=age),
        late_ms=500.0 if late else None,
    )


def judge(check: CheckBase, latest: dict[str, CheckResult | None]) -> CheckResult | None:
    regions = ["a", "b", "c"]
    return combine(check, latest, NOW, regions=regions, quorum=quorum_of(check, regions))


def test_the_default_regions_are_all_and_the_default_quorum_a_majority(
    loaded: LoadedConfig, web: CheckBase
) -> None:
    assert regions_of(loaded, web) == ["a", "b", "c"]
    assert quorum_of(web, ["a", "b", "c"]) == 2
    api = loaded.config.check("api")
    assert regions_of(loaded, api) == ["a", "b"] and quorum_of(api, ["a", "b"]) == 1
    assert [majority(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_one_failing_region_of_three_is_held_back_and_named(web: CheckBase) -> None:
    verdict = judge(web, {"a": run("a", True), "b": run("b", False), "c": run("c", True)})
    assert verdict is not None and verdict.ok and verdict.error is None
    assert verdict.fields["regions"] == {"a": "ok", "b": "fail", "c": "ok"}
    assert verdict.fields["seen_from"] == "a"  # a passing region's fields


def test_two_failing_regions_make_it_down_with_each_region_named(web: CheckBase) -> None:
    verdict = judge(web, {"a": run("a", False), "b": run("b", True), "c": run("c", False)})
    assert verdict is not None and not verdict.ok
    assert verdict.error == (
        "down in 2 of 3 regions (quorum 2): a: connection refused from a;"
        " c: connection refused from c"
    )
    assert verdict.fields["regions"] == {"a": "fail", "b": "ok", "c": "fail"}
    assert [f.expect for f in verdict.failed] == ["status == 200", "status == 200"]


def test_a_stale_region_counts_neither_up_nor_down(web: CheckBase) -> None:
    old = stale_after(web).total_seconds() + 1
    assert stale_after(web) == timedelta(seconds=22)  # two intervals and the timeout
    verdict = judge(web, {"a": run("a", False, age=old), "b": run("b", False), "c": run("c", True)})
    assert verdict is not None and verdict.ok  # a's old failure does not reach the quorum
    assert verdict.fields["regions"] == {"a": "stale", "b": "fail", "c": "ok"}


def test_no_verdict_when_too_few_fresh_regions_can_reach_the_quorum(web: CheckBase) -> None:
    assert judge(web, {"a": None, "b": run("b", False), "c": None}) is None
    assert judge(web, {"a": None, "b": None, "c": None}) is None


def test_an_inconclusive_run_is_late_not_a_failure(web: CheckBase) -> None:
    assert seen(web, run("a", False, late=True), NOW) == "late"
    verdict = judge(
        web, {"a": run("a", False, late=True), "b": run("b", False), "c": run("c", True)}
    )
    assert verdict is not None and verdict.ok
    assert verdict.fields["regions"]["a"] == "late"


def test_the_verdict_takes_the_newest_run_and_the_median_latency(web: CheckBase) -> None:
    verdict = judge(
        web, {"a": run("a", True, age=5), "b": run("b", True, age=1), "c": run("c", False)}
    )
    assert verdict is not None
    assert verdict.taken_at == NOW - timedelta(seconds=1)
    assert verdict.latency_ms == 10.0
