"""The load generator of ``bench/probes.py``'s blackbox_exporter side (pinned by the parent).

Sends ``--checks`` requests to the exporter's ``/probe`` endpoint, at most ``--concurrency``
at a time over keep-alive connections, each asking it to probe a distinct nginx URL, and
checks every answer says ``probe_success 1``. The exporter's CPU time (``/proc/PID/stat``)
is read right before and after the measured batch, after a warm-up batch. Prints one JSON
object on stdout; progress and errors go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from yarl import URL

REQUEST_TIMEOUT_S = 10.0
BATCH_TIMEOUT_S = 600.0


def proc_cpu_ticks(pid: int) -> int:
    """utime + stime of ``pid`` (all its threads), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), after "pid (comm)"


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def probe_urls(exporter: str, target_base: str, count: int, start: int) -> list[URL]:
    """Pre-built ``/probe`` URLs, so building them costs nothing in the measured loop."""
    return [
        URL(
            f"{exporter}/probe?module=http_2xx&target={quote(f'{target_base}{i}', safe='')}",
            encoded=True,
        )
        for i in range(start, start + count)
    ]


async def drive(urls: list[URL], concurrency: int) -> list[str]:
    """GET every URL (``concurrency`` workers); return the failures, if any."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    failures: list[str] = []
    pending = iter(urls)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            for url in pending:
                try:
                    async with session.get(url) as response:
                        body = await response.text()
                except (aiohttp.ClientError, TimeoutError) as exc:
                    failures.append(f"{url}: {type(exc).__name__}: {exc}")
                    continue
                if response.status != 200 or "\nprobe_success 1\n" not in body:
                    line = next((x for x in body.splitlines() if "probe_success" in x), "")
                    failures.append(f"{url}: HTTP {response.status} {line!r}")

        async with asyncio.timeout(BATCH_TIMEOUT_S):
            await asyncio.gather(*(worker() for _ in range(concurrency)))
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exporter", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--target-base", required=True, help="probed URL without the index")
    parser.add_argument("--pid", type=int, required=True, help="the exporter's PID")
    parser.add_argument("--checks", type=int, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--warmup", type=int, default=200)
    args = parser.parse_args(argv)

    warm = probe_urls(args.exporter, args.target_base, max(1, args.warmup), 1)
    urls = probe_urls(args.exporter, args.target_base, args.checks, 1)

    failures = asyncio.run(drive(warm, args.concurrency))
    if failures:
        print(f"blackbox load: warm-up failed: {failures[:3]}", file=sys.stderr)
        return 1

    ticks_before = proc_cpu_ticks(args.pid)
    wall_before = time.perf_counter()
    failures = asyncio.run(drive(urls, args.concurrency))
    wall_s = time.perf_counter() - wall_before
    ticks_after = proc_cpu_ticks(args.pid)
    if failures:
        print(
            f"blackbox load: {len(failures)} of {len(urls)} probes failed: {failures[:5]}",
            file=sys.stderr,
        )
        return 1

    hz = os.sysconf("SC_CLK_TCK")
    report: dict[str, Any] = {
        "checks": len(urls),
        "concurrency": args.concurrency,
        "warmup": len(warm),
        "wall_s": wall_s,
        "cpu_s": (ticks_after - ticks_before) / hz,
        "clock_ticks_per_s": hz,
        "peak_rss_kb": proc_status_kb(args.pid, "VmHWM"),
        "all_ok": True,
        "load_generator_affinity": sorted(os.sched_getaffinity(0)),
        "exporter_affinity": sorted(os.sched_getaffinity(args.pid)),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
