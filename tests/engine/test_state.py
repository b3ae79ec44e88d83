"""The state machine: thresholds before DOWN, before UP again, and when `since` moves."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from golive.engine.results import CheckResult
from golive.engine.state import advance
from golive.records import CheckStatus

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def result(ok: bool, minute: int) -> CheckResult:
    return CheckResult(
        "web",
        None,
        "http",
        "GET /",
        ok,
        1.0,
        None if ok else "boom",
        (),
        {},
        T0 + timedelta(minutes=minute),
    )


def run(oks: list[bool], *, fail_after: int = 3, recover_after: int = 2) -> list[CheckStatus]:
    status = CheckStatus.initial("web", T0)
    seen = []
    for minute, ok in enumerate(oks, start=1):
        status = advance(
            status, result(ok, minute), fail_after=fail_after, recover_after=recover_after
        )
        seen.append(status)
    return seen


def test_a_new_check_is_up_after_its_first_success() -> None:
    assert run([True])[-1].state == "up"


def test_it_goes_down_only_after_fail_after_failures() -> None:
    states = [s.state for s in run([True, False, False, False])]
    assert states == ["up", "up", "up", "down"]


def test_a_single_failure_between_successes_changes_nothing() -> None:
    assert [s.state for s in run([True, False, True, False, True])] == ["up"] * 5


def test_it_comes_back_up_after_recover_after_successes() -> None:
    states = [s.state for s in run([True, False, False, False, True, True])]
    assert states[-3:] == ["down", "down", "up"]


def test_since_is_the_time_of_the_change() -> None:
    statuses = run([True, False, False, False, False])
    assert statuses[-1].since == T0 + timedelta(minutes=4)
    assert statuses[-1].consecutive_failures == 4


def test_a_new_check_that_fails_is_down_after_fail_after() -> None:
    assert [s.state for s in run([False, False, False])] == ["unknown", "unknown", "down"]


def test_an_inconclusive_run_changes_nothing() -> None:
    (up,) = run([True])
    late = replace(result(False, 2), late_ms=1500.0)
    for _ in range(5):
        assert advance(up, late, fail_after=1, recover_after=1) == up
