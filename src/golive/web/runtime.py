"""What the web app needs from the process it runs in.

`golive serve` implements ``Runtime`` (its scheduler keeps the current check states in memory,
its reload swaps the configuration); tests implement it with plain objects. The app reads every
member per request and never keeps a copy, so a reload shows at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.engine.pings import PingBook
from golive.records import Bucket, CheckStatus
from golive.store import Store


class ReloadResult(Protocol):
    """What a reload answers (``ReloadOutcome`` is one; any object with these will do)."""

    @property
    def ok(self) -> bool:
        """True when the new configuration is running."""
        ...

    @property
    def message(self) -> str:
        """What happened: a summary, or why the configuration was refused (file:line: ...)."""
        ...


@dataclass(frozen=True)
class ReloadOutcome:
    """The plain ``ReloadResult``."""

    ok: bool
    message: str


class StoreWrites:
    """What the process learned from its last writes to the store: ``failure`` is when they
    started to fail and why (the latest reason), or None once one goes through again.
    ``/healthz`` reads it instead of writing on each request."""

    def __init__(self) -> None:
        self.failure: tuple[datetime, str] | None = None  # one value: read from other threads

    def succeeded(self) -> None:
        self.failure = None

    def failed(self, at: datetime, reason: str) -> None:
        since = at if self.failure is None else self.failure[0]
        self.failure = (since, reason[:300])


class Runtime(Protocol):
    """The running golive process, as the web app sees it."""

    @property
    def loaded(self) -> LoadedConfig:
        """The configuration now running; replaced (never mutated) by a successful reload.
        The API lists checks, components and maintenance windows from it and redacts with
        ``loaded.secrets``."""
        ...

    @property
    def store(self) -> Store:
        """The open store. The API only reads it, except for tokens, silences and
        acknowledgements, which go through their domain functions."""
        ...

    @property
    def clock(self) -> Clock:
        """The one clock: "now" for queries and tokens, ``monotonic()`` for rate limits."""
        ...

    @property
    def store_writes(self) -> StoreWrites:
        """The outcome of the process's last writes to the store (check results each cycle):
        ``/healthz`` answers 503 while they fail."""
        ...

    @property
    def metrics_registry(self) -> CollectorRegistry:
        """golive's own Prometheus metrics (check state, probe latency, outbox depth,
        deliveries and failures), kept up to date by the engine and the notifier; ``/metrics``
        exposes it as it is."""
        ...

    @property
    def checks_version(self) -> int:
        """A number that changes whenever the checks' states may have: a cycle that brought
        results, a reload. Caches of "the checks now" are kept while it stays the same."""
        ...

    def statuses(self) -> Mapping[str, CheckStatus]:
        """The scheduler's current state of each check, by name. A configured check missing
        here is looked up in the store (``check_state``), else shown as unknown. Called from a
        worker thread: return a snapshot or a mapping that is safe to read concurrently."""
        ...

    def maintenance(self) -> Mapping[str, str]:
        """Checks in an active maintenance window now: check name → window name."""
        ...

    def recent_latencies(self, names: Iterable[str]) -> Mapping[str, tuple[float | None, ...]]:
        """Of each of ``names``: the latency in ms of its last runs (up to 20, oldest first),
        ``None`` for a failed run; a check that has not run since the start is left out. The
        dashboard's sparklines. Called from a worker thread."""
        ...

    def unsaved_rollups(self, resolution: str, check: str | None = None) -> Sequence[Bucket]:
        """The rollups not in the store yet (``minute`` or ``hour``: each check's open one),
        of one check or all: today's uptime bar and the live latency chart add them. Copies;
        called from a worker thread."""
        ...

    @property
    def pings(self) -> PingBook:
        """Where the ping URLs of heartbeat checks check a secret and leave a ping; the
        heartbeat loop of `golive serve` drains it."""
        ...

    async def reload(self) -> ReloadResult:
        """Read the configuration file again, validate it, and switch to it only if it is
        valid. A bad file is refused (``ok=False``, ``message`` saying why, secrets redacted)
        and the running configuration stays. The same path serves SIGHUP and `golive reload`."""
        ...
