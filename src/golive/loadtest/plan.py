"""What one run of a load test does: the configured test, bounded, split across workers."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from datetime import timedelta

from golive.config.slo import LoadTest
from golive.exceptions import UsageError

USER_AGENT = "golive-loadtest"
MAX_WORKERS = 64


@dataclass(frozen=True)
class Prepared:
    """One request of the mix, ready to send (headers may hold secrets: never shown)."""

    name: str
    klass: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    weight: int


@dataclass(frozen=True)
class WorkerSpec:
    """What one worker process sends: its share of the rate, from a common start."""

    base_url: str
    requests: tuple[Prepared, ...]
    rate: float  # requests/s of this worker (open model), or the pacing of its users
    duration_s: float
    offset_s: float  # this worker's phase, so N workers interleave instead of bursting together
    users: int | None
    think_s: float
    timeout_s: float
    seed: int

    def mix(self) -> list[int]:
        """Request indices in send order: exact weights, shuffled once (deterministically)."""
        cycle = [i for i, r in enumerate(self.requests) for _ in range(r.weight)]
        random.Random(self.seed).shuffle(cycle)
        return cycle


@dataclass(frozen=True)
class Plan:
    name: str
    base_url: str
    rate: float
    duration_s: float
    users: int | None
    think_s: float
    workers: tuple[WorkerSpec, ...]
    classes: tuple[str, ...]


def prepare(test: LoadTest) -> tuple[Prepared, ...]:
    prepared = []
    for r in test.requests:
        headers = {"User-Agent": USER_AGENT, **r.headers}
        body = None
        if r.json_body is not None:
            body = json.dumps(r.json_body, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
        prepared.append(
            Prepared(r.name, r.class_, r.method, r.path, tuple(headers.items()), body, r.weight)
        )
    return tuple(prepared)


def make_plan(
    test: LoadTest,
    *,
    rate: float | None = None,
    duration: timedelta | None = None,
    workers: int = 1,
    seed: int = 0,
) -> Plan:
    """The run ``golive loadtest`` makes; a rate, duration or worker count out of bounds is a
    UsageError (exit 2), never silently lowered."""
    rate = test.rate if rate is None else rate
    duration = test.duration if duration is None else duration
    if rate <= 0 or rate > test.rate_limit:
        raise UsageError(
            f"load test {test.name}: --rate {rate:g}/s is outside (0, {test.rate_limit:g}/s];"
            " raise max_rate in the config to allow more"
        )
    if duration <= timedelta(0) or duration > test.duration_limit:
        raise UsageError(
            f"load test {test.name}: --duration {duration.total_seconds():g}s is outside"
            f" (0, {test.duration_limit.total_seconds():g}s]; raise max_duration to allow more"
        )
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(f"--workers {workers}: expected 1 to {MAX_WORKERS}")
    users = test.users
    if users is not None and users < workers:
        raise UsageError(f"--workers {workers}: more workers than users ({users})")
    base = WorkerSpec(
        base_url=test.base_url.rstrip("/"),
        requests=prepare(test),
        rate=rate / workers,
        duration_s=duration.total_seconds(),
        offset_s=0.0,
        users=None,
        think_s=test.think_time.total_seconds(),
        timeout_s=test.timeout.total_seconds(),
        seed=seed,
    )
    specs = tuple(
        replace(
            base,
            offset_s=i / rate,
            users=None if users is None else users // workers + (i < users % workers),
            seed=seed * MAX_WORKERS + i,
        )
        for i in range(workers)
    )
    classes = tuple(dict.fromkeys(r.class_ for r in test.requests))
    return Plan(
        test.name,
        base.base_url,
        rate,
        base.duration_s,
        users,
        base.think_s,
        specs,
        classes,
    )
