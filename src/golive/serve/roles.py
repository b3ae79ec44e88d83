"""What one `golive serve` process runs (``--role``), and running a part only while it leads.

On SQLite without ``workers:`` the process is today's single one: no lease, no overhead. On a
shared PostgreSQL store each leased part (``scheduler``, ``evaluator``) waits for its lease,
runs over a store fenced by that lease while it holds it, is abandoned the moment the lease is
lost (no final flush: the new leader carries on from the store) and waits again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from golive.config import LoadedConfig
from golive.exceptions import UsageError
from golive.store import Store

if TYPE_CHECKING:
    from golive.scale.leader import Leadership
    from golive.store.leases import Held

log = logging.getLogger("golive.serve")

Role = Literal["all", "web", "scheduler", "evaluator"]
ROLES: tuple[Role, ...] = ("all", "web", "scheduler", "evaluator")
LEASES = ("scheduler", "evaluator")  # the leases' names in the store, as `golive status` shows
DEFAULT_TTL = timedelta(seconds=10)


@dataclass(frozen=True)
class Wiring:
    """What a process runs: the web server or not, and the leases whose parts it runs while
    it holds them; ``shared`` False is today's single process (SQLite: every part at once,
    unleased)."""

    web: bool
    leases: tuple[str, ...]
    workers: bool  # probes run on Celery workers (the scheduler dispatches, the evaluator reads)
    shared: bool = True

    @property
    def single(self) -> bool:
        return not self.shared


def wiring(loaded: LoadedConfig, *, dialect: str, role: Role) -> Wiring:
    """The parts ``role`` runs on this config's store (``dialect``: sqlite or postgresql).

    Raises ``UsageError`` for a role this wiring cannot run: a split role on SQLite (one
    process owns a SQLite store), or ``scheduler`` without ``workers:`` (then the evaluator
    probes in-process, under its own lease)."""
    workers = loaded.config.workers.probing and dialect != "sqlite"
    if dialect == "sqlite":
        if role != "all":
            raise UsageError(
                f"--role {role} needs a shared PostgreSQL store; this config's store is SQLite "
                "(one `golive serve` owns it: run it without --role)"
            )
        return Wiring(web=True, leases=(), workers=False, shared=False)
    if role == "scheduler" and not workers:
        raise UsageError(
            "--role scheduler dispatches to workers, and this config has no `workers:` regions "
            "(without workers the evaluator probes in-process: use --role evaluator or all)"
        )
    leased = {
        "all": LEASES if workers else ("evaluator",),
        "web": (),
        "scheduler": ("scheduler",),
        "evaluator": ("evaluator",),
    }[role]
    return Wiring(web=role in ("all", "web"), leases=leased, workers=workers)


def holder_name() -> str:
    """Who holds a lease, as the lease table and `golive status` show it: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Part(Protocol):
    """A leased part while it runs: ``run()`` until ``stop()`` (clean: it may still write, the
    lease is ours) or ``abandon()`` (at once, nothing more written)."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...

    def abandon(self) -> None: ...


async def lead(
    leadership: Leadership,
    start: Callable[[Store], Part],
    stopping: asyncio.Event,
    *,
    ttl: timedelta,
) -> None:
    """Run ``start(fenced_store)`` in each term of ``leadership``, until ``stopping`` is set.

    A lost lease abandons the part at once and goes back to standing by (in the same process:
    the web beside it stays up); a stop lets the part finish cleanly, then releases the lease,
    so a standby takes over at its next try instead of waiting for the lease to expire."""
    from golive.store.leases import fenced

    in_term = False  # a stop during a term is the term's to handle: it ends its part cleanly

    async def term(held: Held) -> None:
        nonlocal in_term
        in_term = True
        store = fenced(leadership.store, held, ttl=ttl)
        halt = asyncio.create_task(stopping.wait())
        running: asyncio.Task[None] | None = None
        try:
            # Made in a thread: reading the stored states must not hold up the renewals.
            part = await asyncio.to_thread(start, store)
            running = asyncio.create_task(part.run(), name=leadership.name)
            log.info("leading %s (epoch %d)", leadership.name, held.epoch)
            await asyncio.wait({running, halt}, return_when=asyncio.FIRST_COMPLETED)
            if not running.done():
                part.stop()  # still ours: a clean stop stores the last cycle
            await running
        except asyncio.CancelledError:  # the term ended: another process leads now
            if running is not None:
                part.abandon()
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
            log.warning("lost the %s lease: stopped at once, standing by", leadership.name)
            raise
        finally:
            in_term = False
            halt.cancel()
            store.close()

    renewing = asyncio.create_task(leadership.run(), name=f"{leadership.name}-lease")
    try:
        while not stopping.is_set():
            leading = asyncio.create_task(leadership.while_leader(term))
            halt = asyncio.create_task(stopping.wait())
            await asyncio.wait({leading, halt}, return_when=asyncio.FIRST_COMPLETED)
            halt.cancel()
            if not leading.done() and not in_term:  # stopped while standing by
                leading.cancel()
            await asyncio.gather(leading, return_exceptions=True)
            if not leading.cancelled() and (error := leading.exception()) is not None:
                log.error("%s stopped: %s", leadership.name, error)
                with contextlib.suppress(TimeoutError):  # then leads again, after a breath
                    await asyncio.wait_for(stopping.wait(), 1.0)
    finally:
        renewing.cancel()  # and the lease is released: the standby need not wait for expiry
        await asyncio.gather(renewing, return_exceptions=True)
