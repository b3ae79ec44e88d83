"""Heartbeats judged from pings and time: a run per end ping, a failed run per missed ping
(once each), a failed run for a start without an end within grace; cron in the check's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.config import load_config
from golive.config.later_checks import HeartbeatSpec
from golive.engine.heartbeats import (
    expected_after,
    heartbeat_result,
    latest_missed,
    overdue,
    receive,
    spec_of,
)
from golive.gate.registry import argument_models
from golive.records import HeartbeatState, Ping

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
NIGHTLY = HeartbeatSpec(cron="0 2 * * *", timezone="America/New_York", grace=timedelta(minutes=30))
HOURLY = HeartbeatSpec(period=timedelta(hours=1), grace=timedelta(minutes=5))


def test_a_cron_heartbeat_is_due_at_its_local_time() -> None:
    # 02:00 in New York is 07:00 UTC in December (EST) and 06:00 UTC in July (EDT)
    assert expected_after(NIGHTLY, T0) == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    july = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert expected_after(NIGHTLY, july) == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)


def test_a_ping_is_late_only_once_its_grace_has_passed() -> None:
    ping_at = datetime(2026, 12, 7, 7, 5, tzinfo=UTC)  # 02:05 in New York: on time
    due = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert latest_missed(NIGHTLY, ping_at, due + timedelta(minutes=29)) is None
    assert latest_missed(NIGHTLY, ping_at, due + timedelta(minutes=30)) == due
    assert latest_missed(HOURLY, T0, T0 + timedelta(minutes=64)) is None
    assert latest_missed(HOURLY, T0, T0 + timedelta(minutes=65)) == T0 + timedelta(hours=1)


def test_each_missed_ping_is_reported_once_and_after_a_long_absence_only_the_newest() -> None:
    state = HeartbeatState("job", watched_since=T0)
    assert overdue(HOURLY, state, T0 + timedelta(minutes=64)) is None
    found = overdue(HOURLY, state, T0 + timedelta(minutes=65))
    assert found is not None
    state, reason = found
    assert reason == "no ping yet: one was due at 2026-12-07 13:00:00Z (grace 5m)"
    assert overdue(HOURLY, state, T0 + timedelta(minutes=90)) is None  # reported already
    found = overdue(HOURLY, state, T0 + timedelta(hours=10))  # golive was away 9 hours
    assert found is not None
    state, reason = found
    assert state.missed == T0 + timedelta(hours=9)  # the newest slot, not nine reports
    assert "one was due at 2026-12-07 21:00:00Z" in reason


def test_an_end_closes_the_started_run_with_its_duration_and_resets_lateness() -> None:
    state = HeartbeatState("job", watched_since=T0, missed=T0)
    state = receive(state, Ping("job", "start", T0 + timedelta(minutes=1)))
    state = receive(state, Ping("job", "end", T0 + timedelta(minutes=3), ok=False, exit_code=3))
    assert (state.duration_s, state.exit_code, state.runs, state.started_at) == (120.0, 3, 1, None)
    assert state.last_ping_at == T0 + timedelta(minutes=3)
    assert overdue(HOURLY, state, T0 + timedelta(minutes=67)) is None  # due 1h after the ping


def test_a_started_run_without_an_end_within_grace_is_one_failed_run() -> None:
    state = receive(HeartbeatState("job", watched_since=T0), Ping("job", "start", T0))
    assert overdue(HOURLY, state, T0 + timedelta(minutes=4)) is None
    found = overdue(HOURLY, state, T0 + timedelta(minutes=5))
    assert found is not None
    state, reason = found
    assert reason == "the run started at 2026-12-07 12:00:00Z has not ended within the grace of 5m"
    assert overdue(HOURLY, state, T0 + timedelta(minutes=6)) is None


def test_a_run_exposes_its_fields_to_expect_and_a_failure_says_its_exit_code(
    tmp_path: Path,
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nchecks:\n"
        "  - name: job\n    heartbeat: {period: 1h, grace: 5m}\n"
        '    expect: ["duration_s < 60", "runs >= 1", "exit_code == 0"]\n'
    )
    loaded = load_config(path, environ={})
    check = loaded.config.check("job")
    assert check.fail_after == 1  # one missed or failed run is DOWN
    state = receive(HeartbeatState("job", watched_since=T0), Ping("job", "start", T0))
    end = Ping("job", "end", T0 + timedelta(seconds=90), exit_code=0, log="done\n")
    state = receive(state, end)
    result = heartbeat_result(loaded, check, spec_of(check), state, now=end.at, ping=end)
    assert not result.ok
    assert [f.expect for f in result.failed] == ["duration_s < 60"]
    assert result.fields["log"] == "done\n" and result.fields["last_ping_age_s"] == 0.0
    failed = Ping("job", "end", end.at, ok=False, exit_code=3)
    result = heartbeat_result(
        loaded, check, spec_of(check), receive(state, failed), now=end.at, ping=failed
    )
    assert (result.ok, result.error) == (False, "the job reported a failure (exit code 3)")
    assert result.evidence().expires_at == end.at + timedelta(hours=1, minutes=5)


def test_an_expectation_on_a_field_the_run_did_not_report_is_not_judged(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nchecks:\n"
        '  - {name: job, heartbeat: {period: 1h}, expect: ["duration_s < 60", "runs < 1"]}\n'
    )
    loaded = load_config(path, environ={})
    end = Ping("job", "end", T0)  # a bare `curl URL`: no start ping, so no duration_s
    state = receive(HeartbeatState("job", watched_since=T0), end)
    job = loaded.config.check("job")
    result = heartbeat_result(loaded, job, spec_of(job), state, now=T0, ping=end)
    assert [f.expect for f in result.failed] == ["runs < 1"]


def test_the_references_nightly_dump_is_a_heartbeat_golive_serve_runs() -> None:
    reference = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"
    loaded = load_config(reference, environ={}, gate_args=argument_models())
    assert [c.name for c in loaded.pushed_checks()] == ["nightly-dump"]
    assert not any("nightly-dump" in line for line in loaded.later_checks())
    check = loaded.config.check("nightly-dump")
    state = receive(
        HeartbeatState("nightly-dump", watched_since=T0), Ping("nightly-dump", "start", T0)
    )
    end = Ping("nightly-dump", "end", T0 + timedelta(minutes=20), exit_code=0)
    state = receive(state, end)
    result = heartbeat_result(loaded, check, spec_of(check), state, now=end.at, ping=end)
    assert result.ok and result.target == "pings on cron 0 2 * * * (America/New_York)"
