"""Heartbeat checks: a job's pings judged into runs, and time judged into missed runs.

A job reports ``start`` and an ``end`` (a success, ``/fail`` or an exit code); an end is one run
of the check, as a probe run is for other kinds. Time makes the other runs: when the ping
expected after the last one (``period`` later, or the next ``cron`` time in ``timezone``) has
not come ``grace`` after it was due, the missed slot is one failed run (each slot once, the
newest only after golive was away); a run that started and has not ended ``grace`` later is one
failed run too. An expectation that reads a field the run did not report (``duration_s`` of a
run without a start ping) is not judged for that run. Pure logic on plain data and the clock's time: the serve loop feeds it pings and
``now`` and hands the results to the same cycle as every probe result.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cronsim import CronSim

from golive.config import CheckBase, LoadedConfig
from golive.config.later_checks import HeartbeatSpec
from golive.config.reference import format_duration
from golive.engine.results import CheckResult
from golive.engine.run import judge
from golive.records import HeartbeatState, Ping

HEARTBEAT_FIELDS = frozenset({"last_ping_age_s", "duration_s", "exit_code"})


def spec_of(check: CheckBase) -> HeartbeatSpec:
    spec = check.spec
    assert isinstance(spec, HeartbeatSpec), "a heartbeat check has a heartbeat spec"
    return spec


def expected_after(spec: HeartbeatSpec, reference: datetime) -> datetime:
    """When the ping after one at ``reference`` is due."""
    if spec.period is not None:
        return reference + spec.period
    assert spec.cron is not None, "a validated heartbeat has cron or period"
    local = reference.astimezone(ZoneInfo(spec.timezone)).replace(microsecond=0)
    return next(CronSim(spec.cron, local)).astimezone(UTC)


def latest_missed(spec: HeartbeatSpec, reference: datetime, now: datetime) -> datetime | None:
    """The newest ping due after ``reference`` whose grace has passed by ``now``, if any."""
    cutoff = now - spec.grace
    if spec.period is not None:
        slots = (cutoff - reference) // spec.period
        return reference + slots * spec.period if slots >= 1 else None
    assert spec.cron is not None, "a validated heartbeat has cron or period"
    # CronSim in reverse yields times strictly before its start: begin one second after cutoff.
    local = cutoff.astimezone(ZoneInfo(spec.timezone)).replace(microsecond=0)
    try:
        slot = next(CronSim(spec.cron, local + timedelta(seconds=1), reverse=True))
    except StopIteration:
        return None
    slot = slot.astimezone(UTC)
    return slot if slot > reference else None


def receive(state: HeartbeatState, ping: Ping) -> HeartbeatState:
    """The state after ``ping`` (a start opens a run, an end closes it)."""
    if ping.kind == "start":
        return replace(state, started_at=ping.at, overdue_reported=False)
    duration = None
    if state.started_at is not None and state.started_at <= ping.at:
        duration = (ping.at - state.started_at).total_seconds()
    return replace(
        state,
        last_ping_at=ping.at,
        started_at=None,
        overdue_reported=False,
        exit_code=ping.exit_code,
        duration_s=duration,
        runs=state.runs + 1,
    )


def overdue(
    spec: HeartbeatSpec, state: HeartbeatState, now: datetime
) -> tuple[HeartbeatState, str] | None:
    """A failed run that time has made (and the state that remembers it was reported), or None:
    a started run without an end ``grace`` later, else a missed ping not reported yet."""
    grace = format_duration(spec.grace)
    started = state.started_at
    if started is not None and not state.overdue_reported and now >= started + spec.grace:
        reason = f"the run started at {_at(started)} has not ended within the grace of {grace}"
        return replace(state, overdue_reported=True), reason
    reference = state.last_ping_at or state.watched_since
    missed = latest_missed(spec, reference, now)
    if missed is None or (state.missed is not None and missed <= state.missed):
        return None
    since = f"no ping since {_at(state.last_ping_at)}" if state.last_ping_at else "no ping yet"
    reason = f"{since}: one was due at {_at(missed)} (grace {grace})"
    return replace(state, missed=missed), reason


def heartbeat_result(
    loaded: LoadedConfig,
    check: CheckBase,
    spec: HeartbeatSpec,
    state: HeartbeatState,
    *,
    now: datetime,
    ping: Ping | None = None,
    late: str | None = None,
) -> CheckResult:
    """One run of ``check`` (whose spec is ``spec``): the end ``ping`` reported, or the failure
    ``late`` describes. The ping's log, error and values were redacted where they came in."""
    error = late
    latency = None if state.duration_s is None else state.duration_s * 1000
    extra: dict[str, Any] = {}
    if ping is not None:
        if not ping.ok:
            code = f" (exit code {ping.exit_code})" if ping.exit_code is not None else ""
            error = ping.error or f"the job reported a failure{code}"
        if ping.latency_ms is not None:
            latency = ping.latency_ms
        extra = {**ping.values, **({"log": ping.log} if ping.log else {})}
    age = None if state.last_ping_at is None else (now - state.last_ping_at).total_seconds()
    fields: dict[str, Any] = {
        **extra,
        "last_ping_age_s": age,
        "duration_s": state.duration_s,
        "exit_code": state.exit_code,
        "runs": state.runs,
        "ok_connect": error is None,
        "latency_ms": latency,
        "error": error,
    }
    # a run reports what it can: without a start ping there is no duration_s to judge
    reported = {name for name in HEARTBEAT_FIELDS if fields[name] is not None}
    expectations = [
        e
        for e in loaded.expectations[check.name]
        if reported.issuperset(HEARTBEAT_FIELDS.intersection(p.split(".")[0] for p in e.paths))
    ]
    ok, failed = judge(expectations, fields, error)
    taken_at = ping.at if ping is not None else now
    return CheckResult(
        name=check.name,
        component=check.component,
        kind=check.kind,
        target=spec.describe(),
        ok=ok,
        latency_ms=latency,
        error=error,
        failed=tuple(failed),
        fields=fields,
        taken_at=taken_at,
        fresh_for=expected_after(spec, taken_at) - taken_at + spec.grace,
    )


def _at(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
