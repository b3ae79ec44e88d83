"""Automatic rollback under a constant load, through nginx and through haproxy.

For each driver: ParkWise v1 (stable) and v2 behind the balancer, 4 users looping GET
/api/facilities through it, and `golive rollout` ticking like `golive serve` (every second,
the judgement every ``interval``, 5 s as by default):

1. **bad canary**: v2 answers 20 % of its requests with 500. Measured: the time from the
   first 500 the load saw to the rollback's end (all traffic on stable). Target: ≤ one
   analysis interval + 5 s. Flagger's documented default (interval 1m × threshold 10) rolls
   back after ~10 minutes.
2. **healthy canary**: v2 is fine; steps 10 → 50 → 100 with a 2 s pause. Measured: failed
   requests caused by the shifts and reloads themselves (any non-200, any broken connection).
   Target: 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from probes import ROOT, out
from rich.table import Table

sys.path.insert(0, str(ROOT))
from devkit.nginx import NginxServer
from devkit.ports import free_port
from devkit.rollout_stack import edge_http, start_haproxy, start_parkwise
from golive.config import load_config
from golive.engine.once import open_store
from golive.gate.registry import argument_models
from golive.rollout.drivers.nginx import render
from golive.rollout.run import start, tick
from golive.store.rollouts import rollout_by_id

INTERVAL_S, SLACK_S, FLAGGER_S = 5.0, 5.0, 600.0
ROLLOUT = """version: 1
project: bench
store: sqlite:///golive.db
metrics:
  - name: edge
    access_log: {{path: {log}, format: nginx-json}}
rollouts:
  - name: api
    traffic: {traffic}
    stable: [{stable}]
    steps: [10, 50, 100]
    pause: {pause}
    interval: {interval}s
    analysis: {{requests: edge, max_error_rate: 1%, min_requests: 50}}
"""


class Load:
    def __init__(self) -> None:
        self.ok = self.failed = 0
        self.broken: list[str] = []
        self.first_error: datetime | None = None
        self.stop = asyncio.Event()

    async def user(self, session: aiohttp.ClientSession, url: str) -> None:
        while not self.stop.is_set():
            try:
                async with session.get(f"{url}/api/facilities") as response:
                    await response.read()
                    if response.status == 200:
                        self.ok += 1
                    else:
                        self.failed += 1
                        self.first_error = self.first_error or datetime.now(UTC)
            except aiohttp.ClientError as exc:
                self.broken.append(repr(exc))
            await asyncio.sleep(0.002)


async def one_run(folder: Path, driver: str, bad: bool) -> dict[str, Any]:
    procs: list[subprocess.Popen[bytes]] = []
    nginx: NginxServer | None = None
    try:
        p1, v1 = start_parkwise(folder, "1.0.0")
        p2, v2 = start_parkwise(folder, "2.0.0", **({"error_rate": "0.2"} if bad else {}))
        procs += [p1, p2]
        if driver == "nginx":
            port, upstream, log = free_port(), folder / "upstream.conf", folder / "access.json.log"
            upstream.write_text(render("parkwise", {v1: 1}, "api"))
            nginx = NginxServer.start(
                folder / "nginx", edge_http(port, upstream, log), ports=[port]
            )
            base = nginx.base_dir
            cmd = f"/usr/sbin/nginx -p {base}/ -c {base}/nginx.conf -e {base}/nginx.log"
            traffic = (
                f"{{nginx: {{upstream: parkwise, file: {upstream},"
                f" test: '{cmd} -t', reload: '{cmd} -s reload'}}}}"
            )
        else:
            proc, port, socket, log = start_haproxy(folder / "haproxy", [v1], [v2])
            procs.append(proc)
            traffic = f"{{haproxy: {{socket: {socket}, backend: parkwise}}}}"
        config = folder / "golive.yaml"
        pause = "10m" if bad else "2s"
        config.write_text(
            ROLLOUT.format(log=log, traffic=traffic, stable=v1, pause=pause, interval=INTERVAL_S)
        )
        loaded = load_config(config, environ={}, gate_args=argument_models())
        store = open_store(loaded)
        load = Load()
        async with aiohttp.ClientSession() as session:
            users = [
                asyncio.create_task(load.user(session, f"http://127.0.0.1:{port}"))
                for _ in range(4)
            ]
            await asyncio.sleep(1)
            view = start(
                store, loaded, "api", targets=[v2], version="2", commit=None, now=datetime.now(UTC)
            )
            resumed, judged = {view.id}, {}  # type: ignore[var-annotated]
            deadline = time.monotonic() + 120
            while (
                (view := rollout_by_id(store, view.id))
                and view.active
                and time.monotonic() < deadline
            ):  # type: ignore[assignment]
                await tick(store, loaded, datetime.now(UTC), resumed, judged)
                await asyncio.sleep(1.0)
            await asyncio.sleep(1)
            load.stop.set()
            await asyncio.gather(*users)
        store.close()
        assert view is not None
        entries = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
        caused = [
            e
            for e in entries
            if int(e["status"]) >= 500 and str(e["upstream_addr"]).split(",")[-1].strip() != v2
        ]
        rollback_s = None
        if bad and load.first_error and view.finished_at:
            rollback_s = (view.finished_at - load.first_error).total_seconds()
        return {
            "driver": driver,
            "case": "bad canary" if bad else "healthy canary",
            "state": view.state,
            "rollback_s": rollback_s,
            "requests": load.ok + load.failed + len(load.broken),
            "caused_by_shifts": len(caused) + len(load.broken) + (0 if bad else load.failed),
        }
    finally:
        if nginx is not None:
            nginx.stop()
        for proc in procs:
            proc.terminate()
            proc.wait(10)


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    for driver in ("nginx", "haproxy"):
        for bad in (True, False):
            with tempfile.TemporaryDirectory(prefix="golive-bench-rollout-") as tmp:
                rows.append(await one_run(Path(tmp), driver, bad))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "rollout.json")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args))
    table = Table(title="golive rollout: automatic rollback under load")
    for column in (
        "driver",
        "case",
        "end",
        "first 500 → all on stable",
        "requests",
        "failed by shifts",
    ):
        table.add_column(column)
    for row in rows:
        took = f"{row['rollback_s']:.1f} s" if row["rollback_s"] is not None else "—"
        table.add_row(
            row["driver"],
            row["case"],
            row["state"],
            took,
            str(row["requests"]),
            str(row["caused_by_shifts"]),
        )
    out.print(table)
    out.print(
        f"target: ≤ {INTERVAL_S + SLACK_S:.0f} s (one analysis interval + 5 s), 0 failed by shifts;"
        f" Flagger's default (interval 1m × threshold 10): ~{FLAGGER_S / 60:.0f} min"
    )
    document = {
        "interval_s": INTERVAL_S,
        "target_s": INTERVAL_S + SLACK_S,
        "flagger_default_s": FLAGGER_S,
        "runs": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    out.print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
