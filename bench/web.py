"""Web pages under load: the public status page and the dashboard overview, measured with wrk.

A generated golive.yaml has N ``tcp`` checks (to serve's own port, so they pass; ``every: 1h``,
so the engine barely runs) across 20 components, ``server.rate_limits.per_user`` raised (wrk's
100 connections share one session), and a SQLite store in a temporary directory, seeded
(``bench/_web_seed.py``) with 90 days of hour rollups for 1,000 checks (2.16 M rows), the day
rollups serve writes with them (90,000 rows, made the way the upgrade makes them) and a
check_state row per check. ``golive serve -c CONFIG`` (the real CLI) runs pinned to core 0;
wrk (``-t2 -c100 -d20s --latency``) runs on core 1 against:

- ``/status`` (anonymous, ``Accept-Encoding: gzip`` as browsers send) with 1,000 checks;
  target p99 < 100 ms; and once more without compression (reported, no target);
- ``/`` (the dashboard overview, session cookie, gzip) with 10,000 checks; target
  p99 < 150 ms.

Before wrk, each run waits out the first runs of its checks (``Serve.settle``: 45 s for
10,000), after which the engine is idle and the page has the core; the "first request" is the
first after that wait. The overview is also timed in-process when nothing is cached
(TestClient, sequential requests, each with filters not asked before): what a table costs
when it is made, reported. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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

import httpx
from _stats import jsonable
from _web_seed import schema, seed_days, seed_rollups, seed_state
from probes import ROOT, cores, err, out, progress
from rich.table import Table

sys.path.insert(0, str(ROOT))
from devkit.ports import free_port
from golive.engine.scheduler import FIRST_RUN_RATE, FIRST_RUN_SPREAD

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "web.json"
GOLIVE = Path(sys.executable).parent / "golive"
COMPONENTS = 20
USER, PASSWORD = "bench", "bench-password-0123456789"
STATUS_TARGET_MS, DASHBOARD_TARGET_MS = 100.0, 150.0
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
IDENTITY = {"Accept-Encoding": "identity"}  # to measure the page's size


# --------------------------------------------------------------------------- config and store


def names(count: int) -> list[str]:
    return [f"c{i:05d}" for i in range(1, count + 1)]


def write_config(path: Path, port: int, checks: int) -> None:
    lines = [
        "version: 1",
        "project: bench-web",
        'store: "sqlite:///golive.db"',
        "server:",
        f"  listen: 127.0.0.1:{port}",
        f"  public_url: http://127.0.0.1:{port}",
        "  status_page: {title: Bench status, public: true}",
        "  rate_limits: {per_user: 100000000/m}  # wrk's 100 connections share one session",
        "components:",
        *(f"  - {{name: comp{j:02d}}}" for j in range(COMPONENTS)),
        "checks:",
    ]
    for i, name in enumerate(names(checks)):
        lines += [
            f"  - name: {name}",
            f"    component: comp{i % COMPONENTS:02d}",
            "    every: 1h",
            f'    tcp: {{host: "127.0.0.1", port: {port}}}',  # serve itself: up
        ]
    path.write_text("\n".join(lines) + "\n")


def make_store(base: Path, rollup_checks: int, state_checks: int, days: int) -> dict[str, Any]:
    db = base / "golive.db"
    schema(f"sqlite:///{db}")
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    rows = seed_rollups(str(db), names(rollup_checks), days, now)
    seed_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    day_rows = seed_days(f"sqlite:///{db}")
    days_s = time.perf_counter() - t0
    seed_state(str(db), names(state_checks), now)
    return {
        "rollup_rows": rows,
        "rollup_seed_s": seed_s,
        "day_rows": day_rows,
        "day_backfill_s": days_s,
        "db_mb": db.stat().st_size / 2**20,
    }


def add_user(config: Path) -> None:
    from golive import accounts
    from golive.cli.common import load
    from golive.engine.once import open_store

    store = open_store(load(config, None))
    try:
        accounts.add_user(store, name=USER, role="viewer", password=PASSWORD, now=datetime.now(UTC))
    finally:
        store.close()


# --------------------------------------------------------------------------- serve and wrk


class Serve:
    """`golive serve -c CONFIG` pinned to a core; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, config: Path, port: int, core: int) -> None:
        self.config, self.port, self.core = config, port, core
        self.log = config.parent / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Serve:
        cmd = ["taskset", "-c", str(self.core), str(GOLIVE), "serve", "-c", str(self.config)]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"golive serve exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"golive serve not healthy in 120 s:\n{self.log.read_text()[-3000:]}")

    def __exit__(self, *_: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settle(self, checks: int) -> None:
        """Wait out the first runs of every check (spread, then at most FIRST_RUN_RATE a
        second): after them the engine is idle (``every: 1h``) and the pages have the core."""
        wait = FIRST_RUN_SPREAD + checks / FIRST_RUN_RATE + 3
        progress(f"waiting {wait:.0f} s for the first runs of {checks:,} checks")
        time.sleep(wait)


def log_in(client: httpx.Client) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if not match:
        raise RuntimeError(f"no csrf_token on /login ({page.status_code})")
    data = {"name": USER, "password": PASSWORD, "csrf_token": match.group(1)}
    answer = client.post("/login", data=data, follow_redirects=False)
    session = answer.cookies.get("golive_session") or client.cookies.get("golive_session")
    if answer.status_code >= 400 or not session:
        raise RuntimeError(f"login failed: {answer.status_code} {answer.text[:300]}")
    return session


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(match.group(1)) * _UNIT[match.group(2)]


def wrk(
    url: str, core: int, args: argparse.Namespace, headers: Sequence[str] = ()
) -> dict[str, Any]:
    cmd = ["taskset", "-c", str(core), "wrk", f"-t{args.threads}", f"-c{args.connections}"]
    cmd += [f"-d{args.duration}s", "--latency", *(f"-H{h}" for h in headers), url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60)
    text = done.stdout
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}\n{text}")
    dist = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", text, re.M))
    if len(dist) < 4:
        raise RuntimeError(f"no latency distribution in wrk output:\n{text}")
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)$", text, re.M)
    requests = int(total.group(1)) if total else 0
    bad = int(non2xx.group(1)) if non2xx else 0
    return {
        "p50_ms": to_ms(dist["50"]),
        "p90_ms": to_ms(dist["90"]),
        "p99_ms": to_ms(dist["99"]),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),  # type: ignore[union-attr]
        "requests": requests,
        "non_2xx": bad,
        "non_2xx_share": bad / requests if requests else 0.0,
        "socket_errors": errors.group(1).strip() if errors else None,
        "raw": text,
    }


# --------------------------------------------------------------------------- in-process


def in_process(config: Path, count: int, budget_s: float) -> dict[str, Any]:
    """The overview's cost when nothing is cached: sequential GETs, each with filters no
    earlier request had (``q=c``, which every check matches, and a new ``limit``), so each
    filters all checks and renders its table (100 rows and up)."""
    from fastapi.testclient import TestClient

    from golive.cli.common import load
    from golive.clock import SystemClock
    from golive.engine.once import open_store
    from golive.serve.runtime import ServeRuntime
    from golive.web import RateLimits, Rule, create_app

    loaded = load(config, None)
    store = open_store(loaded)
    try:
        runtime = ServeRuntime(loaded, store=store, clock=SystemClock(), environ=os.environ)
        app = create_app(runtime, limits=RateLimits(token=Rule(10**9)))
        url = loaded.config.server.public_url or "http://127.0.0.1"
        with TestClient(app, base_url=str(url)) as client:
            log_in(client)  # type: ignore[arg-type]
            first = client.get("/")
            if first.status_code != 200:
                raise RuntimeError(f"in-process overview: {first.status_code} {first.text[:300]}")
            times: list[float] = []
            statuses: dict[int, int] = {}
            deadline = time.perf_counter() + budget_s
            while len(times) < count and time.perf_counter() < deadline:
                t0 = time.perf_counter()
                answer = client.get(f"/?q=c&limit={100 + len(times) % 400}")
                times.append((time.perf_counter() - t0) * 1e3)
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    finally:
        store.close()
    ordered = sorted(times)
    return {
        "requests": len(times),
        "statuses": statuses,
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))],
        "max_ms": ordered[-1],
        "body_kb": len(first.content) / 1024,
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--status-checks", type=int, default=1_000)
    parser.add_argument("--dashboard-checks", type=int, default=10_000)
    parser.add_argument("--rollup-checks", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--inproc-requests", type=int, default=200)
    parser.add_argument("--inproc-budget", type=float, default=120.0, help="seconds, at most")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        subprocess.run(["bash", str(ROOT / "devkit" / "system.sh"), "wrk"], check=True)
    serve_core, load_core = cores()
    base = Path(tempfile.mkdtemp(prefix="golive-bench-web-"))
    results: dict[str, Any] = {"args": vars(args), "cores": {"serve": serve_core, "wrk": load_core}}
    try:
        status_dir, dash_dir = base / "status", base / "dashboard"
        status_dir.mkdir()
        progress(f"seeding {args.rollup_checks} checks x {args.days} days of hour rollups")
        seeded = make_store(status_dir, args.rollup_checks, args.status_checks, args.days)
        progress(
            f"seeded {seeded['rollup_rows']:,} hour rollups in {seeded['rollup_seed_s']:.1f} s,"
            f" {seeded['day_rows']:,} day rollups from them in {seeded['day_backfill_s']:.1f} s"
        )
        results["seed"] = seeded
        shutil.copytree(status_dir, dash_dir)
        seed_state(str(dash_dir / "golive.db"), names(args.dashboard_checks), datetime.now(UTC))

        # /status, anonymous, 1,000 checks
        port = free_port()
        config = status_dir / "golive.yaml"
        write_config(config, port, args.status_checks)
        with Serve(config, port, serve_core) as serve:
            serve.settle(args.status_checks)
            t0 = time.perf_counter()
            warm = httpx.get(f"{serve.url}/status", timeout=300, headers=IDENTITY)
            warm_s = time.perf_counter() - t0
            if warm.status_code != 200:
                raise RuntimeError(f"/status answered {warm.status_code}: {warm.text[:300]}")
            second = time.perf_counter()
            httpx.get(f"{serve.url}/status", timeout=60)
            progress(
                f"/status: first request {warm_s * 1e3:.0f} ms, "
                f"second {(time.perf_counter() - second) * 1e3:.0f} ms; running wrk"
            )
            status = wrk(f"{serve.url}/status", load_core, args, ["Accept-Encoding: gzip"])
            progress("/status without compression: running wrk")
            identity = wrk(f"{serve.url}/status", load_core, args)
        identity.update(checks=args.status_checks, body_kb=len(warm.content) / 1024)
        results["status_identity"] = identity
        status.update(
            checks=args.status_checks,
            first_request_ms=warm_s * 1e3,
            body_kb=len(warm.content) / 1024,
        )
        results["status"] = status

        # /, with a session, 10,000 checks
        port = free_port()
        config = dash_dir / "golive.yaml"
        write_config(config, port, args.dashboard_checks)
        add_user(config)
        with Serve(config, port, serve_core) as serve:
            serve.settle(args.dashboard_checks)
            with httpx.Client(base_url=serve.url, timeout=60) as client:
                session = log_in(client)
                t0 = time.perf_counter()
                first = client.get("/")
                first_s = time.perf_counter() - t0
                if first.status_code != 200:
                    raise RuntimeError(f"/ answered {first.status_code}: {first.text[:300]}")
            progress(f"/: first request {first_s * 1e3:.0f} ms; running wrk")
            cookie = f"Cookie: golive_session={session}"
            dashboard = wrk(f"{serve.url}/", load_core, args, [cookie, "Accept-Encoding: gzip"])
        dashboard.update(checks=args.dashboard_checks, first_request_ms=first_s * 1e3)
        results["dashboard_wrk"] = dashboard
        progress(f"/ in-process: up to {args.inproc_requests} sequential requests")
        results["dashboard_inprocess"] = in_process(
            config, args.inproc_requests, args.inproc_budget
        )
        results["dashboard_inprocess"]["checks"] = args.dashboard_checks
    finally:
        if args.keep:
            err.print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    table = Table(title="golive web pages under wrk (serve on one core)")
    for column in ("page", "checks", "p50", "p99", "req/s", "non-2xx", "target", "result"):
        table.add_column(column, justify="left" if column == "page" else "right")
    s, d, i = results["status"], results["dashboard_wrk"], results["dashboard_inprocess"]
    u = results["status_identity"]
    verdict = {
        "status": s["p99_ms"] < STATUS_TARGET_MS and s["non_2xx"] == 0,
        "dashboard": d["p99_ms"] < DASHBOARD_TARGET_MS and d["non_2xx"] == 0,
    }
    results["verdict"] = verdict
    for name, row, target, passed in (
        ("/status (wrk, anonymous, gzip)", s, f"p99 < {STATUS_TARGET_MS:g} ms", verdict["status"]),
        ("/status (wrk, anonymous, plain)", u, "(no compression)", None),
        ("/ (wrk, session, gzip)", d, f"p99 < {DASHBOARD_TARGET_MS:g} ms", verdict["dashboard"]),
    ):
        table.add_row(
            name,
            f"{row['checks']:,}",
            f"{row['p50_ms']:.1f} ms",
            f"{row['p99_ms']:.1f} ms",
            f"{row['requests_per_s']:.0f}",
            f"{row['non_2xx']:,}",
            target,
            "—" if passed is None else "PASS" if passed else "FAIL",
        )
    table.add_row(
        "/ (in-process, every table new)",
        f"{i['checks']:,}",
        f"{i['p50_ms']:.1f} ms",
        f"{i['p99_ms']:.1f} ms",
        f"{1e3 / i['p50_ms']:.1f} seq",
        f"{sum(v for k, v in i['statuses'].items() if k != 200)}",
        "(a cache miss, serial)",
        "—",
    )
    out.print(table)
    out.print(
        f"/status first request right after start: {s['first_request_ms']:.0f} ms; "
        f"/ first request: {d['first_request_ms']:.0f} ms; in-process n={i['requests']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(jsonable(results), indent=2, default=str) + "\n")
    out.print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(verdict.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
