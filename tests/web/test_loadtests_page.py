"""``/loadtests``: the newest run of each load test, its SLA table and latency distribution."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import load_config
from golive.loadtest import histogram
from golive.loadtest.generator import ClassTally, Tally
from golive.loadtest.plan import make_plan
from golive.loadtest.report import build
from golive.records import EvidenceRecord, RunSummary
from tests.devkit.web import NOW, FakeRuntime, MakeClient, signed_in

CONFIG = """\
version: 1
project: shop
loadtests:
  - name: peak
    base_url: http://127.0.0.1:9
    rate: 100/s
    duration: 1s
    requests: [{name: list, class: list, path: /}, {name: book, class: write, path: /b}]
    sla: {list: {p95: 50ms}, write: {p99: 20ms}}
  - name: soak
    base_url: http://127.0.0.1:9
    rate: 1/s
    duration: 1s
    requests: [{name: a, path: /}]
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return path


def test_the_page_shows_the_newest_run_with_its_sla_and_distribution(
    make_client: MakeClient, runtime: FakeRuntime, config_path: Path
) -> None:
    test = load_config(config_path, environ={}).config.loadtests[0]
    tally = Tally({"list": ClassTally(), "write": ClassTally()}, sent=100, done=100)
    tally.window_s = tally.elapsed_s = 1.0
    for i in range(1, 101):  # list: 1..80 ms, write: 81..100 ms (fails its 20 ms p99)
        klass = tally.classes["list" if i <= 80 else "write"]
        histogram.record(klass.histogram, i * 1000)
        klass.count += 1
    report = build(test, make_plan(test), [tally.encoded()])
    record = EvidenceRecord(
        "loadtest", "peak", report.ok, NOW, NOW, values=report.data, error="; ".join(report.reasons)
    )
    runtime.store.record_run(RunSummary("loadtest", "default", NOW, NOW), [record])

    page = signed_in(make_client, runtime, "vic", "viewer").get("/loadtests").text
    assert "FAIL" in page and "asked 100.0/s, achieved 100.0/s" in page
    assert "write p99 100.0 ms &gt; 20 ms" in page
    assert "Latency distribution (ms)" in page and '<th scope="col">p99.9</th>' in page
    assert "No run yet: <code>golive loadtest soak</code>" in page
    assert '<a href="/loadtests" aria-current="page">Load tests</a>' in page
