"""The golive side of ``bench/probes.py``, run in its own process (pinned by the parent).

It does what ``golive check`` does: load the config, open the evidence store, and run
``check_once`` over every check with the given concurrency, evidence stored included.
A warm-up batch runs first so imports, the event loop machinery and the SQLite schema
are not counted. Prints one JSON object on stdout; progress and errors go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _rss_kb(field: str) -> int:
    """``VmRSS`` / ``VmHWM`` of this process in kB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


class GcTimer:
    """Time spent in the cyclic garbage collector, per generation (via ``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.seconds[generation] += time.perf_counter() - self._started
            self.collections[generation] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


def _fail(message: str) -> int:
    print(f"golive child: {message}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from sqlalchemy import text

    from golive.clock import SystemClock
    from golive.config.load import load_config
    from golive.engine import check_once, open_store

    import_s = time.perf_counter() - started

    started = time.perf_counter()
    loaded = load_config(args.config, environ=dict(os.environ))
    load_s = time.perf_counter() - started
    checks = list(loaded.config.checks)
    n = len(checks)
    if n == 0:
        return _fail("the config has no checks")

    store = open_store(loaded)
    try:
        clock = SystemClock()
        warm = checks[: max(1, min(args.warmup, n))]
        warm_results = asyncio.run(
            check_once(loaded, warm, clock=clock, store=store, concurrency=args.concurrency)
        )
        if not all(r.ok for r in warm_results):
            bad = next(r for r in warm_results if not r.ok)
            return _fail(f"warm-up check {bad.name} failed: {bad.error or bad.failed}")
        rss_before_kb = _rss_kb("VmRSS")

        profiler = cProfile.Profile() if args.profile is not None else None
        gc_objects = len(gc.get_objects())
        with GcTimer() as gc_timer:
            usage_before = resource.getrusage(resource.RUSAGE_SELF)
            wall_before = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            results = asyncio.run(
                check_once(loaded, checks, clock=clock, store=store, concurrency=args.concurrency)
            )
            if profiler is not None:
                profiler.disable()
            wall_s = time.perf_counter() - wall_before
            usage_after = resource.getrusage(resource.RUSAGE_SELF)
        if profiler is not None and args.profile is not None:
            profiler.dump_stats(str(args.profile))

        with store.engine.connect() as connection:
            run = connection.execute(
                text("SELECT id, total, failed FROM runs ORDER BY id DESC LIMIT 1")
            ).one()
            rows = connection.execute(
                text("SELECT count(*) FROM evidence WHERE run_id = :run"), {"run": run.id}
            ).scalar_one()
    finally:
        store.close()

    failed = [r for r in results if not r.ok]
    if len(results) != n or failed:
        sample = "; ".join(f"{r.name}: {r.error or r.failed}" for r in failed[:5])
        return _fail(f"{len(failed)} of {len(results)} checks failed (of {n}): {sample}")
    if rows != n or run.total != n or run.failed != 0:
        return _fail(f"expected {n} evidence rows in the run, found {rows} (run {tuple(run)})")

    report: dict[str, Any] = {
        "checks": n,
        "concurrency": args.concurrency,
        "warmup": len(warm),
        "import_s": import_s,
        "config_load_s": load_s,
        "wall_s": wall_s,
        "cpu_user_s": usage_after.ru_utime - usage_before.ru_utime,
        "cpu_sys_s": usage_after.ru_stime - usage_before.ru_stime,
        "cpu_s": _cpu_seconds(usage_after) - _cpu_seconds(usage_before),
        "peak_rss_kb": usage_after.ru_maxrss,
        "rss_before_run_kb": rss_before_kb,
        "evidence_rows": rows,
        "gc_s": sum(gc_timer.seconds),
        "gc_seconds_by_generation": gc_timer.seconds,
        "gc_collections_by_generation": gc_timer.collections,
        "gc_tracked_objects_before_run": gc_objects,
        "all_ok": True,
        "profiled": profiler is not None,
        "affinity": sorted(os.sched_getaffinity(0)),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
