"""The check state machine: UP → DOWN after ``fail_after`` consecutive failures, DOWN → UP after
``recover_after`` consecutive successes. A new check is UNKNOWN until its first verdict: one
success makes it UP, ``fail_after`` failures make it DOWN. Inconclusive runs are skipped.

Pure logic on plain data: ``advance`` takes the previous status and a result and returns the new
status; the scheduler keeps statuses in memory and persists them in batches.
"""

from __future__ import annotations

from dataclasses import replace

from golive.engine.results import CheckResult
from golive.records import CheckStatus, State


def advance(
    status: CheckStatus, result: CheckResult, *, fail_after: int, recover_after: int
) -> CheckStatus:
    """The status after ``result``; ``since`` changes only when the state does. An inconclusive
    result (golive was late, not the target) changes nothing."""
    if result.inconclusive:
        return status
    state: State
    if result.ok:
        successes, failures = status.consecutive_successes + 1, 0
        state = "down" if status.state == "down" and successes < recover_after else "up"
    else:
        successes, failures = 0, status.consecutive_failures + 1
        state = "down" if failures >= fail_after else status.state
    return replace(
        status,
        state=state,
        since=result.taken_at if state != status.state else status.since,
        consecutive_failures=failures,
        consecutive_successes=successes,
        last_run_at=result.taken_at,
        last_ok=result.ok,
        last_latency_ms=result.latency_ms,
        last_error=result.error,
        last_failed=[f.as_dict() for f in result.failed],
    )
