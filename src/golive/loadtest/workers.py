"""Running a plan: in this process for one worker, in ``--workers N`` processes otherwise
(each sends rate/N, phase-shifted), with their histograms merged exactly."""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from golive.loadtest import histogram
from golive.loadtest.generator import Snapshot, generate
from golive.loadtest.plan import Plan, WorkerSpec

START_DELAY_S = 0.2  # a moment to set up before the first request is due
SPAWN_TIMEOUT_S = 60.0  # several: how long their start (imports) may take
LIVE_EVERY_S = 1.0


@dataclass(frozen=True)
class Live:
    """The progress line: what all workers together achieved so far."""

    elapsed_s: float
    sent: int
    errors: int
    p95_ms: float

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed_s if self.elapsed_s > 0 else 0.0


OnLive = Callable[[Live], None]


def run_plan(
    plan: Plan, *, stop: threading.Event, on_live: OnLive | None = None
) -> list[dict[str, Any]]:
    """Every worker's encoded tally (see ``Tally.encoded``); ``stop`` ends the run early."""
    if len(plan.workers) == 1:
        return [_in_process(plan.workers[0], stop, on_live)]
    return _in_processes(plan.workers, stop, on_live)


def _in_process(spec: WorkerSpec, stop: threading.Event, on_live: OnLive | None) -> dict[str, Any]:
    def progress(s: Snapshot) -> None:
        if on_live is not None:
            h = histogram.merged([s.overall])
            on_live(Live(s.elapsed_s, s.sent, s.errors, histogram.ms_at(h, 95)))

    start_ns = time.perf_counter_ns() + int(START_DELAY_S * 1e9)
    tally = asyncio.run(generate(spec, start_ns=start_ns, stopped=stop.is_set, progress=progress))
    return tally.encoded()


def _child(index: int, spec: WorkerSpec, start: Any, go: Any, stop: Any, out: Any) -> None:
    """A worker process: ignores Ctrl-C (the parent sets ``stop``), says it is ready, starts
    at the common ``start`` (wall clock) once ``go`` is set, and sends its tally back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out.put(("ready", index, None))
    go.wait()
    start_ns = time.perf_counter_ns() + int((start.value - time.time()) * 1e9)

    def progress(s: Snapshot) -> None:
        out.put(("live", index, s))

    tally = asyncio.run(generate(spec, start_ns=start_ns, stopped=stop.is_set, progress=progress))
    out.put(("done", index, tally.encoded()))


def _in_processes(
    specs: tuple[WorkerSpec, ...], stop: threading.Event, on_live: OnLive | None
) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    child_stop, go = context.Event(), context.Event()
    start = context.Value("d", 0.0)
    results = context.Queue()
    procs = [
        context.Process(target=_child, args=(i, spec, start, go, child_stop, results), daemon=True)
        for i, spec in enumerate(specs)
    ]
    for proc in procs:
        proc.start()
    ready: set[int] = set()
    deadline = time.monotonic() + SPAWN_TIMEOUT_S
    while len(ready) < len(procs) and time.monotonic() < deadline and not stop.is_set():
        try:
            _, index, _ = results.get(timeout=0.2)
        except queue.Empty:
            continue
        ready.add(index)
    start.value = time.time() + START_DELAY_S  # every worker has imported: one common start
    go.set()
    latest: dict[int, Snapshot] = {}
    tallies: list[dict[str, Any]] = []
    last_live = time.monotonic()
    try:
        while len(tallies) < len(procs):
            if stop.is_set():
                child_stop.set()
            try:
                kind, index, payload = results.get(timeout=0.2)
            except queue.Empty:
                if not any(p.is_alive() for p in procs) and results.empty():
                    break  # a worker died without a tally: report what the others measured
                continue
            if kind == "done":
                tallies.append(payload)
            else:
                latest[index] = payload
            if on_live is not None and latest and time.monotonic() - last_live >= LIVE_EVERY_S:
                last_live = time.monotonic()
                on_live(_live(list(latest.values())))
    finally:
        child_stop.set()
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
    return tallies


def _live(snapshots: list[Snapshot]) -> Live:
    h = histogram.merged([s.overall for s in snapshots])
    return Live(
        max(s.elapsed_s for s in snapshots),
        sum(s.sent for s in snapshots),
        sum(s.errors for s in snapshots),
        histogram.ms_at(h, 95),
    )
