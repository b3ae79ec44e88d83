"""The gate's `loadtest:` items read the newest load-test evidence: fresh PASS is GO."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from golive.clock import ManualClock
from golive.config import load_config
from golive.engine import open_store
from golive.gate.run import run_gate
from tests.loadtest.conftest import StartLatency

runner = CliRunner()

CONFIG = """\
version: 1
project: shop
loadtests:
  - name: peak
    base_url: {url}
    rate: 40/s
    duration: 1s
    requests: [{{name: a, class: list, path: "/sleep?ms=2"}}]
    sla: {{list: {{p95: {p95}}}}}
gate:
  - {{name: SLA met under peak load, loadtest: peak, fresh: 7d}}
"""


def setup(tmp_path: Path, url: str, p95: str) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG.format(url=url, p95=p95))
    return path


async def judge(path: Path, at: datetime) -> dict[str, object]:
    loaded = load_config(path, environ=dict(os.environ))
    store = open_store(loaded)
    try:
        report = await run_gate(loaded, store=store, clock=ManualClock(at), environ={})
    finally:
        store.close()
    return report.items[0].as_dict()


def test_a_fresh_passing_run_passes_and_goes_stale_after_fresh(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    path = setup(tmp_path, latency_server().url, "500ms")
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(path)])
    assert result.exit_code == 0, result.output
    code = runner.invoke(app, ["gate", "--json", "-c", str(path)])
    assert (code.exit_code, json.loads(code.stdout)["verdict"]) == (0, "GO")

    now = datetime.now(UTC)
    fresh = asyncio.run(judge(path, now + timedelta(days=6)))
    assert fresh["status"] == "pass"
    assert str(fresh["reason"]).startswith("passed 6 days ago at ")
    stale = asyncio.run(judge(path, now + timedelta(days=9)))
    assert stale["status"] == "stale"
    assert "stale since 2 days (fresh: 7 days): golive loadtest peak" in str(stale["reason"])


def test_a_failed_sla_blocks_and_names_the_target(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    path = setup(tmp_path, latency_server().url, "1ms")
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(path)])
    assert result.exit_code == 1
    item = asyncio.run(judge(path, datetime.now(UTC)))
    assert item["status"] == "fail"
    assert "failed: list p95" in str(item["reason"]) and "> 1 ms" in str(item["reason"])
