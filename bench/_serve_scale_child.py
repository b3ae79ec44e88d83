"""The golive side of ``bench/serve_scale.py``, run in its own process (pinned by the parent).

It runs what ``golive serve`` runs, minus the web server: ``ServeRuntime(loaded,
store=Store.open(...), clock=SystemClock())`` and ``await runtime.run()``, stopped by a
timer task after ``--duration`` seconds. While it runs it records, without changing golive:

* every schedule lag sample with the moment it was taken (a wrapper around the engine's
  ``on_lag`` callback that calls the runtime's own one), so lags can be split by due time
  into the start-up burst and the steady state;
* CPU (``getrusage``) and per-thread CPU (``/proc/self/task/*/stat``) at the start of the
  steady window and at the end;
* the duration of every serve cycle (a timing wrapper around ``runtime.cycle``) beside the
  runtime's own ``golive_cycle_seconds`` histogram;
* how late the event loop wakes a 100 ms sleeper (how long the loop is blocked);
* time in the cyclic garbage collector.

After the run it checks the store has evidence and a state row for every check and fails
loudly (exit 1) otherwise. Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import inspect
import json
import os
import pstats
import resource
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOOP_PROBE_S = 0.1  # the event-loop delay monitor sleeps this long and measures the overshoot


def _status_kb(field: str) -> int:
    """``VmRSS`` / ``VmHWM`` of this process in kB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _time_wait() -> int:
    """Sockets in TIME_WAIT on this machine (``tw`` of /proc/net/sockstat)."""
    try:
        for line in Path("/proc/net/sockstat").read_text().splitlines():
            if line.startswith("TCP:"):
                fields = line.split()
                return int(fields[fields.index("tw") + 1])
    except (OSError, ValueError):
        pass
    return -1


def _cpu_ticks() -> dict[str, tuple[int, int]]:
    """(busy, total) clock ticks of each CPU so far (/proc/stat; idle + iowait = not busy)."""
    found = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            name, *values = line.split()
            ticks = [int(v) for v in values[:8]]
            idle = ticks[3] + ticks[4]
            steal = ticks[7]  # taken by the hypervisor: not busy here, but not ours either
            found[name] = (sum(ticks) - idle - steal, sum(ticks))
    return found


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _thread_cpu() -> dict[str, float]:
    """CPU seconds (user + sys) of each thread of this process, by ``name:tid``."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    main = threading.main_thread().native_id
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
            comm = (task / "comm").read_text().strip()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        label = "main" if int(task.name) == main else comm
        found[f"{label}:{task.name}"] = (int(fields[11]) + int(fields[12])) / ticks
    return found


class GcTimer:
    """Time spent in the cyclic garbage collector, per generation (via ``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self.longest = 0.0
        self.full: list[tuple[float, float]] = []  # (monotonic at start, seconds) of gen 2
        self._started = 0.0
        self._started_mono = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            self._started_mono = time.monotonic()
        else:
            spent = time.perf_counter() - self._started
            generation = info["generation"]
            self.seconds[generation] += spent
            self.collections[generation] += 1
            self.longest = max(self.longest, spent)
            if generation == 2:
                self.full.append((self._started_mono, spent))


class ProfilingExecutor(ThreadPoolExecutor):
    """The loop's default executor (``asyncio.to_thread``) with every call profiled, so the
    store writes done in worker threads show up in the profile too."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="asyncio")
        self.profiles: list[cProfile.Profile] = []
        self._local = threading.local()
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(self._profiled, fn, *args, **kwargs)

    def _profiled(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        profile = getattr(self._local, "profile", None)
        if profile is None:
            profile = self._local.profile = cProfile.Profile()
            with self._lock:
                self.profiles.append(profile)
        return profile.runcall(fn, *args, **kwargs)


def _planned(checks: Any, until: float) -> tuple[list[float], float]:
    """The due times golive's own scheduler plans in [0, until) with no lag (seconds after its
    start), and by when every check's first run is planned."""
    from golive.engine.scheduler import Scheduler

    scheduler = Scheduler(checks, start=0.0)
    due: list[float] = []
    first: dict[str, float] = {}
    while (at := scheduler.next_wakeup()) is not None and at < until:
        # a hair after the due time: Scheduler.next_slot(check, now) can return `now` itself
        # when `now` is exactly a slot (float rounding), and due(now) would then never return
        for item in scheduler.due(at + 1e-6):
            due.append(round(item.at, 4))
            first.setdefault(item.check.name, item.at)
    return due, max(first.values(), default=0.0)


def _fail(message: str) -> int:
    print(f"serve_scale child: {message}", file=sys.stderr)
    return 1


def _progress(message: str) -> None:
    print(f"serve_scale child: {message}", file=sys.stderr, flush=True)


def _sample(registry: Any, name: str, labels: dict[str, str] | None = None) -> float:
    value = registry.get_sample_value(name, labels or {})
    return float(value) if value is not None else 0.0


async def _run(args: argparse.Namespace, report: dict[str, Any]) -> Any:
    from golive.clock import SystemClock
    from golive.config.load import load_config
    from golive.serve.runtime import ServeRuntime
    from golive.store import Store, normalise_url

    started = time.perf_counter()
    loaded = load_config(args.config, environ=dict(os.environ))
    report["config_load_s"] = time.perf_counter() - started
    report["checks"] = len(loaded.config.checks)

    started = time.perf_counter()
    store = Store.open(normalise_url(loaded.config.store, loaded.base_dir))
    report["store_open_s"] = time.perf_counter() - started

    executor: ProfilingExecutor | None = None
    profiler: cProfile.Profile | None = None
    if args.profile is not None:
        executor = ProfilingExecutor()
        asyncio.get_running_loop().set_default_executor(executor)
        profiler = cProfile.Profile()

    extra: dict[str, Any] = {}
    if "environ" in inspect.signature(ServeRuntime).parameters:  # newer runtimes take it
        extra["environ"] = dict(os.environ)
    runtime = ServeRuntime(loaded, store=store, clock=SystemClock(), **extra)
    report["planned_due"], report["first_runs_within_s"] = _planned(
        loaded.config.checks, args.duration + 1
    )
    if args.experiment_gc_freeze:
        # NOT what golive serve does today: an experiment to see what moving the loaded
        # config and modules out of the collector's way would change (check_once does it)
        gc.freeze()
    t0 = time.monotonic()  # the engine's scheduler started at construction, a moment before
    t0_wall = time.time()
    report["scheduler_start_offset_s"] = runtime.engine._scheduler.start - t0

    # -- instrumentation (wrappers; golive's own behaviour is unchanged) ------------------
    lag_samples: list[tuple[float, float]] = []  # (monotonic when taken, lag)
    original_on_lag = runtime.engine.on_lag

    def on_lag(check: Any, lag: float) -> None:
        lag_samples.append((time.monotonic(), lag))
        if original_on_lag is not None:
            original_on_lag(check, lag)

    runtime.engine.on_lag = on_lag

    cycles: list[tuple[float, float]] = []  # (monotonic at start, seconds)
    original_cycle = runtime.cycle

    async def timed_cycle(*, final: bool = False) -> None:
        begun = time.monotonic()
        try:
            await original_cycle(final=final)
        finally:
            cycles.append((begun, time.monotonic() - begun))

    runtime.cycle = timed_cycle  # type: ignore[method-assign]

    loop_delays: list[tuple[float, float]] = []

    # once a second: checks in flight (tasks, and slots held), TIME_WAIT sockets, how busy
    # each CPU was over the last second (core 0 runs golive, core 1 nginx)
    gauges: list[dict[str, Any]] = []

    async def loop_monitor() -> None:
        ticks = 0
        cpu_before = _cpu_ticks()
        own_before = _cpu(resource.getrusage(resource.RUSAGE_SELF))
        clock_before = time.monotonic()
        while True:
            before = time.monotonic()
            await asyncio.sleep(LOOP_PROBE_S)
            loop_delays.append((before, time.monotonic() - before - LOOP_PROBE_S))
            ticks += 1
            if ticks % 10 == 0:
                cpu_now = _cpu_ticks()
                busy = {}
                for cpu, (used, total) in cpu_now.items():
                    used0, total0 = cpu_before.get(cpu, (0, 0))
                    busy[cpu] = (used - used0) / (total - total0) if total > total0 else 0.0
                cpu_before = cpu_now
                own_now, clock_now = (
                    _cpu(resource.getrusage(resource.RUSAGE_SELF)),
                    time.monotonic(),
                )
                own = (own_now - own_before) / (clock_now - clock_before)
                own_before, clock_before = own_now, clock_now
                slots = runtime.engine._slots
                gauges.append(
                    {
                        "t": time.monotonic() - t0,
                        "running": len(runtime.engine._running),
                        "slots_held": runtime.engine.concurrency - slots._value,
                        "tasks": len(asyncio.all_tasks()),
                        "time_wait": _time_wait(),
                        "cpu_busy": busy,
                        "own_cpu": own,  # this process (all of it on its pinned core)
                    }
                )

    marks: dict[str, Any] = {}

    def mark(name: str) -> None:
        marks[name] = {
            "t": time.monotonic() - t0,
            "cpu": _cpu(usage := resource.getrusage(resource.RUSAGE_SELF)),
            "cpu_user": usage.ru_utime,
            "cpu_sys": usage.ru_stime,
            "threads": _thread_cpu(),
            "runs": runtime.engine.counters.runs,
            "skipped": runtime.engine.counters.skipped,
            "lags": len(runtime.engine.counters.lag_seconds),
            "rss_kb": _status_kb("VmRSS"),
        }

    async def stopper() -> None:
        for at in sorted(set(args.mark_at)):
            if at < args.duration:
                await asyncio.sleep(max(0.0, t0 + at - time.monotonic()))
                mark(f"at:{at:g}")
                _progress(f"mark at {marks[f'at:{at:g}']['t']:.2f}s")
        await asyncio.sleep(max(0.0, t0 + args.duration - time.monotonic()))
        mark("end")
        _progress(f"stopping at {marks['end']['t']:.2f}s")
        runtime.stop()

    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    mark("start")
    monitor = asyncio.create_task(loop_monitor(), name="bench-loop-monitor")
    timer = asyncio.create_task(stopper(), name="bench-stopper")
    if profiler is not None:
        profiler.enable()
    try:
        await runtime.run()
    finally:
        if profiler is not None:
            profiler.disable()
        gc.callbacks.remove(gc_timer)
        monitor.cancel()
        timer.cancel()
    stopped_s = time.monotonic() - t0

    if profiler is not None and args.profile is not None:
        stats = pstats.Stats(profiler)
        thread_stats = None
        if executor is not None:
            executor.shutdown(wait=True)
            for profile in executor.profiles:
                if thread_stats is None:
                    thread_stats = pstats.Stats(profile)
                else:
                    thread_stats.add(profile)
        stats.dump_stats(str(args.profile))
        if thread_stats is not None:
            thread_stats.dump_stats(str(args.profile.with_suffix(".threads.pstats")))
            stats.add(thread_stats)
            stats.dump_stats(str(args.profile.with_suffix(".all.pstats")))

    registry = runtime.metrics.registry
    counters = runtime.engine.counters
    report.update(
        t0_to_stop_s=stopped_s,
        marks=marks,
        runs=counters.runs,
        skipped=counters.skipped,
        lag_count=len(counters.lag_seconds),
        lag_samples=[(t - t0, lag) for t, lag in lag_samples],
        cycles=[(t - t0, s) for t, s in cycles],
        loop_delays=[(t - t0, d) for t, d in loop_delays],
        gauges=gauges,
        t0_wall=t0_wall,
        metrics={
            "cycle_seconds_count": _sample(registry, "golive_cycle_seconds_count"),
            "cycle_seconds_sum": _sample(registry, "golive_cycle_seconds_sum"),
            "cycle_seconds_buckets": {
                le: _sample(registry, "golive_cycle_seconds_bucket", {"le": le})
                for le in ("0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf")
            },
            "lag_count": _sample(registry, "golive_schedule_lag_seconds_count"),
            "lag_sum": _sample(registry, "golive_schedule_lag_seconds_sum"),
            "runs_pass": _sample(registry, "golive_check_runs_total", {"result": "pass"}),
            "runs_fail": _sample(registry, "golive_check_runs_total", {"result": "fail"}),
            "cycle_errors": {
                sample.labels.get("step", "?"): sample.value
                for family in registry.collect()
                if family.name == "golive_cycle_errors"
                for sample in family.samples
                if sample.name == "golive_cycle_errors_total"
            },
        },
        gc_s=sum(gc_timer.seconds),
        gc_seconds_by_generation=gc_timer.seconds,
        gc_collections_by_generation=gc_timer.collections,
        gc_longest_s=gc_timer.longest,
        gc_full_collections=[(t - t0, d) for t, d in gc_timer.full],
        gc_frozen=gc.get_freeze_count(),
        failures_sample=[
            {"name": r.name, "error": r.error, "failed": [f.expect for f in r.failed]}
            for r in list(runtime.latest.values())
            if not r.ok
        ][:5],
    )
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument(
        "--mark-at", type=float, action="append", default=[], help="also take CPU/runs at S s"
    )
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    parser.add_argument("--experiment-gc-freeze", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from sqlalchemy import text

    import golive.serve.runtime  # noqa: F401  (timed: the imports `golive serve` pays once)

    report: dict[str, Any] = {"import_s": time.perf_counter() - started}
    store = asyncio.run(_run(args, report))
    try:
        with store.engine.connect() as connection:
            evidence_rows = connection.execute(text("SELECT count(*) FROM evidence")).scalar_one()
            subjects = connection.execute(
                text("SELECT count(DISTINCT subject) FROM evidence")
            ).scalar_one()
            compact_rows = connection.execute(
                text("SELECT count(*) FROM evidence WHERE \"values\" = '{}'")
            ).scalar_one()
            states = connection.execute(text("SELECT count(*) FROM check_state")).scalar_one()
            states_up = connection.execute(
                text("SELECT count(*) FROM check_state WHERE state = 'up'")
            ).scalar_one()
            rollups = connection.execute(text("SELECT count(*) FROM rollups")).scalar_one()
            latencies = connection.execute(
                text("SELECT taken_at, latency_ms FROM evidence WHERE latency_ms IS NOT NULL")
            ).all()
    finally:
        store.close()
    t0_wall = report["t0_wall"]
    report.update(
        probe_latencies=[
            (datetime.fromisoformat(str(taken)).replace(tzinfo=UTC).timestamp() - t0_wall, ms)
            for taken, ms in latencies
        ],
        evidence_rows=evidence_rows,
        evidence_subjects=subjects,
        evidence_compact_rows=compact_rows,
        check_state_rows=states,
        check_state_up=states_up,
        rollup_rows=rollups,
        peak_rss_kb=_status_kb("VmHWM"),
        ru_maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        affinity=sorted(os.sched_getaffinity(0)),
        profiled=args.profile is not None,
        experiment_gc_freeze=args.experiment_gc_freeze,
    )
    print(json.dumps(report))
    n = report["checks"]
    if subjects != n or states != n:
        return _fail(
            f"the store is missing checks: evidence for {subjects} of {n} checks, "
            f"{states} state rows (report printed above)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
