"""An outside oracle: the same counters in a real Prometheus, where PromQL's ``increase()``-based
error ratio over each window of the multiwindow table must match golive's burn rate within 1 %.

Four days of a check's runs (120 a minute, failures varying: a quiet baseline, a burst two days
ago, a fresh burst in the last 40 minutes) are written twice: as the counters
``slo_events_total{result="all"|"bad"}`` sampled every 15 s, backfilled into Prometheus's TSDB
with ``promtool tsdb create-blocks-from openmetrics``, and as the minute and hour rollups
`golive serve` keeps. Prometheus then answers at the window's end for 5m ... 3d.
"""

from __future__ import annotations

import json
import random
import shutil
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from devkit.ports import HOST, free_port
from devkit.process import Server, find_binary, run_checked, spawn
from golive.config.slo import Slo
from golive.records import Bucket
from golive.slo.budget import alert_windows, duration_text
from golive.slo.sli import Reader
from golive.slo.status import evaluate
from golive.store import Store, normalise_url
from golive.store.state import flush

pytestmark = pytest.mark.skipif(
    shutil.which("prometheus") is None or shutil.which("promtool") is None,
    reason="prometheus is installed by devkit/system.sh",
)
DAYS, PER_MINUTE, STEP = 4, 120, 15  # runs a minute, seconds between two samples
SLO = Slo.model_validate(
    {"name": "availability", "objective": "99.9%", "window": "30d", "sli": {"check": "api"}}
)


def failures(minute: int, total: int, rng: random.Random) -> int:
    """Failures in minute ``minute`` of ``total``: 0.1 % baseline, 1 % for three hours two days
    ago, 3 % in the last 40 minutes; the count drawn per run."""
    rate = 0.001
    if 2 * 1440 <= total - minute <= 2 * 1440 + 180:
        rate = 0.01
    if total - minute <= 40:
        rate = 0.03
    return sum(rng.random() < rate for _ in range(PER_MINUTE))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, str, datetime]]:
    base = tmp_path_factory.mktemp("oracle")
    end = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    if end.minute == 0:  # make the window edges fall inside hours
        end -= timedelta(minutes=7)
    start, total, rng = end - timedelta(days=DAYS), DAYS * 1440, random.Random(1010)
    per_minute = [failures(m, total, rng) for m in range(total)]

    # the counters, sampled every 15 s from `start` to `end` (both included)
    lines = ["# TYPE slo_events counter"]
    failed_before = [0]
    for failed in per_minute:
        failed_before.append(failed_before[-1] + failed)
    for result in ("all", "bad"):
        done = 0
        for sample in range(total * 60 // STEP + 1):
            minute, quarter = divmod(sample, 60 // STEP)
            if quarter == 0:  # the counter at each whole minute: every run before it
                done = failed_before[minute] if result == "bad" else minute * PER_MINUTE
            ts = int(start.timestamp()) + sample * STEP
            lines.append(f'slo_events_total{{result="{result}"}} {done} {ts}')
            if minute < total:  # the runs of this quarter minute land before the next sample
                whole = per_minute[minute] if result == "bad" else PER_MINUTE
                done += whole // 4 + (1 if quarter < whole % 4 else 0)
        lines.append("")
    text = "\n".join(line for line in lines if line) + "\n# EOF\n"
    (base / "series.om").write_text(text)
    data = base / "data"
    promtool = find_binary("promtool", "/usr/bin/promtool", package="prometheus")
    run_checked([promtool, "tsdb", "create-blocks-from", "openmetrics", "-q",
                 base / "series.om", data], base / "promtool.log", "promtool")  # fmt: skip

    # the same runs as golive's rollups
    store = Store.open(normalise_url("sqlite:///golive.db", base))
    buckets, hours = [], {}
    for minute, failed in enumerate(per_minute):
        at = start + timedelta(minutes=minute)
        bucket = Bucket("api", "minute", at, PER_MINUTE, failed)
        buckets.append(bucket)
        hour = at.replace(minute=0)
        hours.setdefault(hour, Bucket("api", "hour", hour)).merge(bucket)
    flush(
        store, environment="test", statuses=[], evidence=[], buckets=buckets + list(hours.values())
    )

    (base / "prometheus.yml").write_text("global: {scrape_interval: 1m}\n")
    port = free_port()
    binary = find_binary("prometheus", "/usr/bin/prometheus", package="prometheus")
    proc = spawn([binary, f"--config.file={base / 'prometheus.yml'}",
                  f"--storage.tsdb.path={data}", f"--web.listen-address={HOST}:{port}",
                  "--storage.tsdb.retention.time=30d"], base / "prometheus.log")  # fmt: skip
    server = Server(proc, base, base / "prometheus.log")
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _ready(url):
            assert server.running and time.monotonic() < deadline, server.log_tail()
            time.sleep(0.1)
        yield store, url, end
    finally:
        server.stop()
        store.close()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def promql(url: str, query: str, at: datetime) -> float:
    args = urllib.parse.urlencode({"query": query, "time": at.timestamp()})
    with urllib.request.urlopen(f"{url}/api/v1/query?{args}", timeout=10) as answer:
        result = json.load(answer)["data"]["result"]
    assert len(result) == 1, (query, result)
    return float(result[0]["value"][1])


def test_every_windows_burn_rate_matches_promql_within_one_percent(
    recorded: tuple[Store, str, datetime],
) -> None:
    store, url, end = recorded
    status = evaluate(SLO, Reader(store), end)
    compared = {}
    for window in alert_windows(SLO.window):
        w = duration_text(window)
        ratio = promql(
            url,
            f'increase(slo_events_total{{result="bad"}}[{w}])'
            f' / ignoring(result) increase(slo_events_total{{result="all"}}[{w}])',
            end,
        )
        expected = ratio / (1 - SLO.objective)
        burn = status.burn[window]
        assert burn is not None
        compared[w] = (round(burn, 3), round(expected, 3))
        assert burn == pytest.approx(expected, rel=0.01), (w, burn, expected)
    # the fresh burst pages (5 m and 1 h far above 14.4x) and the 3-day window burns about 1x
    assert compared["5m"][0] > 14.4 and compared["1h"][0] > 14.4, compared
    print("burn rate per window (golive, PromQL):", compared)
