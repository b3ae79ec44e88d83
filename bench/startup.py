"""Start-up cost of the CLI: what a pre-commit hook or a CI step pays for every run.

Measured in one run, against a bare ``python -c "import pydantic, yaml"`` (the floor any
pydantic + YAML tool pays):

* ``golive validate`` of the ParkWise example (subprocess wall time, median of R runs,
  interleaved with the baseline so drift hits both); target ≤ 2× the baseline;
* ``load_config`` of a generated 2,000-check config, timed in-process in a fresh child per
  repeat after ``import golive.config`` (wall and CPU time, peak RSS); target ≤ 0.3 s;
* the client libraries ``golive check`` of an HTTP-only config imports (``-X importtime``):
  none of psycopg, redis, dnspython or Apprise may be among them.

Prints a table and writes ``bench/results/startup.json``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PARKWISE = ROOT / "examples" / "parkwise" / "golive.yaml"
GOLIVE = Path(sys.executable).parent / "golive"
VALIDATE_TARGET = 2.0  # × the baseline
LOAD_TARGET_S = 0.3
# client libraries `golive check` of HTTP checks has no use for (sqlalchemy it needs: the store)
NOT_FOR_HTTP = ("psycopg", "redis", "dns", "apprise")
WATCHED = ("aiohttp", "psycopg", "redis", "dns", "sqlalchemy", "apprise", "fastapi", "cel")

out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True, highlight=False)

# The child that times one load_config: imports first (not counted), then one cold load.
LOAD_CHILD = """
import json, resource, sys, time
from golive.config import load_config
wall, cpu = time.perf_counter(), time.process_time()
loaded = load_config(sys.argv[1], environ={})
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
assert len(loaded.config.checks) == int(sys.argv[2]), len(loaded.config.checks)
watched = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[3].split(",")))
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "modules": watched,
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def progress(message: str) -> None:
    err.print(f"[dim]{datetime.now():%H:%M:%S}[/dim] {message}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_env(folder: Path) -> dict[str, str]:
    """The environment of every measured process: bytecode cached (under ``folder``, not in
    the source tree) as on a user's machine, even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(folder / "pycache")}


def timed(cmd: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU time of one subprocess run; fails loudly unless it exits 0."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        list(cmd), cwd=cwd, capture_output=True, text=True, check=False, env=child_env(cwd)
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}\n{done.stderr[-3000:]}")
    return elapsed, _children_cpu() - cpu


def write_checks(path: Path, checks: int, port: int = 9) -> None:
    """A config of ``checks`` HTTP checks (the shape bench/probes.py uses)."""
    lines = ["version: 1", "project: bench", 'store: "sqlite:///golive.db"', "checks:"]
    for i in range(1, checks + 1):
        lines += [
            f"  - name: c{i:05d}",
            "    timeout: 5s",
            f'    http: {{url: "http://127.0.0.1:{port}/health?i={i}"}}',
            '    expect: ["status == 200"]',
        ]
    path.write_text("\n".join(lines) + "\n")


def load_once(config: Path, checks: int, cwd: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-c", LOAD_CHILD, str(config), str(checks), ",".join(WATCHED)]
    done = subprocess.run(
        cmd, capture_output=True, text=True, check=False, cwd=config.parent, env=child_env(cwd)
    )
    if done.returncode != 0:
        raise RuntimeError(f"load child failed\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def imported_by(cmd: Sequence[str], cwd: Path) -> list[str]:
    """Top-level packages a command imports, read from ``-X importtime`` (exit 0 or 1)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=child_env(cwd),
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}\n{done.stderr[-3000:]}")
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":
                names.add(name.split(".")[0])
    return sorted(names)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each measurement")
    parser.add_argument("--checks", type=int, default=2000, help="checks in the generated config")
    parser.add_argument("--config", type=Path, default=PARKWISE, help="config `validate` reads")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results" / "startup.json")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="golive-startup-") as tmp:
        base = Path(tmp)
        many = base / "many.yaml"
        write_checks(many, args.checks)
        http_only = base / "http.yaml"
        write_checks(http_only, 2)
        baseline = [sys.executable, "-c", "import pydantic, yaml"]
        validate = [str(GOLIVE), "validate", "-c", str(args.config.resolve())]
        for cmd in (baseline, validate):  # warm the page cache and .pyc files, not counted
            timed(cmd, base)
        load_once(many, args.checks, base)
        base_runs: list[tuple[float, float]] = []
        validate_runs: list[tuple[float, float]] = []
        loads = []
        for i in range(args.repeat):
            progress(f"repeat {i + 1}/{args.repeat}")
            pair = [(baseline, base_runs), (validate, validate_runs)]
            for cmd, into in pair if i % 2 == 0 else reversed(pair):
                into.append(timed(cmd, base))
            loads.append(load_once(many, args.checks, base))
        check_modules = imported_by(["-m", "golive", "check", "-c", str(http_only)], base)

    def median(values: Sequence[float]) -> float:
        return statistics.median(values)

    base_wall, base_cpu = (median([r[k] for r in base_runs]) for k in (0, 1))
    validate_wall, validate_cpu = (median([r[k] for r in validate_runs]) for k in (0, 1))
    load_wall = median([r["wall_s"] for r in loads])
    load_cpu = median([r["cpu_s"] for r in loads])
    load_rss_mb = median([r["peak_rss_kb"] for r in loads]) / 1024
    unwanted = [m for m in NOT_FOR_HTTP if m in check_modules]
    ratio = validate_wall / base_wall

    table = Table(title=f"golive start-up ({args.repeat} runs each, medians)")
    for column in ("measure", "wall", "CPU", "target", "verdict"):
        table.add_column(column, justify="left" if column in ("measure", "verdict") else "right")
    table.add_row(
        "python -c 'import pydantic, yaml' (baseline)",
        f"{base_wall:.3f} s",
        f"{base_cpu:.3f} s",
        "",
        "",
    )
    table.add_row(
        f"golive validate {args.config.parent.name}/{args.config.name}"
        f" ({ratio:.2f}× wall, {validate_cpu / base_cpu:.2f}× CPU)",
        f"{validate_wall:.3f} s",
        f"{validate_cpu:.3f} s",
        f"≤ {VALIDATE_TARGET:g}× = {VALIDATE_TARGET * base_wall:.3f} s",
        "PASS" if ratio <= VALIDATE_TARGET else "FAIL",
    )
    table.add_row(
        f"load_config, {args.checks:,} checks (in-process)",
        f"{load_wall:.3f} s",
        f"{load_cpu:.3f} s",
        f"≤ {LOAD_TARGET_S:.3f} s",
        "PASS" if load_wall <= LOAD_TARGET_S else "FAIL",
    )
    table.add_row("peak RSS of that process", f"{load_rss_mb:.1f} MB", "", "", "")
    table.add_row(
        "golive check (HTTP only) imports",
        ", ".join(m for m in WATCHED if m in check_modules) or "none watched",
        "",
        f"none of {', '.join(NOT_FOR_HTTP)}",
        "PASS" if not unwanted else f"FAIL ({', '.join(unwanted)})",
    )
    out.print(table)
    out.print(
        f"modules loaded by load_config: {', '.join(loads[-1]['modules']) or 'none watched'}"
        f" · load average {os.getloadavg()[0]:.2f} (other processes slow every wall figure)"
    )

    report = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg": os.getloadavg(),
        },
        "repeat": args.repeat,
        "baseline": {"wall_s": [r[0] for r in base_runs], "cpu_s": [r[1] for r in base_runs]},
        "validate": {
            "config": str(args.config),
            "wall_s": [r[0] for r in validate_runs],
            "cpu_s": [r[1] for r in validate_runs],
        },
        "validate_over_baseline": ratio,
        "validate_over_baseline_cpu": validate_cpu / base_cpu,
        "load": loads,
        "load_wall_median_s": load_wall,
        "load_cpu_median_s": load_cpu,
        "load_peak_rss_mb": load_rss_mb,
        "check_http_modules": [m for m in WATCHED if m in check_modules],
        "targets": {
            "validate": ratio <= VALIDATE_TARGET,
            "load": load_wall <= LOAD_TARGET_S,
            "check_imports": not unwanted,
        },
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    out.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
