"""Celery workers: checks per second through 1, 2 and 4 `golive worker` processes, and the
end-to-end detection latency through workers against the single process.

Throughput: a local nginx answers ``GET /health``; a config holds ``--checks`` HTTP checks and
``workers: {regions: [bench]}`` over a PostgreSQL store and a Redis broker (devkit servers).
For each worker count, N `golive worker --region bench` processes start; once each answered a
warm-up batch, ``--rounds`` rounds of every check are queued at once as probe tasks (batches
of ``BATCH_SIZE``, as `golive serve` sends them) and the clock runs until every result is in
the store's inbox: checks per second = runs / seconds, and the ratio to one worker.

Detection: a target (a thread here) answers 200, then 503 at T0; how long until a webhook
receives the firing page, for `golive serve` alone (SQLite) and for `golive serve` with two
regions' workers (PostgreSQL, Redis, quorum 2). One check ``every: 1s``, ``timeout: 1s``,
``fail_after: 2``. ``--repeats`` times each; medians reported. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _webhook import WebhookReceiver
from probes import PROBE_PATH, ROOT, cores, err, nginx, out, progress
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
GOLIVE = [str(ROOT / ".venv" / "bin" / "python"), "-m", "golive"]
sys.path.insert(0, str(ROOT))


def golive(args: Sequence[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [*GOLIVE, *args],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not within {timeout:.0f}s")
        time.sleep(0.05)


@contextmanager
def backends(base: Path) -> Iterator[tuple[Any, Any]]:
    from devkit.postgres import PostgresServer
    from devkit.redis_server import RedisServer

    postgres = PostgresServer.start(base / "pg")
    redis = RedisServer.start(base / "redis")
    try:
        yield postgres, redis
    finally:
        redis.stop()
        postgres.stop()


# ----------------------------------------------------------------------------- throughput
class Pipeline:
    """One config's queue and inbox: queue rounds of every check, count what came back."""

    def __init__(self, folder: Path, store_url: str, broker: str, target: str, checks: int) -> None:
        from golive.scale.tasks import make_app
        from golive.store import Store, normalise_url

        self.config = folder / "golive.yaml"
        lines = "".join(
            f"  - name: c{i}\n    http: {{url: '{target}'}}\n    every: 1m\n" for i in range(checks)
        )
        self.config.write_text(
            f"version: 1\nproject: bench\nstore: '{store_url}'\n"
            f"workers: {{broker: '{broker}', regions: [bench]}}\nchecks:\n{lines}"
        )
        self.names = [f"c{i}" for i in range(checks)]
        self.store = Store.open(normalise_url(store_url, folder))
        self.app = make_app(broker)

    def queue(self, rounds: int, tag: str, *, batch: int = 0, limit: int = 0) -> int:
        """Queue ``rounds`` runs of every check (or of the first ``limit``), ``batch`` a task
        (``BATCH_SIZE`` when 0, as `golive serve` sends them)."""
        from golive.scale.dispatch import BATCH_SIZE
        from golive.scale.tasks import Batch, Item, send

        size = batch or BATCH_SIZE
        sent = 0
        for r in range(rounds):
            names = self.names[:limit] if limit else self.names
            items = [Item(f"{tag}{r}", name, time.time()) for name in names]
            for s in range(0, len(items), size):
                chunk = tuple(items[s : s + size])
                send(self.app, Batch(str(self.config), "default", "bench", chunk), expires=600)
                sent += len(chunk)
        return sent

    def inbox(self) -> int:
        from sqlalchemy import text

        with self.store.engine.connect() as connection:
            query = text("SELECT count(*) FROM probe_results")
            return int(connection.execute(query).scalar_one())

    def empty(self) -> None:
        from sqlalchemy import text

        with self.store.engine.begin() as connection:
            connection.execute(text("DELETE FROM probe_results"))

    def workers(self) -> int:
        from golive.store.scale import list_workers

        return len(list_workers(self.store))

    def all_ran(self, count: int) -> bool:
        """Whether ``count`` workers each reported a run in their heartbeat."""
        from golive.store.scale import list_workers

        beats = list_workers(self.store)
        return len(beats) == count and all(b.runs > 0 for b in beats)


def cpu_seconds(processes: Sequence[subprocess.Popen[bytes]]) -> float:
    """User + system CPU seconds the processes used so far (all their threads)."""
    total = 0
    for process in processes:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def measure(pipeline: Pipeline, folder: Path, count: int, rounds: int) -> dict[str, Any]:
    """Start ``count`` workers, warm them up, time ``rounds`` rounds of every check."""
    workers = [
        golive(
            ["worker", "--region", "bench", "-c", str(pipeline.config), "--heartbeat", "0.5"],
            folder / f"worker{i}.log",
        )
        for i in range(count)
    ]
    try:
        wait(lambda: pipeline.workers() == count, 120, "workers beating")
        deadline = time.monotonic() + 120
        while not pipeline.all_ran(count):  # every worker consumes: none is still starting
            if time.monotonic() > deadline:
                raise RuntimeError("not every worker ran a warm-up batch within 120s")
            pipeline.queue(1, "warm", batch=1, limit=4 * count)
            time.sleep(0.5)
        time.sleep(1.0)  # the last warm-up batches finish
        pipeline.empty()
        cpu = cpu_seconds(workers)
        started = time.perf_counter()
        total = pipeline.queue(rounds, "run")
        wait(lambda: pipeline.inbox() >= total, 600, "every run")
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(workers) - cpu
    finally:
        stop(workers)
        pipeline.store.close()
    return {
        "workers": count,
        "runs": total,
        "seconds": seconds,
        "per_second": total / seconds,
        "worker_cpu_ms_per_check": 1000 * cpu / total,  # the cost a free core would carry
    }


def throughput(
    base: Path, postgres: Any, redis: Any, args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows = []
    with nginx(base, cores()[1]) as server:
        target = f"http://127.0.0.1:{server.ports[0]}{PROBE_PATH}"
        for count in args.workers:
            folder = base / f"tp{count}"
            folder.mkdir()
            store_url = postgres.create_database(f"bench_tp{count}")
            broker = redis.url.rpartition("/")[0] + f"/{count}"
            pipeline = Pipeline(folder, store_url, broker, target, args.checks)
            progress(f"{count} worker(s): starting")
            row = measure(pipeline, folder, count, args.rounds)
            rows.append(row)
            progress(f"{count} worker(s): {row['per_second']:,.0f} checks/s")
    one = rows[0]["per_second"]
    for row in rows:
        row["scaling"] = row["per_second"] / one
    return rows


# ----------------------------------------------------------------------------- detection
class Target:
    """A thread answering 200, or 503 once ``down`` is set."""

    def __init__(self) -> None:
        self.down = False
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(503 if target.down else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


DETECT = """\
version: 1
project: bench
store: '{store}'
server: {{listen: "127.0.0.1:{port}"}}
{workers}checks:
  - name: site
    http: {{url: '{target}'}}
    every: 1s
    timeout: 1s
    fail_after: 2
    severity: critical
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{to: [hook]}}]
  group_wait: 0s
"""


def firing(hook: WebhookReceiver, since: float) -> list[Any]:
    """The firing pages (Apprise json:// bodies titled ``[FIRING] ...``) since ``since``."""
    found = []
    for message in hook.messages("golive", since):
        body = message.json()
        if isinstance(body, dict) and str(body.get("title", "")).startswith("[FIRING]"):
            found.append(message)
    return found


def detection(
    base: Path, postgres: Any, redis: Any, args: argparse.Namespace, scaled: bool
) -> list[float]:
    from devkit.ports import free_port
    from golive.store import Store, normalise_url
    from golive.store.scale import list_workers
    from golive.store.state import load_statuses

    label = "workers" if scaled else "single"
    folder = base / f"detect-{label}"
    folder.mkdir()
    target = Target()
    latencies = []
    with WebhookReceiver() as hook:
        store_url = (
            postgres.create_database("bench_detect") if scaled else f"sqlite:///{folder}/golive.db"
        )
        workers = f"workers: {{broker: '{redis.url.rpartition('/')[0]}/3', regions: [a, b]}}\n"
        config = folder / "golive.yaml"
        port = free_port()
        config.write_text(
            DETECT.format(
                store=store_url,
                port=port,
                workers=workers if scaled else "",
                target=target.url,
                hook=f"json://127.0.0.1:{hook.port}/golive",
            )
        )
        store = Store.open(normalise_url(store_url, folder))
        processes = []
        try:
            if scaled:
                for region in ("a", "b"):
                    processes.append(
                        golive(
                            ["worker", "--region", region, "-c", str(config)],
                            folder / f"{region}.log",
                        )
                    )
                wait(lambda: len(list_workers(store)) == 2, 120, "workers beating")
            processes.append(golive(["serve", "-c", str(config)], folder / "serve.log"))

            def state() -> str | None:
                status = load_statuses(store).get("site")
                return None if status is None else status.state

            for repeat in range(args.repeats):
                target.down = False
                wait(lambda: state() == "up", 120, "site UP")
                time.sleep(1.5)
                since = time.monotonic()
                target.down = True
                wait(lambda t=since: bool(firing(hook, t)), 120, "the page")
                arrived = min(m.arrived for m in firing(hook, since))
                latencies.append(arrived - since)
                progress(f"detection {label} #{repeat + 1}: {arrived - since:.2f} s")
                target.down = False
                wait(lambda: state() == "up", 120, "site UP again")
        finally:
            stop(processes)
            store.close()
            target.server.shutdown()
    return latencies


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--checks", type=int, default=500, help="checks in the config")
    parser.add_argument("--rounds", type=int, default=10, help="runs of every check queued")
    parser.add_argument("--repeats", type=int, default=3, help="detection repeats per side")
    parser.add_argument("--skip-detection", action="store_true")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "workers.json")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report: dict[str, Any] = {
        "bench": "workers",
        "at": datetime.now(UTC).isoformat(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": os.getloadavg(),  # other work on this machine skews every figure
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    with ExitStack() as stack:
        base = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="golive-bench-workers-"))
        )
        postgres, redis = stack.enter_context(backends(base))
        report["throughput"] = throughput(base, postgres, redis, args)
        if not args.skip_detection:
            single = detection(base, postgres, redis, args, scaled=False)
            through = detection(base, postgres, redis, args, scaled=True)
            report["detection_s"] = {
                "single": single,
                "workers": through,
                "single_median": statistics.median(single),
                "workers_median": statistics.median(through),
                "ratio": statistics.median(through) / statistics.median(single),
            }
    table = Table(title="checks per second through Celery workers")
    for column in ("workers", "runs", "seconds", "checks/s", "scaling", "worker CPU/check"):
        table.add_column(column, justify="right")
    for row in report["throughput"]:
        table.add_row(
            str(row["workers"]),
            str(row["runs"]),
            f"{row['seconds']:.1f}",
            f"{row['per_second']:,.0f}",
            f"{row['scaling']:.2f}x",
            f"{row['worker_cpu_ms_per_check']:.2f} ms",
        )
    out.print(table)
    if "detection_s" in report:
        d = report["detection_s"]
        out.print(
            f"detection (median of {args.repeats}): single process {d['single_median']:.2f} s,"
            f" through workers {d['workers_median']:.2f} s ({d['ratio']:.2f}x)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    err.print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
