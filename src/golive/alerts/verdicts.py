"""Verdicts: what one check's status, or one rule's condition over a result, says about an
alert right now (pending, firing or inactive), with its times, summary and details. The state
machine in ``golive.alerts.evaluate`` turns verdicts into transitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from golive.alerts.describe import clock, details, failure_text, merged_values, read_values, span
from golive.alerts.rules import AlertSpec
from golive.engine.results import CheckResult
from golive.records import AlertView, CheckStatus


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
    condition = spec.condition
    outcome = condition.evaluate(result.fields)
    values = read_values(condition, result.fields) if outcome.ok else outcome.values
    text = failure_text([{"expect": condition.source, "values": values}], None)
    where = f"{spec.name} on {spec.check}"
    if not outcome.ok:
        # a probe that could not measure explains itself in the check's own alert
        measured = outcome.error is not None and result.error is None
        problem = f"alerts[{spec.name}].when on {spec.check}: {outcome.error}" if measured else None
        info = details(result.target, outcome.error, [], values)
        if outcome.error:
            summary = f"{where} cannot be evaluated: {outcome.error}"
        else:
            summary = f"{where} no longer holds: {text}"
        return Verdict("inactive", None, None, summary, info), problem
    info = details(result.target, None, [{"expect": condition.source, "values": values}], values)
    started = prev.pending_since if prev is not None and prev.pending_since else result.taken_at
    if prev is not None and prev.state == "firing" and prev.firing_since:
        fired: datetime | None = prev.firing_since
    elif result.taken_at - started >= spec.for_:
        fired = result.taken_at
    else:
        fired = None
    if fired is not None:
        return Verdict(
            "firing", started, fired, f"{where} since {clock(fired, now)}: {text}", info
        ), None
    wait = f"fires after {span(spec.for_)}"
    summary = f"{where} pending since {clock(started, now)} ({wait}): {text}"
    return Verdict("pending", started, None, summary, info), None
