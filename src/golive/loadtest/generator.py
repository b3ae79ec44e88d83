"""One worker's load: requests sent on a schedule (open model) or by paced users (closed model).

Open model: request i is due at ``start + i / rate`` and is sent then, whatever earlier requests
are doing; its latency counts from that due time, so a stalled server (or a generator that fell
behind) shows in the percentiles instead of silently lowering the rate (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from golive.loadtest import histogram
from golive.loadtest.client import Pool, RequestFailed, encode
from golive.loadtest.plan import Prepared, WorkerSpec
from golive.records.histogram import Recorder

CONNECTIONS = 1000  # at most this many requests in flight per worker; the rest queue (and count)
BATCH = 256  # sends per event-loop turn, so answers are read between batches
LATE_S = 1.0  # a request not sent within this of the run's end is never sent (counted unsent)
GRACE_S = 2.0  # after Ctrl-C, how long answers still in flight are awaited


@dataclass
class ClassTally:
    histogram: Recorder = field(default_factory=histogram.new)
    count: int = 0
    errors: int = 0


@dataclass
class Tally:
    """What one worker measured; ``encoded()`` is what crosses the process boundary."""

    classes: dict[str, ClassTally]
    sent: int = 0
    unsent: int = 0  # due, but the generator was too far behind to send them before the end
    done: int = 0
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    max_lag_ms: float = 0.0
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # CPU time this worker's process spent generating
    window_s: float = 0.0  # from this worker's first due time to its last send, plus one interval
    interrupted: bool = False

    def encoded(self) -> dict[str, Any]:
        return {
            "classes": {
                k: {
                    "count": c.count,
                    "errors": c.errors,
                    "histogram": histogram.encode(c.histogram),
                }
                for k, c in self.classes.items()
            },
            "sent": self.sent,
            "unsent": self.unsent,
            "done": self.done,
            "errors": self.errors,
            "error_kinds": dict(self.error_kinds),
            "max_lag_ms": self.max_lag_ms,
            "elapsed_s": self.elapsed_s,
            "window_s": self.window_s,
            "cpu_s": self.cpu_s,
            "interrupted": self.interrupted,
        }


@dataclass(frozen=True)
class Snapshot:
    """The progress of a worker so far."""

    elapsed_s: float
    sent: int
    errors: int
    overall: bytes  # encoded histogram of every latency so far


Stopped = Callable[[], bool]
Progress = Callable[[Snapshot], None]


class _Sender:
    def __init__(self, spec: WorkerSpec, pool: Pool, tally: Tally) -> None:
        self.spec, self.pool, self.tally = spec, pool, tally
        self.wire = {r: encode(r, pool.host_header) for r in spec.requests}
        self.overall = histogram.new()
        self.expected_us = 0 if spec.users is None else int(spec.users / spec.rate * 1_000_000)
        self.last_send_ns = 0

    async def send(self, request: Prepared, due_ns: int) -> None:
        self.last_send_ns = now = time.perf_counter_ns()
        lag_ms = (now - due_ns) / 1e6
        if lag_ms > self.tally.max_lag_ms:
            self.tally.max_lag_ms = lag_ms
        self.tally.sent += 1
        error = None
        try:  # a redirect is an answer like any other: never followed to another host
            status = await self.pool.request(self.wire[request], head_only=request.method == "HEAD")
            if status >= 400:
                error = f"HTTP {status}"
        except TimeoutError:
            error = f"timeout after {self.spec.timeout_s:g}s"
        except asyncio.CancelledError:
            error = "still waiting when the run stopped"
            self._done(request, due_ns, error)
            raise
        except RequestFailed as exc:
            error = str(exc)
        self._done(request, due_ns, error)

    def _done(self, request: Prepared, due_ns: int, error: str | None) -> None:
        micros = (time.perf_counter_ns() - due_ns) // 1000
        tally, klass = self.tally, self.tally.classes[request.klass]
        histogram.record(klass.histogram, micros, self.expected_us)
        histogram.record(self.overall, micros, self.expected_us)
        klass.count += 1
        tally.done += 1
        if error is not None:
            klass.errors += 1
            tally.errors += 1
            tally.error_kinds[error] += 1


async def generate(
    spec: WorkerSpec, *, start_ns: int, stopped: Stopped, progress: Progress | None = None
) -> Tally:
    """Send ``spec``'s load from ``start_ns`` (a ``perf_counter_ns`` time) and tally it."""
    tally = Tally({r.klass: ClassTally() for r in spec.requests})
    cpu_start = time.process_time()
    pool = Pool(spec.base_url, limit=CONNECTIONS, timeout_s=spec.timeout_s)
    sender = _Sender(spec, pool, tally)
    reporter = asyncio.create_task(_report(sender, start_ns, progress))
    try:
        if spec.users is None:
            await _open(spec, sender, start_ns, stopped)
        else:
            await _closed(spec, sender, start_ns, stopped)
    finally:
        reporter.cancel()
        pool.close()
    tally.elapsed_s = max(0.0, (time.perf_counter_ns() - start_ns) / 1e9)
    tally.cpu_s = time.process_time() - cpu_start
    if sender.last_send_ns:
        first_ns = start_ns + int(spec.offset_s * 1e9) if spec.users is None else start_ns
        tally.window_s = (sender.last_send_ns - first_ns) / 1e9 + 1 / spec.rate
    tally.interrupted = stopped()
    return tally


async def _sleep_until(ns: int) -> None:
    delay = (ns - time.perf_counter_ns()) / 1e9
    if delay > 0:
        await asyncio.sleep(delay)


async def _open(spec: WorkerSpec, sender: _Sender, start_ns: int, stopped: Stopped) -> None:
    start_ns += int(spec.offset_s * 1e9)
    interval_ns = 1e9 / spec.rate
    total = int(spec.rate * spec.duration_s)
    mix, requests = spec.mix(), spec.requests
    in_flight: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    give_up_ns = start_ns + int((spec.duration_s + LATE_S) * 1e9)
    i = 0
    await _sleep_until(start_ns)
    while i < total and not stopped():
        now = time.perf_counter_ns()
        if now > give_up_ns:
            sender.tally.unsent = total - i
            break
        due = start_ns + int(i * interval_ns)
        if due > now:
            await asyncio.sleep((due - now) / 1e9)
            continue
        batch_end = i + BATCH
        while i < min(total, batch_end) and due <= now:  # what is due goes out, a batch a turn
            task = loop.create_task(sender.send(requests[mix[i % len(mix)]], due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            i += 1
            due = start_ns + int(i * interval_ns)
        await asyncio.sleep(0)
    await _drain(in_flight, stopped, spec.timeout_s)


async def _drain(in_flight: set[asyncio.Task[None]], stopped: Stopped, timeout_s: float) -> None:
    """Wait for the answers still due (their own timeout bounds it); after Ctrl-C only briefly."""
    if not in_flight:
        return
    wait = min(GRACE_S, timeout_s) if stopped() else timeout_s + 1
    _, pending = await asyncio.wait(set(in_flight), timeout=wait)
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


async def _closed(spec: WorkerSpec, sender: _Sender, start_ns: int, stopped: Stopped) -> None:
    users = spec.users or 1
    pace_ns = int(users / spec.rate * 1e9)  # each user's expected interval
    end_ns = start_ns + int(spec.duration_s * 1e9)
    mix, requests = spec.mix(), spec.requests

    async def user(u: int) -> None:
        due = start_ns + u * pace_ns // users
        n = u
        await _sleep_until(due)
        while due < end_ns and not stopped():
            begun = time.perf_counter_ns()
            await sender.send(requests[mix[n % len(mix)]], begun)
            n += users
            think_ns = int(spec.think_s * 1e9)
            due = max(begun + pace_ns, time.perf_counter_ns() + think_ns)
            await _sleep_until(due)

    tasks = [asyncio.create_task(user(u)) for u in range(users)]
    _, pending = await asyncio.wait(tasks, timeout=spec.duration_s + spec.timeout_s + 2)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _report(sender: _Sender, start_ns: int, progress: Progress | None) -> None:
    if progress is None:
        return
    await _sleep_until(start_ns)
    while True:
        await asyncio.sleep(1.0)
        tally = sender.tally
        progress(
            Snapshot(
                (time.perf_counter_ns() - start_ns) / 1e9,
                tally.sent,
                tally.errors,
                histogram.encode(sender.overall),
            )
        )
