"""Feature flag evaluations per second: in the SDK (local evaluation after one bulk fetch) and
over the API (``POST /api/flags/evaluate`` to a real ``golive serve``, CONCURRENCY requests in
flight), plus bulk fetches answered 304. Prints a table and writes bench/results/flags.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devkit.ports import free_port, wait_for_port  # noqa: E402
from devkit.process import terminate  # noqa: E402
from golive.clock import SystemClock  # noqa: E402
from golive.config import load_config  # noqa: E402
from golive.engine import open_store  # noqa: E402
from golive.flags.client import FlagClient  # noqa: E402
from golive.store.tokens import create_token  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "flags.json"
CONFIG = """\
version: 1
project: bench
environment: production
server:
  listen: "127.0.0.1:{port}"
  rate_limits: {{per_user: 100000000/h}}  # the default 600/m per token would refuse the load
flags:
  - {{name: static, enabled: true}}
  - {{name: roles, enabled: true, roles: [ADMIN, SUPPORT], environments: [production]}}
  - {{name: split, enabled: true, rollout: 25%}}
  - name: constrained
    enabled: true
    rollout: 50%
    constraints: [{{field: plan, operator: IN, values: [pro, team]}}]
"""
CONTEXTS = {
    "static": lambda n: {"user_id": str(n)},
    "roles": lambda n: {"user_id": str(n), "roles": ["ADMIN" if n % 2 else "USER"]},
    "split": lambda n: {"user_id": str(n)},
    "constrained": lambda n: {"user_id": str(n), "plan": "pro"},
}


def sdk_rate(client: FlagClient, flag: str, count: int) -> float:
    contexts = [CONTEXTS[flag](n) for n in range(count)]
    started = time.perf_counter()
    for context in contexts:
        client.is_enabled(flag, context)
    return count / (time.perf_counter() - started)


async def api_rate(url: str, token: str, flag: str, seconds: float, concurrency: int) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession, offset: int) -> None:
        nonlocal done
        n = offset
        while time.perf_counter() < deadline:
            body = {"flag": flag, "context": CONTEXTS[flag](n)}
            async with session.post(f"{url}/api/flags/evaluate", json=body) as answer:
                assert answer.status == 200, await answer.text()
                await answer.read()
            done += 1
            n += concurrency

    started = time.perf_counter()
    async with aiohttp.ClientSession(headers=headers) as session:
        await asyncio.gather(*(worker(session, i) for i in range(concurrency)))
    return done / (time.perf_counter() - started)


async def not_modified_rate(
    url: str, token: str, etag: str, seconds: float, concurrency: int
) -> float:
    headers = {"Authorization": f"Bearer {token}", "If-None-Match": etag}
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.get(f"{url}/api/flags") as answer:
                assert answer.status == 304, answer.status
            done += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(headers=headers) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--evaluations", type=int, default=200_000, help="SDK evaluations per flag")
    parser.add_argument("--seconds", type=float, default=5.0, help="API load per flag")
    parser.add_argument("--concurrency", type=int, default=8, help="API requests in flight")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="golive-bench-flags-") as folder:
        port = free_port()
        config = Path(folder) / "golive.yaml"
        config.write_text(CONFIG.format(port=port))
        store = open_store(load_config(config, environ={}))
        token = create_token(store, "bench", "viewer", SystemClock().now())
        store.close()
        log = Path(folder) / "serve.log"
        with log.open("wb") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "golive", "serve", "-c", str(config)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, timeout=60, proc=serve, log=log)
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            client = FlagClient(url, token, refresh=0)
            assert client.snapshot.source == "server", client.last_error
            rows: dict[str, dict[str, float]] = {}
            for flag in CONTEXTS:
                rows[flag] = {
                    "sdk_per_s": sdk_rate(client, flag, args.evaluations),
                    "api_per_s": asyncio.run(
                        api_rate(url, token, flag, args.seconds, args.concurrency)
                    ),
                }
            etag = str(client.snapshot.etag)
            bulk_304 = asyncio.run(
                not_modified_rate(url, token, etag, args.seconds, args.concurrency)
            )
        finally:
            terminate(serve)
    print(f"{'flag':<12} {'SDK (local) /s':>16} {'API /s':>10}")
    for flag, row in rows.items():
        print(f"{flag:<12} {row['sdk_per_s']:>16,.0f} {row['api_per_s']:>10,.0f}")
    print(f"bulk GET /api/flags answered 304: {bulk_304:,.0f}/s (concurrency {args.concurrency})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"args": vars(args), "flags": rows, "bulk_304_per_s": bulk_304}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
