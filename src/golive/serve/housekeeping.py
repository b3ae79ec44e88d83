"""Two steps of the serve loop that only call down and report: delivering the outbox's due
notifications, and pruning the store by retention. Each counts what it did in golive's own
metrics and logs what went wrong; the runtime decides when they run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from golive.config import LoadedConfig
from golive.notify import deliver_due
from golive.serve.metrics import Metrics
from golive.store import Store
from golive.store.outbox import counts_by_status
from golive.store.retention import Keep, prune

log = logging.getLogger("golive.serve")


async def deliver(store: Store, loaded: LoadedConfig, now: datetime, metrics: Metrics) -> None:
    """Deliver the due notifications; count deliveries, failures and the outbox by status."""
    delivered = await deliver_due(store, loaded.config, loaded.secrets, now)
    for outcome in delivered.outcomes:
        if outcome.result == "delivered":
            metrics.deliveries.labels(outcome.channel).inc()
        else:
            permanent = "true" if outcome.permanent else "false"
            metrics.delivery_failures.labels(outcome.channel, permanent).inc()
            log.warning("notification %d to %s: %s", outcome.id, outcome.channel, outcome.reason)
    for error in delivered.errors:
        metrics.cycle_errors.labels("deliver").inc()
        log.error("deliver: %s", error)
    for status, count in (await asyncio.to_thread(counts_by_status, store)).items():
        metrics.outbox.labels(status).set(count)


async def prune_store(
    store: Store, loaded: LoadedConfig, now: datetime, *, stopping: Callable[[], bool]
) -> None:
    """Remove what ``server.retention`` no longer keeps, in short batches (off the loop)."""
    keep = Keep(**loaded.config.server.retention.model_dump())
    removed = await asyncio.to_thread(prune, store, now, keep, stopping=stopping)
    if removed:
        gone = ", ".join(f"{count} {table}" for table, count in sorted(removed.items()))
        log.info("retention: removed %s", gone)
