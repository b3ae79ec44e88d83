"""Delivering the outbox: claim due rows, send each through its channel, record what happened.

A row is claimed with a conditional UPDATE (status and an expired or absent lease) and is sent
only when exactly that row changed, so several deliverers never send the same row at once. A
sender that dies holding a row leaves its lease to expire; the row is then claimed and sent
again (at-least-once: receivers deduplicate on the dedup key). Outcomes:

- delivered;
- transient failure: pending again, retried after 30 s doubling to at most 1 h (with a jitter
  derived from the row, so many rows do not retry in step) until 24 h after it was written,
  then failed with the last reason;
- permanent failure (``DeliveryError.permanent``) or a channel no longer configured: failed at
  once, with the reason.

Store errors never escape: they are listed in ``DeliveryStats.errors`` and the rows stay where
they were (a claimed row is sent again once its lease expires). Times come from ``now`` only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Literal

from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.exceptions import StoreError
from golive.notify.channels import channel_redactor, channel_urls
from golive.notify.transport import ChannelTransport, DeliveryError, Outgoing, Transport
from golive.store import outbox
from golive.store.outbox import NotificationRow
from golive.store.store import Store

log = logging.getLogger("golive.notify")

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row."""

    id: int
    channel: str
    kind: str
    result: Literal["delivered", "retry", "failed"]
    attempts: int
    reason: str | None = None
    permanent: bool = False
    retry_at: datetime | None = None


@dataclass
class DeliveryStats:
    """What one ``deliver_due`` did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def deliver_due(
    store: Store,
    config: ConfigBase,
    secrets: Secrets,
    now: datetime,
    *,
    lease: timedelta = timedelta(minutes=2),
    limit: int = 50,
    send_timeout: timedelta = timedelta(seconds=20),
    concurrency: int = 8,
) -> DeliveryStats:
    """Send up to ``limit`` due rows, ``concurrency`` at a time, each within ``send_timeout``."""
    if send_timeout >= lease:
        raise ValueError("the lease must be longer than the send timeout")
    redact = channel_redactor(config, secrets)
    sender = ChannelTransport(redact)
    urls = channel_urls(config)
    lease_until = now + lease
    try:
        claimed = await asyncio.to_thread(_claim_due, store, now, lease_until, limit)
    except StoreError as exc:
        log.warning("notify delivery: %s (will try again)", exc)
        return DeliveryStats(errors=[str(exc)])
    gate = asyncio.Semaphore(concurrency)

    async def one(row: NotificationRow) -> Outcome | StoreError | None:
        async with gate:
            error = await _send(sender, urls.get(row.channel), row, send_timeout, redact)
            return await _record(store, row, error, now)

    async def in_turn(rows: list[NotificationRow]) -> list[Outcome | StoreError | None]:
        return [await one(row) for row in rows]

    stats = DeliveryStats(claimed=len(claimed))
    chains = await asyncio.gather(*(in_turn(rows) for rows in _chains(claimed)))
    for outcome in (outcome for chain in chains for outcome in chain):
        if isinstance(outcome, StoreError):
            stats.errors.append(str(outcome))
        elif outcome is not None:
            stats.outcomes.append(outcome)
    stats.delivered = sum(o.result == "delivered" for o in stats.outcomes)
    stats.retried = sum(o.result == "retry" for o in stats.outcomes)
    stats.failed = sum(o.result == "failed" for o in stats.outcomes)
    return stats


def _chains(rows: list[NotificationRow]) -> list[list[NotificationRow]]:
    """Rows sent one after the other: a rollout's messages to one channel go in the order they
    were written (a step before its rollback); every other row is a chain of its own."""
    chains: dict[object, list[NotificationRow]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        key = (row.channel, row.group_key) if row.kind == "rollout" else row.id
        chains.setdefault(key, []).append(row)
    return list(chains.values())


def retry_delay(attempt: int, *, key: int) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based) of row ``key``: 30 s doubling, at
    most 1 h, times a factor in [0.75, 1] that is fixed per row and attempt (the jitter)."""
    doubled = min(BASE_DELAY * (1 << min(max(attempt - 1, 0), 20)), MAX_DELAY)
    spread = 0.75 + 0.25 * hashlib.sha256(f"{key}:{attempt}".encode()).digest()[0] / 255
    return doubled * spread


def _claim_due(
    store: Store, now: datetime, lease_until: datetime, limit: int
) -> list[NotificationRow]:
    claimed = []
    with store.writing("claim notifications") as connection:
        for row in outbox.due(connection, now, limit):
            if outbox.claim(connection, row, now, lease_until):
                claimed.append(
                    replace(
                        row, status="sending", lease_until=lease_until, attempts=row.attempts + 1
                    )
                )
    return claimed


async def _send(
    sender: Transport,
    url: str | None,
    row: NotificationRow,
    within: timedelta,
    redact: Callable[[str], str],
) -> DeliveryError | None:
    if url is None:
        return DeliveryError(f"channel {row.channel} is no longer configured", permanent=True)
    message = Outgoing(row.title, row.body, str(row.payload.get("type") or "info"), row.dedup_key)
    seconds = within.total_seconds()
    try:
        await asyncio.wait_for(sender.send(url, message, seconds=seconds), seconds + 5)
    except DeliveryError as exc:  # redacted again: a transport may be any implementation
        return DeliveryError(redact(exc.reason), exc.permanent)
    except TimeoutError:
        return DeliveryError(f"no answer within {seconds:g}s", permanent=False)
    except Exception as exc:  # a transport bug must not end the loop; it is retried and shown
        return DeliveryError(redact(f"{type(exc).__name__}: {exc}"), permanent=False)
    return None


async def _record(
    store: Store,
    row: NotificationRow,
    error: DeliveryError | None,
    now: datetime,
) -> Outcome | StoreError | None:
    """What happened, written; a store error is returned (the row is sent again after its
    lease), None when another deliverer took the row over."""
    assert row.lease_until is not None
    outcome = _decide(row, error, now)
    try:
        if outcome.result == "delivered":
            changed = await asyncio.to_thread(_write, store, outbox.mark_delivered, row.id, now)
        elif outcome.result == "retry":
            assert outcome.retry_at is not None and outcome.reason is not None
            changed = await asyncio.to_thread(
                _write,
                store,
                outbox.mark_retry,
                row.id,
                row.lease_until,
                outcome.reason,
                outcome.retry_at,
            )
        else:
            changed = await asyncio.to_thread(
                _write, store, outbox.mark_failed, row.id, row.lease_until, outcome.reason
            )
    except StoreError as exc:
        log.warning(
            "notification %d to %s: %s (it is sent again after its lease)", row.id, row.channel, exc
        )
        return StoreError(f"notification {row.id}: {exc}")
    if not changed:
        log.info("notification %d to %s: another deliverer took it over", row.id, row.channel)
        return None
    _log(outcome)
    return outcome


def _decide(row: NotificationRow, error: DeliveryError | None, now: datetime) -> Outcome:
    base = Outcome(row.id, row.channel, row.kind, "delivered", row.attempts)
    if error is None:
        return base
    if error.permanent:
        return replace(base, result="failed", reason=error.reason, permanent=True)
    deadline = row.created_at + GIVE_UP_AFTER
    if now >= deadline:
        reason = f"gave up after {row.attempts} attempts in 24h; last: {error.reason}"
        return replace(base, result="failed", reason=reason)
    retry_at = min(now + retry_delay(row.attempts, key=row.id), deadline)
    return replace(base, result="retry", reason=error.reason, retry_at=retry_at)


def _write(store: Store, mark: Callable[..., bool], *args: object) -> bool:
    with store.writing("record a delivery") as connection:
        return mark(connection, *args)


def _log(outcome: Outcome) -> None:
    what = f"notification {outcome.id} ({outcome.kind}) to {outcome.channel}"
    if outcome.result == "delivered":
        log.info("%s delivered (attempt %d)", what, outcome.attempts)
    elif outcome.result == "retry":
        assert outcome.retry_at is not None
        log.warning(
            "%s failed, retrying at %s: %s", what, outcome.retry_at.isoformat(), outcome.reason
        )
    else:
        kind = "permanently" if outcome.permanent else "for good"
        log.warning("%s failed %s: %s", what, kind, outcome.reason)
