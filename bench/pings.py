"""Pings per second one `golive serve` core accepts while 10,000 checks run.

A generated golive.yaml has N checks (default 10,000): H heartbeat checks (default 1,000,
``period: 1h``) and N - H HTTP checks ``every: 30s`` against a local nginx. `golive serve`
runs pinned to one core; after its start-up burst, ``wrk`` (on the other core, with nginx)
POSTs to the heartbeat checks' ping URLs in turn for D seconds (default 30). Reported: pings/s
answered 200 and refused, the runs the heartbeat service stored (every accepted ping must be
one), ping latency, and golive's schedule lag over the same seconds and over as many seconds
without pings just before (from ``/metrics``).
Targets: ≥ 2,000 pings/s, and schedule lag p99 < 1 s still. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _stats import jsonable
from probes import PROBE_PATH, ROOT, cores, err, machine_info, nginx, out, pinned, progress
from rich.table import Table

PINGS_TARGET = 2000.0
LAG_TARGET_S = 1.0
SETTLE_S = 10.0  # after /healthz and the first runs of every check (250 a second)
FIRST_RUN_RATE = 250.0
LUA = """\
local urls, i = {}, 0
for line in io.lines("%s") do urls[#urls + 1] = line end
request = function()
  i = i %% #urls + 1
  return wrk.format("POST", urls[i])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\": %%d, \\"non2xx\\": %%d, \\"p50_ms\\": %%.3f,"
    .. " \\"p99_ms\\": %%.3f, \\"max_ms\\": %%.3f, \\"seconds\\": %%.3f}\\n",
    summary.requests, summary.errors.status, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.duration / 1e6))
end
"""


def write_config(path: Path, listen: str, nginx_port: int, checks: int, heartbeats: int) -> None:
    lines = [
        "version: 1",
        "project: bench-pings",
        f'server: {{listen: "{listen}"}}',
        'store: "sqlite:///golive.db"',
        "checks:",
    ]
    for i in range(heartbeats):
        lines += [f"  - {{name: job{i:05d}, heartbeat: {{period: 1h, grace: 10m}}}}"]
    for i in range(checks - heartbeats):
        url = f"http://127.0.0.1:{nginx_port}{PROBE_PATH}?i={i}"
        lines += [f'  - {{name: c{i:05d}, every: 30s, timeout: 5s, http: {{url: "{url}"}}}}']
    path.write_text("\n".join(lines) + "\n")


def golive(config: Path, *args: str) -> str:
    command = [str(ROOT / ".venv" / "bin" / "golive"), *args, "-c", str(config)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def lag_histogram(base: str, token: str) -> dict[float, float]:
    """``le → count`` of golive_schedule_lag_seconds now."""
    request = urllib.request.Request(
        base + "/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read().decode()
    found = re.findall(r'golive_schedule_lag_seconds_bucket\{le="([^"]+)"\} (\S+)', text)
    return {float(le): float(count) for le, count in found}


def lag_p99(before: dict[float, float], after: dict[float, float]) -> tuple[float, float]:
    """(the bucket bound p99 falls under, the share of runs started within 1 s) in between."""
    delta = {le: after[le] - before.get(le, 0.0) for le in sorted(after)}
    total = delta.get(float("inf"), 0.0)
    if total == 0:
        return float("nan"), float("nan")
    bound = next(le for le, count in delta.items() if count >= 0.99 * total)
    return bound, delta.get(LAG_TARGET_S, 0.0) / total


def stored_runs(config: Path) -> int:
    """The runs the heartbeat service stored so far."""
    from golive.store import Store, normalise_url
    from golive.store.heartbeats import load_heartbeats

    store = Store.open(normalise_url("sqlite:///golive.db", config.parent))
    try:
        return sum(state.runs for state in load_heartbeats(store).values())
    finally:
        store.close()


def issue_secrets(config: Path, names: Sequence[str]) -> dict[str, str]:
    """A new secret for each of ``names`` (what `golive heartbeat url` shows once; one process
    here instead of one per check): check → secret. The store keeps only their hashes."""
    from golive.store import Store, normalise_url
    from golive.store.heartbeats import rotate_secret

    store = Store.open(normalise_url("sqlite:///golive.db", config.parent))
    try:
        now = datetime.now(UTC)
        return {name: rotate_secret(store, name, now) for name in names}
    finally:
        store.close()


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(base: str, process: subprocess.Popen[bytes], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"golive serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("golive serve did not answer /healthz in time")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from devkit.ports import free_port

    golive_core, load_core = cores()
    with (
        tempfile.TemporaryDirectory(prefix="golive-pings-") as tmp,
        nginx(Path(tmp), load_core) as web,
    ):
        base_dir = Path(tmp)
        config, port = base_dir / "golive.yaml", free_port()
        base = f"http://127.0.0.1:{port}"
        write_config(config, f"127.0.0.1:{port}", web.ports[0], args.checks, args.heartbeats)
        token = golive(config, "token", "create", "--role", "viewer", "--name", "bench")
        progress(f"golive serve with {args.checks:,} checks ({args.heartbeats:,} heartbeats)")
        log = (base_dir / "serve.log").open("wb")
        serve = subprocess.Popen(
            pinned(golive_core, str(ROOT / ".venv" / "bin" / "golive"), "serve", "-c", str(config)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base, serve)
            time.sleep(SETTLE_S + (args.checks - args.heartbeats) / FIRST_RUN_RATE)
            names = [f"job{i:05d}" for i in range(min(args.urls, args.heartbeats))]
            secrets = issue_secrets(config, names)  # serve reads their hashes within 10 s
            quiet = lag_histogram(base, token)
            progress(f"{args.duration}s without pings (the lag to compare with)")
            quiet_cpu, quiet_at = cpu_s(serve.pid), time.monotonic()
            time.sleep(args.duration)
            quiet_cpu, quiet_s = cpu_s(serve.pid) - quiet_cpu, time.monotonic() - quiet_at
            runs_before = stored_runs(config)
            urls = base_dir / "urls.txt"
            urls.write_text("".join(f"/ping/{name}/{secrets[name]}\n" for name in names))
            lag_before = lag_histogram(base, token)
            script = base_dir / "pings.lua"
            script.write_text(LUA % urls)
            progress(f"wrk: {args.connections} connections for {args.duration}s")
            pings_cpu, pings_at = cpu_s(serve.pid), time.monotonic()
            done = subprocess.run(
                pinned(
                    load_core,
                    "wrk",
                    "-t1",
                    f"-c{args.connections}",
                    f"-d{args.duration}s",
                    "-s",
                    str(script),
                    base,
                ),
                capture_output=True,
                text=True,
                check=True,
            )
            pings_cpu, pings_s = cpu_s(serve.pid) - pings_cpu, time.monotonic() - pings_at
            lag_after = lag_histogram(base, token)
            time.sleep(3)  # the heartbeat service stores what it judged within a second or two
            runs = stored_runs(config) - runs_before
        finally:
            serve.terminate()
            serve.wait(60)
            log.close()
    line = next(line for line in done.stdout.splitlines() if line.startswith("JSON "))
    report = json.loads(line.removeprefix("JSON "))
    accepted = report["requests"] - report["non2xx"]
    bound, within = lag_p99(lag_before, lag_after)
    quiet_bound, quiet_within = lag_p99(quiet, lag_before)
    extra_cpu = pings_cpu - quiet_cpu / quiet_s * pings_s  # beyond what the checks alone cost
    return {
        "checks": args.checks,
        "heartbeats": args.heartbeats,
        "ping_urls": len(names),
        "seconds": report["seconds"],
        "pings_per_s": accepted / report["seconds"],
        "refused": report["non2xx"],
        "runs_stored": runs,
        "latency_ms": {k: report[k] for k in ("p50_ms", "p99_ms", "max_ms")},
        "lag_p99_le_s": bound,
        "lag_within_1s": within,
        "lag_without_pings": {"p99_le_s": quiet_bound, "within_1s": quiet_within},
        "serve_cpu_busy": {"quiet": quiet_cpu / quiet_s, "pings": pings_cpu / pings_s},
        "cpu_us_per_ping": 1e6 * extra_cpu / max(accepted, 1),  # refused ones' CPU included
        "cpu_us_per_answer": 1e6 * extra_cpu / max(report["requests"], 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=10_000)
    parser.add_argument("--heartbeats", type=int, default=1_000)
    parser.add_argument("--urls", type=int, default=1_000, help="ping URLs wrk cycles through")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "pings.json")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # devkit lives at the repository root
    try:
        result = run(args)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        err.print(f"pings bench failed: {exc}")
        return 1
    table = Table(title=f"golive serve: pings while {args.checks:,} checks run (one core)")
    columns = (
        "pings/s",
        "refused",
        "runs stored",
        "p50 ms",
        "p99 ms",
        "lag p99",
        "≤1 s",
        "quiet ≤1 s",
        "CPU µs/ping (/answer)",
        "serve CPU quiet/pings",
    )
    for column in columns:
        table.add_column(column, justify="right")
    latency = result["latency_ms"]
    table.add_row(
        f"{result['pings_per_s']:,.0f}",
        str(result["refused"]),
        f"{result['runs_stored']:,}",
        f"{latency['p50_ms']:.1f}",
        f"{latency['p99_ms']:.1f}",
        f"≤ {result['lag_p99_le_s']:g} s",
        f"{result['lag_within_1s']:.2%}",
        f"{result['lag_without_pings']['within_1s']:.2%}",
        f"{result['cpu_us_per_ping']:.0f} ({result['cpu_us_per_answer']:.0f})",
        f"{result['serve_cpu_busy']['quiet']:.0%} / {result['serve_cpu_busy']['pings']:.0%}",
    )
    out.print(table)
    met = result["pings_per_s"] >= PINGS_TARGET and result["lag_within_1s"] >= 0.99
    out.print(
        f"target ≥ {PINGS_TARGET:,.0f} pings/s with schedule lag p99 < {LAG_TARGET_S:g} s: "
        + ("[green]met[/green]" if met else "[red]missed[/red]")
    )
    document = {
        "at": datetime.now(UTC).isoformat(),
        "machine": machine_info(None),
        **result,
        "target_met": met,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(jsonable(document), indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
