"""The load generator against its peers: `golive loadtest` beside wrk (C) and Locust (Python).

1. **Throughput on one core**: each tool pinned to core 0 (``taskset``) against an nginx static
   endpoint (one worker). golive runs the open model at rising rates (``--rates``) and
   sustains a rate when it sends 95 % of it and leaves nothing unsent; its p99 is shown (on
   a busy machine it includes the generator's own lateness, by design). wrk (``-t1 -c64``)
   and Locust (``FastHttpUser``, 64 users, no wait) run flat out; their requests/s are their
   one-core peak. Target: golive ≥ 5,000/s and within 2× of wrk. On a shared machine the
   rate a pinned core gives depends on what else runs there, so requests per CPU-second of
   the generator (golive's own ``generator_cpu_s``; wrk's and Locust's rusage) are shown too.
2. **Accuracy**: ``devkit.latency_server`` answers ``/sleep?ms=100`` (9 of 10) and
   ``/sleep?ms=300`` (1 of 10), and holds every request that arrives in one 1 s stall
   (``--stall-at`` s after the first). The exact latencies of requests sent on time at the
   asked rate are computed (``truth``); golive's p50/p99/max are compared with them (target
   within 5 %, the stall fully visible), and wrk's and Locust's reports of the same server
   (64 connections / users, the same mix) are shown beside it.

Locust is installed into ``.tools/locust`` on first use (uv). See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _stats import jsonable
from probes import ROOT, err, out, progress
from rich.table import Table

sys.path.insert(0, str(ROOT))
from devkit.latency_server import LatencyServer, percentile, truth
from devkit.ports import free_port
from devkit.servers import NginxServer
from golive.config.slo import LoadTest
from golive.loadtest.plan import make_plan

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "loadtest.json"
GOLIVE = Path(sys.executable).parent / "golive"
LOCUST_VENV = ROOT / ".tools" / "locust"
TARGET_RATE, WRK_RATIO, ACCURACY = 5000.0, 2.0, 0.05
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
# server time well above the few ms a busy machine adds, so 5 % of the median is measurable
MIX = [("fast", "/sleep?ms=100", 9, 100.0), ("slow", "/sleep?ms=300", 1, 300.0)]

LOCUSTFILE = """\
from locust import constant, constant_pacing, task
from locust.contrib.fasthttp import FastHttpUser

class Flat(FastHttpUser):
    wait_time = {wait}

    @task({fast_weight})
    def fast(self):
        self.client.get("{fast}")

    @task({slow_weight})
    def slow(self):
        self.client.get("{slow}")
"""

WRK_MIX = """\
n = 0
request = function()
  n = n + 1
  if n % 10 == 0 then return wrk.format(nil, "/sleep?ms=300") end
  return wrk.format(nil, "/sleep?ms=100")
end
"""


def locust() -> Path:
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        uv = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
        progress("installing Locust into .tools/locust (once)")
        subprocess.run([uv, "venv", "-q", str(LOCUST_VENV)], check=True)
        python = str(LOCUST_VENV / "bin" / "python")
        subprocess.run([uv, "pip", "install", "-q", "--python", python, "locust"], check=True)
    return binary


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNIT[match.group(2)]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict[str, Any]:
    cmd = ["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    cmd += [f"-s{script}"] if script else []
    cpu = children_cpu()
    text = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    cpu = children_cpu() - cpu
    done = re.search(r"(\d+) requests in", text)
    dist = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", text, re.M))
    peak = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    return {
        "requests_per_s": float(rate.group(1)) if rate else 0.0,
        "requests_per_cpu_s": int(done.group(1)) / cpu if done and cpu else float("nan"),
        "p50_ms": to_ms(dist["50"]),
        "p99_ms": to_ms(dist["99"]),
        "max_ms": to_ms(peak.group(1)) if peak else float("nan"),
    }


def run_locust(url: str, seconds: int, users: int, wait: str, folder: Path) -> dict[str, Any]:
    fast, slow = MIX[0], MIX[1]
    file = folder / "locustfile.py"
    file.write_text(
        LOCUSTFILE.format(
            wait=wait, fast=fast[1], slow=slow[1], fast_weight=fast[2], slow_weight=slow[2]
        )
    )
    prefix = folder / f"locust-{free_port()}"
    cmd = ["taskset", "-c", "0", str(locust()), "-f", str(file), "--headless", "-u", str(users)]
    cmd += ["-r", str(users), "-t", f"{seconds}s", "--host", url, "--csv", str(prefix)]
    cmd += ["--only-summary", "--loglevel", "ERROR"]
    cpu = children_cpu()
    subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, cwd=folder)
    cpu = children_cpu() - cpu  # with Locust's start-up (~1 s of imports): a lower bound
    with Path(f"{prefix}_stats.csv").open(newline="") as stats:
        total = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return {
        "requests_per_s": _number(total["Requests/s"]),
        "requests_per_cpu_s": _number(total["Request Count"]) / cpu if cpu else float("nan"),
        "p50_ms": _number(total["50%"]),
        "p99_ms": _number(total["99%"]),
        "max_ms": _number(total["Max Response Time"]),
    }


def _number(text: str) -> float:
    """A Locust CSV cell; "N/A" (no request finished) is NaN."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def golive_config(folder: Path, url: str, rate: float, seconds: float, mix: bool) -> Path:
    requests = (
        "".join(
            f'      - {{name: {n}, class: {n}, path: "{p}", weight: {w}}}\n' for n, p, w, _ in MIX
        )
        if mix
        else "      - {name: index, path: /}\n"
    )
    path = folder / f"golive-{free_port()}.yaml"
    path.write_text(
        f"version: 1\nproject: bench\nloadtests:\n  - name: bench\n    base_url: {url}\n"
        f"    rate: {rate:g}/s\n    duration: {seconds:g}s\n    max_rate: 1000000/s\n"
        f"    requests:\n{requests}"
    )
    return path


def run_golive(config: Path, folder: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [
            "taskset",
            "-c",
            "0",
            str(GOLIVE),
            "loadtest",
            "bench",
            "--json",
            "-c",
            str(config),
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(
            f"golive loadtest failed ({done.returncode}): {done.stderr}{done.stdout}"
        )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def throughput(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    port = free_port()
    site = f"server {{ listen 127.0.0.1:{port}; location / {{ return 200 'ok'; }} }}"
    url = f"http://127.0.0.1:{port}"
    steps: list[dict[str, Any]] = []
    with NginxServer.start(folder / "nginx", site, ports=[port]):
        config = golive_config(folder, url, args.rates[0], args.seconds, mix=False)
        for rate in args.rates:
            progress(f"golive loadtest at {rate:g}/s for {args.seconds}s on one core")
            r = run_golive(config, folder, "--rate", f"{rate:g}/s")
            ok = r["achieved_rate"] >= 0.95 * rate and r["unsent"] == 0
            steps.append(
                {
                    "asked": rate,
                    "achieved": r["achieved_rate"],
                    "requests_per_cpu_s": r["requests"] / max(r["generator_cpu_s"], 1e-9),
                    "p99_ms": r["overall"]["p99_ms"],
                    "sustained": ok,
                }
            )
            if not ok:
                break
        progress("wrk -t1 -c64 flat out on one core")
        wrk = run_wrk(url + "/", args.seconds, 64, None)
        progress("Locust (FastHttpUser, 64 users, no wait) flat out on one core")
        loc = run_locust(url, args.seconds, 64, "constant(0)", folder)
    sustained = max((s["asked"] for s in steps if s["sustained"]), default=0.0)
    return {"golive_steps": steps, "golive_sustained": sustained, "wrk": wrk, "locust": loc}


def accuracy(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    rate, seconds = args.accuracy_rate, args.accuracy_seconds
    found: dict[str, Any] = {}
    with LatencyServer.start(folder, stall_at=args.stall_at, stall_for=1.0) as server:
        config = golive_config(folder, server.url, rate, seconds, mix=True)
        progress(f"accuracy: golive at {rate:g}/s for {seconds:g}s, one 1 s stall")
        report = run_golive(config, folder)
        found["golive"] = {
            "requests_per_s": report["achieved_rate"],
            **{k: report["overall"][k] for k in ("p50_ms", "p99_ms", "max_ms")},
        }
    from golive.config.load import load_config

    test: LoadTest = load_config(config, environ={}).config.loadtests[0]
    spec = make_plan(test).workers[0]
    server_ms = {r.path: ms for (_, path, _, ms) in MIX for r in spec.requests if r.path == path}
    mix = spec.mix()
    schedule = [
        (i / rate, server_ms[spec.requests[mix[i % len(mix)]].path])
        for i in range(int(rate * seconds))
    ]
    exact = truth(schedule, args.stall_at, 1.0)
    found["truth"] = {
        "requests_per_s": rate,
        "p50_ms": percentile(exact, 50),
        "p99_ms": percentile(exact, 99),
        "max_ms": max(exact),
    }
    script = folder / "mix.lua"
    script.write_text(WRK_MIX)
    with LatencyServer.start(folder, stall_at=args.stall_at, stall_for=1.0) as server:
        progress("accuracy: wrk, 64 connections, same server and mix")
        found["wrk"] = run_wrk(server.url, int(seconds), 64, script)
    with LatencyServer.start(folder, stall_at=args.stall_at, stall_for=1.0) as server:
        progress(f"accuracy: Locust, 64 users paced to {rate:g}/s, same server and mix")
        found["locust"] = run_locust(
            server.url, int(seconds), 64, f"constant_pacing({64 / rate:g})", folder
        )
    return found


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rates",
        type=lambda t: [float(x) for x in t.split(",")],
        default=[2500.0, 5000.0, 7500.0, 10000.0, 15000.0],
        help="rates golive tries on one core, in order, until one is not sustained",
    )
    parser.add_argument("--seconds", type=int, default=5, help="per throughput run")
    parser.add_argument("--accuracy-rate", type=float, default=400.0)
    parser.add_argument("--accuracy-seconds", type=float, default=6.0)
    parser.add_argument("--stall-at", type=float, default=2.5)
    parser.add_argument("--json", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        subprocess.run(["bash", str(ROOT / "devkit" / "system.sh"), "wrk"], check=True)
    locust()
    with tempfile.TemporaryDirectory(prefix="golive-bench-loadtest-") as tmp:
        folder = Path(tmp)
        speed = throughput(args, folder)
        acc = accuracy(args, folder)
    wrk_rate = speed["wrk"]["requests_per_s"]
    sustained = speed["golive_sustained"]
    wrk_cpu = speed["wrk"]["requests_per_cpu_s"]
    golive_cpu = max((s["requests_per_cpu_s"] for s in speed["golive_steps"]), default=0.0)
    table = Table(title="One core against nginx", title_justify="left")
    for column in ("tool", "requests/s", "per CPU-second", "vs wrk (per CPU-s)", "note"):
        table.add_column(column, justify="right" if column not in ("tool", "note") else "left")
    table.add_row(
        "golive (open model, sustained)",
        f"{sustained:,.0f}",
        f"{golive_cpu:,.0f}",
        f"{golive_cpu / wrk_cpu:.2f}×",
        "the highest asked rate sent in full",
    )
    for step in speed["golive_steps"]:
        flag = "sustained" if step["sustained"] else "not sustained"
        table.add_row(
            f"  asked {step['asked']:,.0f}/s",
            f"{step['achieved']:,.0f}",
            f"{step['requests_per_cpu_s']:,.0f}",
            "",
            f"p99 {step['p99_ms']:.1f} ms, {flag}",
        )
    for tool in ("wrk", "locust"):
        row = speed[tool]
        table.add_row(
            f"{tool} (closed loop, flat out)",
            f"{row['requests_per_s']:,.0f}",
            f"{row['requests_per_cpu_s']:,.0f}",
            f"{row['requests_per_cpu_s'] / wrk_cpu:.2f}×",
            "",
        )
    out.print(table)
    truth_row = acc["truth"]
    acc_table = Table(
        title=f"Accuracy: {args.accuracy_rate:g}/s with one 1 s stall (ms)", title_justify="left"
    )
    for column in ("tool", "requests/s", "p50", "p99", "max", "p50 / p99 vs truth"):
        acc_table.add_column(column, justify="right" if column != "tool" else "left")
    for tool in ("truth", "golive", "wrk", "locust"):
        row = acc[tool]
        vs = (
            f"{row['p50_ms'] / truth_row['p50_ms'] - 1:+.1%} / {row['p99_ms'] / truth_row['p99_ms'] - 1:+.1%}"
            if tool != "truth"
            else "—"
        )
        acc_table.add_row(
            tool,
            f"{row['requests_per_s']:,.0f}",
            f"{row['p50_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            f"{row['max_ms']:.1f}",
            vs,
        )
    out.print(acc_table)
    golive = acc["golive"]
    verdicts = {
        "rate_5000_per_core": sustained >= TARGET_RATE,
        "within_2x_of_wrk": sustained * WRK_RATIO >= wrk_rate,
        "cpu_5000_per_core": golive_cpu >= TARGET_RATE,
        "cpu_within_2x_of_wrk": golive_cpu * WRK_RATIO >= wrk_cpu,
        "p50_within_5pct": abs(golive["p50_ms"] / truth_row["p50_ms"] - 1) <= ACCURACY,
        "p99_within_5pct": abs(golive["p99_ms"] / truth_row["p99_ms"] - 1) <= ACCURACY,
        "stall_visible": golive["max_ms"] >= 950,
    }
    for name, ok in verdicts.items():
        out.print(f"{name}: {'PASS' if ok else 'FAIL'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    args.json.write_text(
        json.dumps(
            jsonable(
                {
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "load_average": load,
                    "throughput": speed,
                    "accuracy": acc,
                    "verdicts": verdicts,
                }
            ),
            indent=2,
        )
    )
    err.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
