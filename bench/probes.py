"""Probe throughput: golive's ``check_once`` against Prometheus's blackbox_exporter.

N HTTP checks against one local nginx (pinned to core 1), run by

* golive: a child process pinned to core 0 that loads a generated golive.yaml and calls
  ``check_once`` exactly as ``golive check`` does, evidence stored in SQLite included;
* blackbox_exporter: the Debian ``prometheus-blackbox-exporter`` pinned to core 0 with
  ``GOMAXPROCS=1``, driven through ``/probe`` by an aiohttp load generator on core 1 with
  the same concurrency.

Reports wall-clock checks/s, checks per CPU-second of the prober process and peak RSS for
both, per repeat, with the median and best, and the ratio golive / blackbox_exporter.
``--profile`` adds one cProfile'd golive run and prints where its time goes.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from devkit.servers import NginxServer, Server

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
GOLIVE_CHILD = BENCH_DIR / "_golive_child.py"
BLACKBOX_LOAD = BENCH_DIR / "_blackbox_load.py"
EXPORTER = "prometheus-blackbox-exporter"
EXPORTER_PACKAGE = "prometheus-blackbox-exporter"
TARGET = 1.20  # golive must beat blackbox_exporter by 20 %
CHILD_TIMEOUT_S = 900.0
WARMUP = 200  # unmeasured checks (probes) each side runs first, in the same process
PROBE_PATH = "/health"
BODY = '{"status":"healthy"}'

# wide enough for the table when stdout is a file or a pipe (rich assumes 80 columns there)
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 140)


def progress(message: str) -> None:
    err.print(f"[dim]{datetime.now():%H:%M:%S}[/dim] {message}")


# --------------------------------------------------------------------------- results


@dataclass
class Sample:
    """One measured batch of one side."""

    side: str
    repeat: int
    checks: int
    concurrency: int
    wall_s: float
    cpu_s: float
    peak_rss_kb: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def per_wall_s(self) -> float:
        return self.checks / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def per_cpu_s(self) -> float:
        return self.checks / self.cpu_s if self.cpu_s > 0 else 0.0

    @property
    def cpu_share(self) -> float:
        """How busy the prober's core was (1.0 = the prober was the bottleneck)."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            checks_per_wall_s=self.per_wall_s,
            checks_per_cpu_s=self.per_cpu_s,
            cpu_share=self.cpu_share,
            peak_rss_mb=self.peak_rss_kb / 1024,
        )
        return data


@dataclass
class Summary:
    """Median and best over the repeats of one side; each figure taken on its own."""

    side: str
    label: str
    checks: int
    concurrency: int
    wall_s: float
    per_wall_s: float
    cpu_s: float
    per_cpu_s: float
    peak_rss_mb: float


def summarise(samples: Sequence[Sample], label: str) -> Summary:
    pick: Callable[[Sequence[float]], float]
    pick_low: Callable[[Sequence[float]], float]
    if label == "median":
        pick = pick_low = statistics.median
    else:
        pick, pick_low = max, min
    return Summary(
        side=samples[0].side,
        label=label,
        checks=samples[0].checks,
        concurrency=samples[0].concurrency,
        wall_s=pick_low([s.wall_s for s in samples]),
        per_wall_s=pick([s.per_wall_s for s in samples]),
        cpu_s=pick_low([s.cpu_s for s in samples]),
        per_cpu_s=pick([s.per_cpu_s for s in samples]),
        peak_rss_mb=pick_low([s.peak_rss_kb / 1024 for s in samples]),
    )


# --------------------------------------------------------------------------- processes


def cores() -> tuple[int, int]:
    """(prober core, nginx + load generator core); the same core on a 1-CPU machine."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) >= 2:
        return available[0], available[1]
    return available[0], available[0]


def pin(pid: int, core: int) -> None:
    """Pin every thread of ``pid`` to ``core``."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        os.sched_setaffinity(int(task.name), {core})


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def run_json(cmd: Sequence[str], what: str, timeout: float = CHILD_TIMEOUT_S) -> dict[str, Any]:
    """Run a driver; its last stdout line is a JSON report. Raise with its stderr on failure."""
    try:
        done = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what} did not finish within {timeout:.0f}s") from exc
    if done.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {done.returncode})\ncommand: {' '.join(cmd)}\n"
            f"--- stderr ---\n{done.stderr.strip()[-4000:]}"
        )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{what} printed no report\n--- stderr ---\n{done.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(lines[-1])
    return report


def pinned(core: int, *cmd: str) -> list[str]:
    return ["taskset", "-c", str(core), *cmd]


@contextmanager
def nginx(base: Path, core: int) -> Iterator[NginxServer]:
    from devkit.servers import NginxServer, free_port

    port = free_port()
    conf = (
        "server {\n"
        f"    listen 127.0.0.1:{port};\n"
        f"    location = {PROBE_PATH} {{\n"
        "        default_type application/json;\n"
        f"        return 200 '{BODY}';\n"
        "    }\n"
        "}\n"
    )
    server = NginxServer.start(base / "nginx", conf, ports=[port])
    try:
        for pid in [server.pid, *children(server.pid)]:
            pin(pid, core)
        yield server
    finally:
        server.stop()


def exporter_binary() -> str | None:
    return shutil.which(EXPORTER) or (
        f"/usr/bin/{EXPORTER}" if os.access(f"/usr/bin/{EXPORTER}", os.X_OK) else None
    )


def exporter_version(binary: str) -> str:
    done = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


@contextmanager
def blackbox_exporter(binary: str, base: Path, core: int) -> Iterator[tuple[Server, int]]:
    from devkit.ports import wait_for_port
    from devkit.servers import Server, free_port

    base.mkdir(parents=True, exist_ok=True)
    config = base / "blackbox.yml"
    config.write_text(
        "modules:\n"
        "  http_2xx:\n"
        "    prober: http\n"
        "    timeout: 5s\n"
        "    http:\n"
        "      valid_status_codes: [200]\n"
        "      preferred_ip_protocol: ip4\n"
    )
    port = free_port()
    log = base / "blackbox_exporter.log"
    cmd = pinned(
        core,
        binary,
        f"--config.file={config}",
        f"--web.listen-address=127.0.0.1:{port}",
    )
    env = dict(os.environ, GOMAXPROCS="1")
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, env=env
        )
    server = Server(proc, base, log)
    try:
        wait_for_port(port, timeout=30, proc=proc, log=log)
        yield server, port
    finally:
        server.stop()


# --------------------------------------------------------------------------- the two sides


def write_golive_config(path: Path, port: int, checks: int) -> None:
    width = max(4, len(str(checks)))
    lines = [
        "version: 1",
        "project: bench",
        'store: "sqlite:///golive.db"',
        "checks:",
    ]
    for i in range(1, checks + 1):
        lines += [
            f"  - name: c{i:0{width}d}",
            "    timeout: 5s",
            f'    http: {{url: "http://127.0.0.1:{port}{PROBE_PATH}?i={i}"}}',
            '    expect: ["status == 200"]',
        ]
    path.write_text("\n".join(lines) + "\n")


def fresh_store(config: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        (config.parent / f"golive.db{suffix}").unlink(missing_ok=True)


def time_wait_sockets() -> int:
    """TCP sockets in TIME_WAIT (each fresh connection leaves one for 60 s)."""
    count = 0
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        try:
            with table.open() as lines:
                next(lines, None)
                count += sum(1 for line in lines if line.split()[3] == "06")
        except OSError:
            pass
    return count


def steal_ticks(core: int) -> int:
    """Clock ticks the hypervisor took from ``core`` so far (a noise indicator on VMs)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            fields = line.split()
            return int(fields[8]) if len(fields) > 8 else 0
    return 0


def run_golive(
    config: Path, concurrency: int, core: int, repeat: int, profile: Path | None = None
) -> Sample:
    fresh_store(config)
    cmd = pinned(
        core,
        sys.executable,
        str(GOLIVE_CHILD),
        f"--config={config}",
        f"--concurrency={concurrency}",
        f"--warmup={WARMUP}",
    )
    if profile is not None:
        cmd.append(f"--profile={profile}")
    report = run_json(cmd, "golive child")
    return Sample(
        side="golive",
        repeat=repeat,
        checks=report["checks"],
        concurrency=report["concurrency"],
        wall_s=report["wall_s"],
        cpu_s=report["cpu_s"],
        peak_rss_kb=report["peak_rss_kb"],
        extra={
            k: report[k]
            for k in (
                "import_s",
                "config_load_s",
                "cpu_user_s",
                "cpu_sys_s",
                "rss_before_run_kb",
                "evidence_rows",
                "gc_s",
                "gc_seconds_by_generation",
                "gc_collections_by_generation",
                "gc_tracked_objects_before_run",
                "warmup",
                "affinity",
            )
        },
    )


def run_blackbox(
    binary: str,
    base: Path,
    nginx_port: int,
    args: argparse.Namespace,
    repeat: int,
    cores_: tuple[int, int],
) -> Sample:
    prober_core, other_core = cores_
    with blackbox_exporter(binary, base, prober_core) as (server, port):
        cmd = pinned(
            other_core,
            sys.executable,
            str(BLACKBOX_LOAD),
            f"--exporter=http://127.0.0.1:{port}",
            f"--target-base=http://127.0.0.1:{nginx_port}{PROBE_PATH}?i=",
            f"--pid={server.pid}",
            f"--checks={args.checks}",
            f"--concurrency={args.concurrency}",
            f"--warmup={WARMUP}",
        )
        report = run_json(cmd, "blackbox load generator")
    return Sample(
        side="blackbox_exporter",
        repeat=repeat,
        checks=report["checks"],
        concurrency=report["concurrency"],
        wall_s=report["wall_s"],
        cpu_s=report["cpu_s"],
        peak_rss_kb=report["peak_rss_kb"],
        extra={
            k: report[k]
            for k in ("warmup", "clock_ticks_per_s", "load_generator_affinity", "exporter_affinity")
        },
    )


# --------------------------------------------------------------------------- output


def results_table(samples: Sequence[Sample], summaries: Sequence[Summary]) -> Table:
    table = Table(title="probe throughput (HTTP checks against local nginx)")
    table.add_column("prober")
    table.add_column("run")
    for name in ("checks", "concurrency", "wall s", "checks/s (wall)", "CPU s"):
        table.add_column(name, justify="right")
    table.add_column("checks per CPU-second", justify="right")
    table.add_column("CPU busy", justify="right")
    table.add_column("peak RSS MB", justify="right")
    for i, s in enumerate(samples):
        table.add_row(
            s.side,
            f"#{s.repeat}",
            str(s.checks),
            str(s.concurrency),
            f"{s.wall_s:.3f}",
            f"{s.per_wall_s:,.0f}",
            f"{s.cpu_s:.3f}",
            f"{s.per_cpu_s:,.0f}",
            f"{s.cpu_share:.0%}",
            f"{s.peak_rss_kb / 1024:.1f}",
            end_section=i == len(samples) - 1,
        )
    for m in summaries:
        table.add_row(
            f"[bold]{m.side}[/bold]",
            m.label,
            str(m.checks),
            str(m.concurrency),
            f"{m.wall_s:.3f}",
            f"[bold]{m.per_wall_s:,.0f}[/bold]",
            f"{m.cpu_s:.3f}",
            f"[bold]{m.per_cpu_s:,.0f}[/bold]",
            "",
            f"{m.peak_rss_mb:.1f}",
        )
    return table


def print_profile(path: Path, top: int = 25) -> None:
    for order in ("cumulative", "tottime"):
        out.rule(f"golive check_once profile — top {top} by {order}")
        stats = pstats.Stats(str(path), stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(top)
    out.print(f"full profile: {path} (python -m pstats {path})")


def machine_info(exporter: str | None) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    import aiohttp

    import golive

    return {
        "nproc": os.cpu_count(),
        "usable_cpus": sorted(os.sched_getaffinity(0)),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "aiohttp": aiohttp.__version__,
        "golive": getattr(golive, "__version__", "unknown"),
        "nginx": nginx_v.stderr.strip(),
        "blackbox_exporter": exporter_version(exporter) if exporter else None,
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="golive vs blackbox_exporter HTTP probe throughput (see bench/README.md)."
    )
    parser.add_argument("--checks", type=int, default=2000, help="HTTP checks per run")
    parser.add_argument("--concurrency", type=int, default=100, help="checks in flight")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per side")
    parser.add_argument(
        "--json",
        type=Path,
        default=BENCH_DIR / "results" / "probes.json",
        help="where to write the figures",
    )
    parser.add_argument(
        "--skip-peer",
        action="store_true",
        help="run without blackbox_exporter when it is not installed (no ratio then)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run golive once under cProfile; write bench/results/probes-golive.pstats",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.checks <= 100_000:
        parser.error("--checks must be from 1 to 100000")
    if not 1 <= args.concurrency <= 1000:
        parser.error("--concurrency must be from 1 to 1000")
    if not 1 <= args.repeat <= 20:
        parser.error("--repeat must be from 1 to 20")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # devkit lives at the repository root

    if shutil.which("taskset") is None:
        err.print("[red]taskset (util-linux) is required to pin processes to cores[/red]")
        return 2
    binary = exporter_binary()
    if binary is None:
        why = f"{EXPORTER} not found (install it with: bash devkit/system.sh {EXPORTER_PACKAGE})"
        if not args.skip_peer:
            err.print(f"[red]{why}[/red]; or pass --skip-peer to measure golive alone")
            return 2
        err.print(f"[yellow]{why}; --skip-peer: measuring golive alone[/yellow]")
    elif args.skip_peer:
        binary = None
        err.print("[yellow]--skip-peer: measuring golive alone[/yellow]")

    prober_core, other_core = cores()
    if prober_core == other_core:
        err.print("[yellow]only one usable CPU: prober, nginx and load share it[/yellow]")
    progress(
        f"{args.checks} checks, concurrency {args.concurrency}, {args.repeat} repeat(s); "
        f"prober on core {prober_core}, nginx and load generator on core {other_core}"
    )

    samples: list[Sample] = []
    profile_path: Path | None = None
    profile_gc_s = 0.0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="golive-bench-") as tmp:
        base = Path(tmp)
        progress("starting nginx")
        with nginx(base, other_core) as server:
            port = server.ports[0]
            config = base / "golive" / "golive.yaml"
            config.parent.mkdir()
            write_golive_config(config, port, args.checks)
            for repeat in range(1, args.repeat + 1):
                # alternate who goes first, so drift (TIME_WAIT sockets, a warming CPU)
                # does not always favour the same side
                sides = ["golive", "blackbox_exporter"] if binary is not None else ["golive"]
                if repeat % 2 == 0:
                    sides.reverse()
                for position, side in enumerate(sides, 1):
                    what = "check_once" if side == "golive" else "/probe via load generator"
                    progress(f"repeat {repeat}/{args.repeat}: {side} {what}")
                    time_wait = time_wait_sockets()
                    steal_before = steal_ticks(prober_core)
                    if side == "golive":
                        sample = run_golive(config, args.concurrency, prober_core, repeat)
                    else:
                        assert binary is not None
                        sample = run_blackbox(
                            binary,
                            base / f"blackbox-{repeat}",
                            port,
                            args,
                            repeat,
                            (prober_core, other_core),
                        )
                    sample.extra.update(
                        time_wait_sockets_before=time_wait,
                        position=position,
                        prober_core_steal_ticks=steal_ticks(prober_core) - steal_before,
                    )
                    samples.append(sample)
                    progress(
                        f"  {side}: {sample.wall_s:.2f}s wall, "
                        f"{sample.per_wall_s:,.0f} checks/s, {sample.per_cpu_s:,.0f} checks/CPU-s"
                    )
            if args.profile:
                profile_path = args.json.parent / "probes-golive.pstats"
                profile_path.parent.mkdir(parents=True, exist_ok=True)
                progress("profiling one golive run under cProfile (not counted above)")
                profiled = run_golive(
                    config, args.concurrency, prober_core, 0, profile=profile_path
                )
                progress(f"  profiled run: {profiled.wall_s:.2f}s wall (cProfile overhead)")
                profile_gc_s = float(profiled.extra["gc_s"])

    samples.sort(key=lambda s: (s.repeat, s.side != "golive"))
    golive_samples = [s for s in samples if s.side == "golive"]
    peer_samples = [s for s in samples if s.side == "blackbox_exporter"]
    g_med, g_best = summarise(golive_samples, "median"), summarise(golive_samples, "best")
    summaries = [g_med, g_best]
    if peer_samples:
        p_med, p_best = summarise(peer_samples, "median"), summarise(peer_samples, "best")
        summaries = [g_med, p_med, g_best, p_best]
    out.print(results_table(samples, summaries))

    load_s = statistics.median(s.extra["config_load_s"] for s in golive_samples)
    out.print(
        f"golive config load ({args.checks} checks): {load_s:.3f}s median, not counted above; "
        f"evidence rows written per run: {golive_samples[0].extra['evidence_rows']}"
    )
    gc_s = statistics.median(s.extra["gc_s"] for s in golive_samples)
    out.print(
        f"golive time in the cyclic garbage collector: {gc_s:.3f}s median "
        f"({gc_s / g_med.cpu_s:.0%} of its median CPU time)"
    )
    ratios: dict[str, float] = {}
    if peer_samples:
        peer_by_repeat = {s.repeat: s for s in peer_samples}
        paired = [
            s.per_cpu_s / peer_by_repeat[s.repeat].per_cpu_s
            for s in golive_samples
            if peer_by_repeat[s.repeat].per_cpu_s > 0
        ]
        ratios = {
            "per_cpu_s_median": g_med.per_cpu_s / p_med.per_cpu_s,
            "per_cpu_s_best": g_best.per_cpu_s / p_best.per_cpu_s,
            "per_wall_s_median": g_med.per_wall_s / p_med.per_wall_s,
            "per_wall_s_best": g_best.per_wall_s / p_best.per_wall_s,
            "per_cpu_s_paired_median": statistics.median(paired),
            "per_cpu_s_paired_min": min(paired),
            "per_cpu_s_paired_max": max(paired),
        }
        headline = ratios["per_cpu_s_median"]
        colour = "green" if headline >= TARGET else "red"
        out.print(
            f"[bold {colour}]golive / blackbox_exporter = {headline:.2f}× "
            f"(target ≥ {TARGET:.2f}×)[/bold {colour}]  "
            f"— checks per CPU-second, median of {args.repeat}"
        )
        out.print(
            f"  best-of-{args.repeat} per CPU-second {ratios['per_cpu_s_best']:.2f}×; "
            f"wall clock: median {ratios['per_wall_s_median']:.2f}×, "
            f"best {ratios['per_wall_s_best']:.2f}×"
        )
        out.print(
            f"  repeat by repeat (same minute, so drift cancels) per CPU-second: "
            f"{' '.join(f'{r:.2f}×' for r in paired)} → median "
            f"{ratios['per_cpu_s_paired_median']:.2f}×"
        )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "probes",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "checks": args.checks,
            "concurrency": args.concurrency,
            "repeat": args.repeat,
            "prober_core": prober_core,
            "nginx_and_load_core": other_core,
        },
        "machine": machine_info(binary),
        "samples": [s.as_dict() for s in samples],
        "summary": [asdict(m) for m in summaries],
        "ratio": ratios or None,
        "target": TARGET,
        "meets_target": (ratios["per_cpu_s_median"] >= TARGET) if ratios else None,
        "profile": str(profile_path) if profile_path else None,
        "profile_gc_s": profile_gc_s if profile_path else None,
        "elapsed_s": time.monotonic() - started,
    }
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    out.print(f"figures written to {args.json}")

    if profile_path is not None:
        print_profile(profile_path)
        out.print(
            f"the profiled run spent {profile_gc_s:.3f}s in the cyclic garbage collector; "
            "cProfile charges that to whichever function happened to allocate "
            "(tottime of e.g. Semaphore.__aenter__, Handle.__init__, _resolve_host)"
        )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        err.print(f"[red]bench failed:[/red] {exc}")
        sys.exit(1)
