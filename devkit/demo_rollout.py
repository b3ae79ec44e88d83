"""`make demo-rollout`: ParkWise v1 and v2 (v2 answers 20 % of requests with 500) behind a real
nginx; `golive rollout start api --wait` shifts traffic under a constant load and rolls back
by itself within seconds; `golive rollout status api` shows the deployment record.

Everything runs on free 127.0.0.1 ports with state under .golive/demo-rollout/ (about 20 s).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import aiohttp

from devkit.nginx import NginxServer
from devkit.ports import free_port
from devkit.rollout_stack import ROOT, edge_http, start_parkwise
from golive.rollout.drivers.nginx import render

FOLDER = ROOT / ".golive" / "demo-rollout"
GOLIVE = Path(sys.executable).parent / "golive"
CONFIG = """version: 1
project: parkwise
store: sqlite:///golive.db
metrics:
  - name: edge
    access_log: {{path: {log}, format: nginx-json}}
rollouts:
  - name: api
    traffic:
      nginx: {{upstream: parkwise, file: {upstream}, test: '{nginx} -t', reload: '{nginx} -s reload'}}
    stable: ["{v1}"]
    steps: [10, 25, 50, 75, 100]
    pause: 1m
    interval: 2s
    analysis: {{requests: edge, max_error_rate: 1%, max_p95: 300ms, min_requests: 50}}
"""


async def load(url: str, stop: asyncio.Event, seen: dict[int, int]) -> None:
    async with aiohttp.ClientSession() as session:

        async def user() -> None:
            while not stop.is_set():
                async with session.get(f"{url}/api/facilities") as response:
                    await response.read()
                    seen[response.status] = seen.get(response.status, 0) + 1
                await asyncio.sleep(0.005)

        await asyncio.gather(*(user() for _ in range(4)))


async def run(config: Path, url: str) -> int:
    stop, seen = asyncio.Event(), {}  # type: ignore[var-annotated]
    traffic = asyncio.create_task(load(url, stop, seen))
    await asyncio.sleep(1)
    print(f"$ golive rollout start api --to {V2} --version 2.0.0 --wait", flush=True)
    golive = await asyncio.create_subprocess_exec(
        str(GOLIVE),
        "rollout",
        "start",
        "api",
        "--to",
        V2,
        "--version",
        "2.0.0",
        "--wait",
        "-c",
        str(config),
    )
    code = await golive.wait()
    await asyncio.sleep(1)
    stop.set()
    await traffic
    print(f"requests through nginx: {dict(sorted(seen.items()))}")
    status = await asyncio.create_subprocess_exec(
        str(GOLIVE), "rollout", "status", "api", "-c", str(config)
    )
    await status.wait()
    return code


V2 = ""


def main() -> None:
    global V2
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    p1, v1 = start_parkwise(FOLDER, "1.0.0")
    p2, V2 = start_parkwise(FOLDER, "2.0.0", error_rate="0.2")
    port, upstream, log = free_port(), FOLDER / "upstream.conf", FOLDER / "access.json.log"
    upstream.write_text(render("parkwise", {v1: 1}, "api"))
    nginx = NginxServer.start(FOLDER / "nginx", edge_http(port, upstream, log), ports=[port])
    try:
        base = nginx.base_dir
        cmd = f"/usr/sbin/nginx -p {base}/ -c {base}/nginx.conf -e {base}/nginx.log"
        config = FOLDER / "golive.yaml"
        config.write_text(CONFIG.format(log=log, upstream=upstream, nginx=cmd, v1=v1))
        print(f"ParkWise 1.0.0 on {v1}, 2.0.0 (20 % errors) on {V2}, nginx on 127.0.0.1:{port}")
        code = asyncio.run(run(config, f"http://127.0.0.1:{port}"))
        print(f"upstream file after the rollout:\n{upstream.read_text()}")
        print("rolled back by itself" if code == 1 else f"unexpected exit {code}")
        sys.exit(0 if code == 1 else 1)
    finally:
        nginx.stop()
        for proc in (p1, p2):
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
