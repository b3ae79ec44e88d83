"""The Celery side of the scaled wiring: the app (Redis broker, JSON only, no result backend:
results go to the store), one queue per region, and the probe task's message shape.

A probe task carries a batch of due checks of one config for one region; a worker runs the
whole batch concurrently on its one asyncio loop (``golive.scale.worker``). Tasks are
acknowledged after they ran (``acks_late``), so a task of a killed worker goes back to the
queue; each expires when its checks are due again, so a queue that waited for a dead region
never replays old runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from celery import Celery

from golive.exceptions import GoliveError

TASK = "golive.probe"
VISIBILITY_TIMEOUT = 120  # seconds before Redis hands an unacknowledged task to another worker


def queue(region: str) -> str:
    """The queue of a region's workers."""
    return f"golive.{region}"


def make_app(broker: str) -> Celery:
    """A Celery app on ``broker`` (not the process's current app: two may live side by side)."""
    app = Celery("golive", broker=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,  # acknowledged after the run: a killed worker's task is redelivered
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a busy worker leaves the next batch to an idle one
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


def reach(app: Celery, *, timeout: float = 3.0) -> None:
    """Connect to the broker once; raise ``GoliveError`` naming the reason when it cannot."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises its own and the transport's errors alike
        url = urlsplit(app.conf.broker_url)
        host = f"{url.hostname}:{url.port or 6379}"  # never the password
        raise GoliveError(f"cannot reach the broker {host} (workers.broker): {exc}") from exc


@dataclass(frozen=True)
class Item:
    """One due check in a batch: its dispatch id (shared by its regions), name and due time
    (epoch seconds)."""

    dispatch: str
    check: str
    due: float

    def as_json(self) -> list[Any]:
        return [self.dispatch, self.check, self.due]

    @classmethod
    def of(cls, data: Sequence[Any]) -> Item:
        return cls(str(data[0]), str(data[1]), float(data[2]))


@dataclass(frozen=True)
class Batch:
    """The probe task's arguments: whose config, which region, which checks."""

    config: str
    environment: str
    region: str
    items: tuple[Item, ...]

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "environment": self.environment,
            "region": self.region,
            "items": [i.as_json() for i in self.items],
        }

    @classmethod
    def of(cls, config: str, environment: str, region: str, items: Sequence[Any]) -> Batch:
        return cls(config, environment, region, tuple(Item.of(i) for i in items))


def send(app: Celery, batch: Batch, *, expires: float) -> None:
    """Queue ``batch`` on its region's queue; it expires after ``expires`` seconds."""
    app.send_task(
        TASK, kwargs=batch.as_kwargs(), queue=queue(batch.region), expires=max(expires, 1.0)
    )
