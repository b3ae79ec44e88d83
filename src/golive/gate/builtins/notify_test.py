"""``notify_test`` — a test message reaches every named channel (all channels when none is named).

Queues one test message per channel through the outbox (``golive.notify.send_test``), then
delivers due rows now (``deliver_due``) until each test row is delivered or has failed, within
``ctx.timeout``. Another deliverer (``golive serve``) may claim a row first: its state is then
read back from the outbox. Passes only when every channel accepted its message; a transient
failure is retried by the outbox later but fails this item now. Reasons are redacted: channel
URLs are secrets.

Note: ``deliver_due`` sends every due row, so other notifications already waiting in the outbox
go out with the test messages (as ``golive serve`` would send them).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from golive.exceptions import GoliveError
from golive.gate.builtins.base import Args, Builtin, Context, Finding

if TYPE_CHECKING:  # the notifier and the store are imported on use: loading a config needs neither
    from golive.notify import Outcome
    from golive.store.outbox import NotificationRow

POLL = 0.2  # seconds between looks at rows another deliverer holds
MAX_SEND = 20.0  # seconds one send may take (deliver_due's default)


class NotifyTestArgs(Args):
    channels: list[str] = Field(default_factory=list)


async def run(args: NotifyTestArgs, ctx: Context) -> Finding:
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    from golive.notify import send_test
    from golive.notify.channels import channel_redactor

    store, config = ctx.store, ctx.loaded.config
    if store is None:
        return Finding(False, "needs the store: notify_test sends through the outbox")
    known = [channel.name for channel in config.notify.channels]
    if not known:
        return Finding(False, "no notification channels are configured (notify.channels)")
    unknown = [name for name in args.channels if name not in known]
    if unknown:
        return Finding(
            False,
            f"no channel called {', '.join(unknown)} (channels: {', '.join(known)})",
            {"unknown": unknown, "known": known},
        )
    names = list(dict.fromkeys(args.channels)) or known
    try:
        ids = await asyncio.to_thread(send_test, store, config, names, ctx.clock.now())
    except GoliveError as exc:
        return Finding(False, f"cannot queue the test messages: {exc}", {"channels": names})
    results, store_errors = await _follow(ctx, ids)
    redact = channel_redactor(config, ctx.secrets)
    for result in results.values():
        if result.get("reason"):
            result["reason"] = redact(result["reason"])
    evidence = {"channels": results, "store_errors": [redact(e) for e in store_errors]}
    bad = [name for name in names if results[name]["result"] != "delivered"]
    if not bad:
        return Finding(True, f"test message delivered to {', '.join(names)}", evidence)
    reason = "; ".join(f"{name}: {_said(results[name])}" for name in bad)
    return Finding(False, f"not every channel took the test message: {reason}", evidence)


async def _follow(ctx: Context, ids: dict[str, int]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Deliver and watch the rows ``ids`` until each is settled for now, or time runs out."""
    import asyncio

    from golive.notify import deliver_due
    from golive.store.outbox import get_notification

    assert ctx.store is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.timeout
    wanted = {row_id: name for name, row_id in ids.items()}
    results: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    while True:
        seconds = min(MAX_SEND, max(1.0, deadline - loop.time()))
        stats = await deliver_due(
            ctx.store,
            ctx.loaded.config,
            ctx.secrets,
            ctx.clock.now(),
            send_timeout=timedelta(seconds=seconds),
        )
        errors += stats.errors
        for outcome in stats.outcomes:
            if outcome.id in wanted:
                results[wanted[outcome.id]] = _from_outcome(outcome)
        for row_id, name in wanted.items():
            if name not in results:
                row = await asyncio.to_thread(get_notification, ctx.store, row_id)
                settled = _from_row(row) if row is not None else None
                if settled is not None:
                    results[name] = settled
        if len(results) == len(wanted) or loop.time() >= deadline:
            break
        await asyncio.sleep(POLL)
    for row_id, name in wanted.items():
        results.setdefault(
            name,
            {
                "result": "pending",
                "outbox_id": row_id,
                "reason": f"not sent within {ctx.timeout:g}s",
            },
        )
    return {name: results[name] for name in ids}, errors


def _from_outcome(outcome: Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {
        "result": outcome.result,
        "outbox_id": outcome.id,
        "attempts": outcome.attempts,
    }
    if outcome.result != "delivered":
        result["reason"] = outcome.reason
        result["permanent"] = outcome.permanent
    if outcome.retry_at is not None:
        result["retry_at"] = outcome.retry_at.isoformat()
    return result


def _from_row(row: NotificationRow) -> dict[str, Any] | None:
    """A row someone else sent: delivered, failed, or waiting to be retried; None if in flight."""
    base: dict[str, Any] = {"outbox_id": row.id, "attempts": row.attempts}
    if row.status == "delivered":
        return {"result": "delivered", **base}
    if row.status == "failed":
        return {"result": "failed", **base, "reason": row.last_error}
    if row.status == "pending" and row.attempts > 0:
        return {
            "result": "retry",
            **base,
            "reason": row.last_error,
            "retry_at": row.next_attempt_at.isoformat(),
        }
    return None


def _said(result: dict[str, Any]) -> str:
    what = {"failed": "failed", "retry": "failed, will be retried", "pending": "not sent"}
    return f"{what.get(result['result'], result['result'])} ({result.get('reason') or 'no reason'})"


BUILTIN = Builtin(
    name="notify_test",
    args=NotifyTestArgs,
    run=run,
    summary="a test message through the outbox reaches every notification channel",
)
