"""Serve at scale: N HTTP checks every E seconds, run by golive serve's runtime on one core.

A generated golive.yaml has N (default 10,000) HTTP checks at ``every: 30s`` against one
local nginx (pinned to core 1) and a SQLite store in a temporary directory. A child process
pinned to core 0 (``bench/_serve_scale_child.py``) runs ``ServeRuntime.run()`` — the engine,
the serve cycle, state, evidence and rollups, but no web server — for D seconds (default 95:
the ~2 s start-up burst plus three intervals), then stops it.

Reported: schedule lag p50/p90/p99/max (steady state, i.e. runs due after the first few
seconds, and including the start-up burst), runs done vs expected, skipped runs, CPU % of
the core, peak RSS, serve cycle duration, event-loop delay, evidence and state rows; and the
targets ``lag p99 < 1 s`` and ``RSS < 300 MB``. ``--profile`` adds one cProfile'd run and
prints where its time goes. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _stats import jsonable, ms, spread
from probes import ROOT, cores, err, machine_info, nginx, out, progress, steal_ticks
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
CHILD = BENCH_DIR / "_serve_scale_child.py"
PROBE_PATH = "/health"
LAG_TARGET_S = 1.0
RSS_TARGET_MB = 300.0
CHILD_GRACE_S = 300.0  # beyond --duration: config load, store open, final cycle, checks


# --------------------------------------------------------------------------- config


def write_config(path: Path, port: int, checks: int, every: float, timeout: float) -> None:
    width = max(5, len(str(checks)))
    lines = [
        "version: 1",
        "project: bench-serve-scale",
        'store: "sqlite:///golive.db"',
        "checks:",
    ]
    for i in range(1, checks + 1):
        lines += [
            f"  - name: c{i:0{width}d}",
            f"    every: {every:g}s",
            f"    timeout: {timeout:g}s",
            f'    http: {{url: "http://127.0.0.1:{port}{PROBE_PATH}?i={i}"}}',
            '    expect: ["status == 200"]',
        ]
    path.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the child


def run_child(
    config: Path, core: int, args: argparse.Namespace, profile: Path | None
) -> dict[str, Any]:
    cmd = [
        "taskset",
        "-c",
        str(core),
        sys.executable,
        str(CHILD),
        f"--config={config}",
        f"--duration={args.duration}",
        *(f"--mark-at={w}" for w in windows(args)),
    ]
    if profile is not None:
        cmd.append(f"--profile={profile}")
    if args.experiment_gc_freeze:
        cmd.append("--experiment-gc-freeze")
    timeout = args.duration + CHILD_GRACE_S
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"serve child did not finish within {timeout:.0f}s") from exc
    lines = done.stdout.strip().splitlines()
    report: dict[str, Any] | None = None
    if lines:
        try:
            report = json.loads(lines[-1])
        except json.JSONDecodeError:
            report = None
    if done.returncode != 0 or report is None:
        detail = ""
        if report is not None:
            detail = (
                f"\nchecks {report['checks']}, evidence for {report['evidence_subjects']}, "
                f"state rows {report['check_state_rows']}, runs {report['runs']}, "
                f"cycle errors {report['metrics']['cycle_errors']}"
            )
        raise RuntimeError(
            f"serve child failed (exit {done.returncode}){detail}\ncommand: {' '.join(cmd)}\n"
            f"--- stderr ---\n{done.stderr.strip()[-4000:]}"
        )
    return report


# --------------------------------------------------------------------------- analysis


def windows(args: argparse.Namespace) -> list[float]:
    """Where the steady windows start: after the start-up window, and after the first
    interval (when every check has run once on its own phase) if the run is long enough."""
    found = [args.start_window]
    if args.start_window < args.every <= args.duration - 5:
        found.append(args.every)
    return found


def window_figures(
    report: dict[str, Any], args: argparse.Namespace, since: float, end_t: float
) -> dict[str, Any]:
    """Figures for the runs due in [since, end) and the time from since to end."""
    samples = [(t, lag, t - lag) for t, lag in report["lag_samples"] if t <= end_t]
    lags = [lag for _, lag, due in samples if due >= since]
    marks = report["marks"]
    first = marks["start"] if since <= 0 else marks[f"at:{since:g}"]
    last = marks["end"]
    wall = last["t"] - first["t"]
    cpu = last["cpu"] - first["cpu"]
    threads: dict[str, float] = {}
    for name, seconds in last["threads"].items():
        label = name.split(":")[0]
        threads[label] = threads.get(label, 0.0) + seconds - first["threads"].get(name, 0.0)
    offset = report["scheduler_start_offset_s"]  # scheduler start relative to the child's t0
    expected = sum(1 for d in report["planned_due"] if since - offset <= d < end_t - offset)
    cycles = [s for t, s in report["cycles"] if since <= t < end_t]
    delays = [d for t, d in report["loop_delays"] if since <= t < end_t]
    gc_full = [d for t, d in report["gc_full_collections"] if since <= t < end_t]
    probe_ms = [v for t, v in report["probe_latencies"] if since <= t < end_t]
    gauges = [g for g in report["gauges"] if since <= g["t"] < end_t]
    return {
        "since_s": since,
        "lag": spread(lags),
        "runs_started": len(lags),
        "runs_expected": expected,
        "runs_completed_in_window": last["runs"] - first["runs"],
        "skipped": last["skipped"] - first["skipped"],
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_percent": 100 * cpu / wall if wall > 0 else math.nan,
        "cpu_user_s": last["cpu_user"] - first["cpu_user"],
        "cpu_sys_s": last["cpu_sys"] - first["cpu_sys"],
        "probe_latency_ms": spread(probe_ms),
        "in_flight_max": max((g["running"] for g in gauges), default=0),
        "slots_held_max": max((g["slots_held"] for g in gauges), default=0),
        "time_wait_max": max((g["time_wait"] for g in gauges), default=0),
        "core_busy_mean": {
            cpu: statistics.fmean(g["cpu_busy"].get(cpu, 0.0) for g in gauges)
            for cpu in (gauges[0]["cpu_busy"] if gauges else {})
        },
        # how busy golive's core was with other processes (noise: tests running beside it)
        "foreign_on_serve_core": statistics.fmean(
            max(0.0, g["cpu_busy"].get(f"cpu{args.serve_core}", 0.0) - g["own_cpu"]) for g in gauges
        )
        if gauges
        else math.nan,
        "cpu_s_by_thread": threads,
        "checks_per_s": (last["runs"] - first["runs"]) / wall if wall > 0 else math.nan,
        "cycle_s": spread(cycles),
        "loop_delay_s": spread(delays),
        "gc_full_collections": len(gc_full),
        "gc_full_s": spread(gc_full),
    }


def analyse(report: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Figures for the table and the JSON, from the child's raw report."""
    end_t = report["marks"]["end"]["t"]
    columns = [window_figures(report, args, w, end_t) for w in windows(args)]
    columns.append(window_figures(report, args, 0.0, end_t))
    samples = [(t, lag, t - lag) for t, lag in report["lag_samples"] if t <= end_t]
    timeline = []
    step = args.timeline_step
    for k in range(math.ceil(end_t / step)):
        lo, hi = k * step, (k + 1) * step
        lags = [lag for _, lag, due in samples if lo <= due < hi]
        cyc = [s for t, s in report["cycles"] if lo <= t < hi]
        dly = [d for t, d in report["loop_delays"] if lo <= t < hi]
        full = [d for t, d in report["gc_full_collections"] if lo <= t < hi]
        probe_ms = [v for t, v in report["probe_latencies"] if lo <= t < hi]
        gauges = [g for g in report["gauges"] if lo <= g["t"] < hi]
        timeline.append(
            {
                "from_s": lo,
                "to_s": hi,
                "runs_due": len(lags),
                "lag": spread(lags),
                "cycle_max_s": max(cyc) if cyc else math.nan,
                "cycle_count": len(cyc),
                "loop_delay_max_s": max(dly) if dly else math.nan,
                "gc_full": len(full),
                "probe_latency_ms": spread(probe_ms),
                "in_flight_max": max((g["running"] for g in gauges), default=0),
                "slots_held_max": max((g["slots_held"] for g in gauges), default=0),
                "tasks_max": max((g["tasks"] for g in gauges), default=0),
                "time_wait_max": max((g["time_wait"] for g in gauges), default=0),
                "core_busy_mean": {
                    cpu: statistics.fmean(g["cpu_busy"].get(cpu, 0.0) for g in gauges)
                    for cpu in (gauges[0]["cpu_busy"] if gauges else {})
                },
                "foreign_on_serve_core": statistics.fmean(
                    max(0.0, g["cpu_busy"].get(f"cpu{args.serve_core}", 0.0) - g["own_cpu"])
                    for g in gauges
                )
                if gauges
                else math.nan,
                "gc_full_max_s": max(full) if full else math.nan,
            }
        )
    metrics = report["metrics"]
    late = [due for _, lag, due in samples if lag >= LAG_TARGET_S]
    return {
        "windows": columns,
        "runs_completed": report["runs"],
        "runs_failed": metrics["runs_fail"],
        "cycle_metric": {
            "count": metrics["cycle_seconds_count"],
            "sum_s": metrics["cycle_seconds_sum"],
            "mean_s": metrics["cycle_seconds_sum"] / metrics["cycle_seconds_count"]
            if metrics["cycle_seconds_count"]
            else math.nan,
            "buckets": metrics["cycle_seconds_buckets"],
        },
        "peak_rss_mb": report["peak_rss_kb"] / 1024,
        "rss_mb_at": {k: v["rss_kb"] / 1024 for k, v in report["marks"].items()},
        "timeline": timeline,
        "late_runs": {
            "count": len(late),
            "last_due_s": max(late) if late else None,
        },
    }


# --------------------------------------------------------------------------- output


def column_title(w: dict[str, Any]) -> str:
    return "including start" if w["since_s"] <= 0 else f"due ≥ {w['since_s']:g}s"


def results_table(a: dict[str, Any], report: dict[str, Any], args: argparse.Namespace) -> Table:
    table = Table(
        title=(
            f"golive serve runtime: {args.checks:,} HTTP checks every {args.every:g}s, "
            f"{args.duration:g}s, one core (no web server)"
            + (" [EXPERIMENT: gc.freeze()]" if args.experiment_gc_freeze else "")
        )
    )
    cols = a["windows"]
    table.add_column("figure")
    for w in cols:
        table.add_column(column_title(w), justify="right")
    table.add_column("target", justify="right")

    def row(label: str, cells: list[str], target: str = "", **kw: Any) -> None:
        table.add_row(label, *cells, target, **kw)

    row("schedule lag p50 ms", [ms(w["lag"]["p50"]) for w in cols])
    row("schedule lag p90 ms", [ms(w["lag"]["p90"]) for w in cols])
    row(
        "[bold]schedule lag p99 ms[/bold]",
        [f"[bold]{ms(w['lag']['p99'])}[/bold]" for w in cols],
        f"< {LAG_TARGET_S * 1000:,.0f}",
    )
    row("schedule lag max ms", [ms(w["lag"]["max"]) for w in cols], end_section=True)
    row(
        "runs started / expected", [f"{w['runs_started']:,} / {w['runs_expected']:,}" for w in cols]
    )
    row("checks completed per s", [f"{w['checks_per_s']:,.0f}" for w in cols])
    row("skipped (previous run still going)", [f"{w['skipped']:,}" for w in cols])
    row(
        "probe latency p50 / p99 ms (by run start)",
        [f"{w['probe_latency_ms']['p50']:.1f} / {w['probe_latency_ms']['p99']:.1f}" for w in cols],
    )
    row(
        "checks waiting + running max (slots held)",
        [f"{w['in_flight_max']:,} ({w['slots_held_max']})" for w in cols],
    )
    blank = [""] * (len(cols) - 1)
    row("failed runs (whole run)", [*blank, f"{a['runs_failed']:,.0f}"], "0", end_section=True)
    row("CPU % of one core", [f"{w['cpu_percent']:.0f} %" for w in cols])
    row(
        "  other processes on this core (noise)",
        [f"{w['foreign_on_serve_core']:.0%}" for w in cols],
    )
    row("  CPU s user / sys", [f"{w['cpu_user_s']:.1f} / {w['cpu_sys_s']:.1f}" for w in cols])
    row(
        "  CPU s: event-loop thread / others",
        [
            f"{w['cpu_s_by_thread'].get('main', 0.0):.1f} / "
            f"{sum(v for k, v in w['cpu_s_by_thread'].items() if k != 'main'):.1f}"
            for w in cols
        ],
    )
    row(
        "  full GC collections (max ms)",
        [f"{w['gc_full_collections']} ({ms(w['gc_full_s']['max'], 0)})" for w in cols],
    )
    gens = "/".join(map(str, report["gc_collections_by_generation"]))
    row("  GC time s (collections gen0/1/2)", [*blank, f"{report['gc_s']:.2f} ({gens})"])
    row(
        "[bold]peak RSS MB[/bold]",
        [*blank, f"[bold]{a['peak_rss_mb']:.0f}[/bold]"],
        f"< {RSS_TARGET_MB:.0f}",
        end_section=True,
    )
    row(
        "serve cycle p50 / p99 / max ms",
        [
            f"{ms(w['cycle_s']['p50'], 0)} / {ms(w['cycle_s']['p99'], 0)} / "
            f"{ms(w['cycle_s']['max'], 0)}"
            for w in cols
        ],
    )
    cm = a["cycle_metric"]
    row(
        "  golive_cycle_seconds count / mean ms",
        [*blank, f"{cm['count']:.0f} / {ms(cm['mean_s'], 0)}"],
    )
    row(
        "event-loop delay p99 / max ms",
        [f"{ms(w['loop_delay_s']['p99'], 0)} / {ms(w['loop_delay_s']['max'], 0)}" for w in cols],
        end_section=True,
    )
    row(
        "evidence rows (compact) / checks with evidence",
        [
            *blank,
            f"{report['evidence_rows']:,} ({report['evidence_compact_rows']:,}) / "
            f"{report['evidence_subjects']:,}",
        ],
        f"{report['checks']:,}",
    )
    row(
        "check_state rows (up) / rollup rows",
        [
            *blank,
            f"{report['check_state_rows']:,} ({report['check_state_up']:,}) / "
            f"{report['rollup_rows']:,}",
        ],
        f"{report['checks']:,}",
    )
    return table


def timeline_table(a: dict[str, Any], serve_core: int, nginx_core: int) -> Table:
    table = Table(
        title="timeline: runs by due time; cycles, loop delays, GCs, gauges by when they "
        "happened (times in ms)"
    )
    for name in (
        "due s",
        "runs",
        "lag p50",
        "lag p99",
        "lag max",
        "cycle max",
        "loop delay max",
        "full GCs (max)",
        "probe p99",
        "waiting+running (slots)",
        f"core {serve_core} others",
        f"core {serve_core} / {nginx_core} busy",
        "TIME_WAIT",
    ):
        table.add_column(name, justify="right")
    for row in a["timeline"]:
        lag = row["lag"]
        busy = row["core_busy_mean"]
        table.add_row(
            f"{row['from_s']:g}–{row['to_s']:g}",
            f"{row['runs_due']:,}",
            ms(lag["p50"]),
            ms(lag["p99"]),
            ms(lag["max"], 0),
            ms(row["cycle_max_s"], 0),
            ms(row["loop_delay_max_s"], 0),
            f"{row['gc_full']} ({ms(row['gc_full_max_s'], 0)})" if row["gc_full"] else "0",
            ms(row["probe_latency_ms"]["p99"] / 1000, 0),
            f"{row['in_flight_max']:,} ({row['slots_held_max']})",
            f"{row['foreign_on_serve_core']:.0%}" if busy else "—",
            f"{busy.get(f'cpu{serve_core}', 0):.0%} / {busy.get(f'cpu{nginx_core}', 0):.0%}"
            if busy
            else "—",
            f"{row['time_wait_max']:,}",
        )
    return table


def verdict(label: str, ok: bool, detail: str) -> str:
    colour = "green" if ok else "red"
    return f"[bold {colour}]{label}: {'PASS' if ok else 'FAIL'}[/bold {colour}] ({detail})"


def print_profile(path: Path, top: int = 25) -> None:
    all_path = path.with_suffix(".all.pstats")
    threads_path = path.with_suffix(".threads.pstats")
    for order in ("cumulative", "tottime"):
        out.rule(f"serve runtime profile, event-loop thread — top {top} by {order}")
        pstats.Stats(str(path), stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(top)
    if threads_path.exists():
        out.rule(
            "serve runtime profile, worker threads (asyncio.to_thread: store writes) — by tottime"
        )
        stats = pstats.Stats(str(threads_path), stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(15)
    out.print(f"profiles: {path} (event loop), {threads_path} (threads), {all_path} (both)")


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="golive serve at scale: schedule lag, CPU, RSS (see bench/README.md)."
    )
    parser.add_argument("--checks", type=int, default=10_000, help="HTTP checks in the config")
    parser.add_argument("--every", type=float, default=30.0, help="interval of every check, s")
    parser.add_argument("--duration", type=float, default=95.0, help="how long serve runs, s")
    parser.add_argument("--timeout", type=float, default=5.0, help="timeout of every check, s")
    parser.add_argument(
        "--start-window",
        type=float,
        default=5.0,
        help="runs due in the first S seconds are the start-up burst (reported apart)",
    )
    parser.add_argument("--timeline-step", type=float, default=10.0, help="timeline bucket, s")
    parser.add_argument(
        "--json",
        type=Path,
        default=BENCH_DIR / "results" / "serve_scale.json",
        help="where to write the figures",
    )
    parser.add_argument(
        "--experiment-gc-freeze",
        action="store_true",
        help="NOT golive's behaviour: call gc.freeze() after building the runtime, to measure "
        "what it would change",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run once under cProfile (event loop and worker threads) and print the top",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.checks <= 100_000:
        parser.error("--checks must be from 1 to 100000")
    if not 1 <= args.every <= 3600:
        parser.error("--every must be from 1 to 3600 seconds")
    if not args.start_window + 1 <= args.duration <= 3600:
        parser.error("--duration must be from --start-window + 1 to 3600 seconds")
    if not 0 < args.timeout <= args.every:
        parser.error("--timeout must be positive and not longer than --every")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # devkit lives at the repository root
    if shutil.which("taskset") is None:
        err.print("[red]taskset (util-linux) is required to pin processes to cores[/red]")
        return 2

    serve_core, nginx_core = cores()
    args.serve_core = serve_core
    if serve_core == nginx_core:
        err.print("[yellow]only one usable CPU: golive and nginx share it[/yellow]")
    progress(
        f"{args.checks:,} checks every {args.every:g}s for {args.duration:g}s; "
        f"golive on core {serve_core}, nginx on core {nginx_core}"
    )
    started = time.monotonic()
    profile_path: Path | None = None
    profiled: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory(prefix="golive-serve-scale-") as tmp:
        base = Path(tmp)
        progress("starting nginx")
        with nginx(base, nginx_core) as server:
            config = base / "golive" / "golive.yaml"
            config.parent.mkdir()
            write_config(config, server.ports[0], args.checks, args.every, args.timeout)
            progress(f"running golive serve's runtime for {args.duration:g}s")
            steal_before = steal_ticks(serve_core)
            report = run_child(config, serve_core, args, None)
            steal = steal_ticks(serve_core) - steal_before
            if args.profile:
                for suffix in ("", "-wal", "-shm"):
                    (config.parent / f"golive.db{suffix}").unlink(missing_ok=True)
                profile_path = args.json.parent / "serve_scale.pstats"
                profile_path.parent.mkdir(parents=True, exist_ok=True)
                progress("profiling one more run under cProfile (not counted above)")
                profiled = run_child(config, serve_core, args, profile_path)

    a = analyse(report, args)
    out.print(results_table(a, report, args))
    out.print(timeline_table(a, serve_core, nginx_core))
    steady = a["windows"][:-1]
    lag_ok = {column_title(w): w["lag"]["p99"] < LAG_TARGET_S for w in steady}
    rss_ok = a["peak_rss_mb"] < RSS_TARGET_MB
    for w in steady:
        out.print(
            verdict(
                f"lag p99 < 1 s ({column_title(w)})",
                lag_ok[column_title(w)],
                f"{ms(w['lag']['p99'])} ms; including start "
                f"{ms(a['windows'][-1]['lag']['p99'])} ms",
            )
        )
    out.print(verdict("RSS < 300 MB", rss_ok, f"peak {a['peak_rss_mb']:.0f} MB (VmHWM)"))
    late = a["late_runs"]
    out.print(
        f"runs started ≥ 1 s late: {late['count']:,}"
        + (
            f", the last of them due at {late['last_due_s']:.1f}s "
            f"(start-up: the scheduler plans the first runs of all {args.checks:,} checks "
            f"within {report['first_runs_within_s']:.1f}s)"
            if late["count"]
            else ""
        )
    )
    out.print(
        f"config load {report['config_load_s']:.2f}s, store open {report['store_open_s']:.2f}s, "
        f"imports {report['import_s']:.2f}s (before the runtime starts; not in the figures); "
        f"hypervisor steal on core {serve_core}: {steal} ticks"
    )
    if report["failures_sample"]:
        out.print(
            f"[yellow]failing checks at the end (sample):[/yellow] {report['failures_sample']}"
        )
    errors = {k: v for k, v in report["metrics"]["cycle_errors"].items() if v}
    if errors:
        out.print(f"[red]serve cycle errors:[/red] {errors}")

    profiled_summary = None
    if profiled is not None:
        pa = analyse(profiled, args)
        profiled_summary = {"windows": pa["windows"], "gc_s": profiled["gc_s"]}

    args.json.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        k: v
        for k, v in report.items()
        if k not in ("lag_samples", "loop_delays", "probe_latencies", "planned_due")
    }
    raw["loop_delays_over_50ms"] = [(t, d) for t, d in report["loop_delays"] if d > 0.05]
    document = {
        "benchmark": "serve_scale",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "checks": args.checks,
            "every_s": args.every,
            "duration_s": args.duration,
            "timeout_s": args.timeout,
            "start_window_s": args.start_window,
            "serve_core": serve_core,
            "nginx_core": nginx_core,
        },
        "machine": machine_info(None),
        "targets": {"lag_p99_s": LAG_TARGET_S, "peak_rss_mb": RSS_TARGET_MB},
        "meets_targets": {"lag_p99": lag_ok, "peak_rss": rss_ok},
        "experiment_gc_freeze": args.experiment_gc_freeze,
        "figures": a,
        "child": raw,
        "serve_core_steal_ticks": steal,
        "profile": str(profile_path) if profile_path else None,
        "profiled_run": profiled_summary,
        "elapsed_s": time.monotonic() - started,
    }
    args.json.write_text(json.dumps(jsonable(document), indent=2) + "\n")
    out.print(f"figures written to {args.json}")

    if profile_path is not None and profiled_summary is not None:
        print_profile(profile_path)
        for w in profiled_summary["windows"]:
            out.print(
                f"the profiled run, {column_title(w)}: lag p99 {ms(w['lag']['p99'])} ms, "
                f"CPU {w['cpu_percent']:.0f} %, CPU s by thread "
                f"{ {k: round(v, 1) for k, v in w['cpu_s_by_thread'].items()} }"
            )
        out.print(f"the profiled run spent {profiled_summary['gc_s']:.2f}s in the cyclic GC")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        err.print(f"[red]bench failed:[/red] {exc}")
        sys.exit(1)
