"""Metrics sources: access-log ingestion (lines per second of one core) and the cost of a scrape
per 1,000 series; also the latency histograms' size and merge cost.

- access log: a generated nginx-json log (the reference's ``log_format golive``) is read by the
  follower (``read_new``: read, parse, aggregate per minute and label set), timed in CPU seconds
  of this process (one core); then the same batch written to a SQLite store (``save_reading``).
- scrape: a generated exposition with a request histogram of N label sets (14 samples each:
  12 buckets, count, sum) is parsed, its histogram read and its deltas taken against the
  previous scrape: CPU ms per 1,000 samples (series).
- histograms: bytes of a minute's histogram, and merging 30 days of minutes (43,200).

Prints a table and writes ``bench/results/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.metrics.accesslog import Parser, read_new
from golive.metrics.exposition import parse, request_histogram
from golive.metrics.scrape import deltas
from golive.records import Histogram, SourceHealth
from golive.store import Store, normalise_url
from golive.store.requests import save_reading

BENCH_DIR = Path(__file__).resolve().parent
ROUTES = [f"/api/r{i}" for i in range(20)]
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5)


def write_log(path: Path, lines: int, rng: random.Random) -> None:
    start = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    with path.open("w") as out:
        for i in range(lines):
            at = start + timedelta(seconds=i * 600 / lines)
            record = {
                "time": at.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                "method": "GET" if i % 5 else "POST",
                "uri": rng.choice(ROUTES),
                "status": rng.choice((200, 200, 200, 200, 201, 404, 500)),
                "request_time": round(rng.expovariate(40), 3),
                "upstream_addr": f"127.0.0.1:{8001 + i % 2}",
                "upstream_response_time": "0.004",
                "bytes": 512,
            }
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def bench_log(folder: Path, lines: int, rng: random.Random) -> dict[str, float]:
    log = folder / "access.json.log"
    write_log(log, lines, rng)
    cpu = time.process_time()
    parser = Parser("edge")
    batch = read_new(log, None, parser)
    minutes, read = list(batch.minutes), batch.lines
    while batch.position is not None and batch.position.offset < log.stat().st_size:
        batch = read_new(log, batch.position, parser)  # a large file takes several reads
        minutes += batch.minutes
        read += batch.lines
    read_s = time.process_time() - cpu
    assert read == lines and batch.bad_lines == 0, (read, batch.bad_lines)
    store = Store.open(normalise_url("sqlite:///golive.db", folder))
    cpu = time.process_time()
    save_reading(
        store,
        source="edge",
        kind="access_log",
        minutes=minutes,
        state=vars(batch.position) if batch.position else {},
        health=SourceHealth("edge", "access_log"),
    )
    save_s = time.process_time() - cpu
    store.close()
    return {
        "lines": lines,
        "bytes": log.stat().st_size,
        "read_cpu_s": read_s,
        "lines_per_cpu_s": lines / read_s,
        "rows": len(minutes),
        "store_cpu_s": save_s,
        "lines_per_cpu_s_with_store": lines / (read_s + save_s),
    }


def exposition(label_sets: int, scale: int) -> str:
    lines = ["# TYPE http_request_duration_seconds histogram"]
    for i in range(label_sets):
        labels = f'route="/r{i // 6}",method="{("GET", "POST")[i % 2]}",status="{(200, 404, 500)[i % 3]}"'
        cumulative = 0
        for j, bound in enumerate(BUCKETS):
            cumulative += (i + j + 1) * scale
            lines.append(
                f'http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {cumulative}'
            )
        lines.append(f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {cumulative}')
        lines.append(f"http_request_duration_seconds_count{{{labels}}} {cumulative}")
        lines.append(f"http_request_duration_seconds_sum{{{labels}}} {cumulative * 0.05}")
    return "\n".join(lines) + "\n"


def bench_scrape(label_sets: int, repeat: int) -> dict[str, float]:
    minute = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    first, second = exposition(label_sets, 1), exposition(label_sets, 2)
    _, series = request_histogram(parse(first))
    _, state = deltas("app", minute, series, None)
    samples = label_sets * (len(BUCKETS) + 3)
    best = float("inf")
    for _ in range(repeat):
        cpu = time.process_time()
        _, series = request_histogram(parse(second))
        minutes, _ = deltas("app", minute, series, state)
        best = min(best, time.process_time() - cpu)
    assert len(minutes) == label_sets
    return {
        "label_sets": label_sets,
        "series": samples,
        "cpu_ms": best * 1000,
        "cpu_ms_per_1000_series": best * 1000 / samples * 1000,
    }


def bench_histograms(rng: random.Random) -> dict[str, float]:
    minute = Histogram.of_latencies_ms(rng.expovariate(1 / 40) for _ in range(1000))
    blob = minute.to_bytes()
    minutes = [
        Histogram.of_latencies_ms(rng.expovariate(1 / 40) for _ in range(50)) for _ in range(500)
    ]
    blobs = [m.to_bytes() for m in minutes]
    cpu = time.process_time()
    total: dict[float, int] = {}
    for i in range(43_200):
        for key, count in Histogram.from_bytes(blobs[i % len(blobs)]).counts.items():
            total[key] = total.get(key, 0) + count
    merge_s = time.process_time() - cpu
    return {
        "bytes_1000_requests": len(blob),
        "buckets_1000_requests": len(minute.counts),
        "merge_30d_minutes_s": merge_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=500_000, help="access-log lines")
    parser.add_argument("--label-sets", type=int, default=1000, help="histogram label sets")
    parser.add_argument("--repeat", type=int, default=5, help="scrape timings; the best")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "metrics.json")
    args = parser.parse_args()
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as folder:
        log = bench_log(Path(folder), args.lines, rng)
    scrape = bench_scrape(args.label_sets, args.repeat)
    histograms = bench_histograms(rng)
    print(f"{'measure':<44} {'value':>14}")
    rows = [
        ("access log: lines / CPU s (read+parse+aggregate)", f"{log['lines_per_cpu_s']:,.0f}"),
        (
            "access log: lines / CPU s (with the store write)",
            f"{log['lines_per_cpu_s_with_store']:,.0f}",
        ),
        (f"access log: rows written for {log['lines']:,} lines", f"{log['rows']:,}"),
        (f"scrape: CPU ms for {scrape['series']:,} series", f"{scrape['cpu_ms']:.1f}"),
        ("scrape: CPU ms per 1,000 series", f"{scrape['cpu_ms_per_1000_series']:.2f}"),
        ("histogram: bytes for a minute of 1,000 requests", f"{histograms['bytes_1000_requests']}"),
        (
            "histogram: merge 43,200 minutes (30 days), s",
            f"{histograms['merge_30d_minutes_s']:.2f}",
        ),
    ]
    for name, value in rows:
        print(f"{name:<52} {value:>14}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"access_log": log, "scrape": scrape, "histograms": histograms}, indent=2)
    )


if __name__ == "__main__":
    main()
