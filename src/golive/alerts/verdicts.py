"""Verdicts: what one check's status, or one rule's condition over a result or a signal, says
about an alert right now (pending, firing or inactive), with its times, summary and details. The state
machine in ``golive.alerts.evaluate`` turns verdicts into transitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from golive.alerts.describe import clock, details, failure_text, merged_values, read_values, span
from golive.alerts.rules import AlertSpec
from golive.engine.results import CheckResult
from golive.records import AlertView, CheckStatus, Signal


@dataclass(frozen=True)
class Verdict:
    """What an alert should be now; ``None`` from a verdict function means no news."""

    state: Literal["pending", "firing", "inactive"]
    pending_since: datetime | None
    firing_since: datetime | None
    summary: str
    details: dict[str, Any]


def check_verdict(
    spec: AlertSpec,
    status: CheckStatus | None,
    result: CheckResult | None,
    prev: AlertView | None,
    now: datetime,
) -> Verdict | None:
    """The implicit alert of a check: firing when DOWN, pending while failing, else inactive."""
    failing = status is not None and (status.state == "down" or status.consecutive_failures > 0)
    if status is None or (prev is None and not failing):
        return None  # nothing to say: the common case, kept cheap
    failed = status.last_failed
    reason = failure_text(failed, status.last_error)
    info = details(
        result.target if result else None, status.last_error, failed, merged_values(failed)
    )
    firing_before = prev is not None and prev.state == "firing"
    if status.state == "down" or (firing_before and status.consecutive_failures > 0):
        fired = prev.firing_since if prev is not None and prev.firing_since else status.since
        started = prev.pending_since if prev is not None and prev.pending_since else fired
        summary = f"{spec.name} is DOWN since {clock(fired, now)}: {reason}"
        return Verdict("firing", started, fired, summary, info)
    if status.consecutive_failures >= 1:
        started = prev.pending_since if prev is not None and prev.pending_since else now
        count = f"{status.consecutive_failures} of {spec.fail_after} failures before DOWN"
        return Verdict(
            "pending", started, None, f"{spec.name} is failing ({count}): {reason}", info
        )
    assert prev is not None, "an inactive alert that is not failing returned early"
    if firing_before and prev.firing_since:
        summary = f"{spec.name} is UP again (was DOWN since {clock(prev.firing_since, now)})"
    else:
        summary = f"{spec.name} recovered before going DOWN"
    return Verdict("inactive", None, None, summary, prev.details)


def rule_verdict(
    spec: AlertSpec, result: CheckResult | None, prev: AlertView | None, now: datetime
) -> tuple[Verdict | None, str | None]:
    """A rule over the check's latest result, and a problem to log when it cannot be evaluated."""
    if result is None or spec.condition is None:
        return None, None
    return _condition_verdict(
        spec, spec.check, result.fields, result.taken_at, result.target, result.error, prev, now
    )


def signal_verdict(
    spec: AlertSpec, signal: Signal | None, prev: AlertView | None, now: datetime
) -> tuple[Verdict | None, str | None]:
    """A rule over the values of its latest signal (a ``requests:`` window); like a rule on a
    check, with the signal's ``taken_at`` as the result's time and its ``error`` as a probe's."""
    if signal is None or spec.condition is None:
        return None, None
    return _condition_verdict(
        spec,
        spec.requests or spec.slo,
        signal.values,
        signal.taken_at,
        signal.target,
        signal.error,
        prev,
        now,
    )


def _condition_verdict(
    spec: AlertSpec,
    subject: str | None,
    fields: Mapping[str, Any],
    taken_at: datetime,
    target: str | None,
    measure_error: str | None,
    prev: AlertView | None,
    now: datetime,
) -> tuple[Verdict | None, str | None]:
    assert spec.condition is not None
    condition = spec.condition
    where = f"{spec.name} on {subject}"
    if spec.check is None and measure_error is not None:  # a source that could not measure
        info = details(target, measure_error, [], {})
        return Verdict(
            "inactive", None, None, f"{where} cannot be evaluated: {measure_error}", info
        ), None
    outcome = condition.evaluate(fields)
    values = read_values(condition, fields) if outcome.ok else outcome.values
    text = failure_text([{"expect": condition.source, "values": values}], None)
    if not outcome.ok:
        # a probe (or source) that could not measure explains itself elsewhere
        measured = outcome.error is not None and measure_error is None
        problem = f"alerts[{spec.name}].when on {subject}: {outcome.error}"
        info = details(target, outcome.error, [], values)
        if outcome.error:
            summary = f"{where} cannot be evaluated: {outcome.error}"
        else:
            summary = f"{where} no longer holds: {text}"
        return Verdict("inactive", None, None, summary, info), (problem if measured else None)
    info = details(target, None, [{"expect": condition.source, "values": values}], values)
    started = prev.pending_since if prev is not None and prev.pending_since else taken_at
    if prev is not None and prev.state == "firing" and prev.firing_since:
        fired: datetime | None = prev.firing_since
    elif taken_at - started >= spec.for_:
        fired = taken_at
    else:
        fired = None
    if fired is not None:
        return Verdict(
            "firing", started, fired, f"{where} since {clock(fired, now)}: {text}", info
        ), None
    wait = f"fires after {span(spec.for_)}"
    summary = f"{where} pending since {clock(started, now)} ({wait}): {text}"
    return Verdict("pending", started, None, summary, info), None
