"""End to end in one `golive serve` runtime: an access log with many 5xx → the metrics service
reads it → the `requests:` rule's signal → a firing alert in the store, with no check result."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from pathlib import Path

from golive.clock import ManualClock
from golive.config import load_config
from golive.serve.runtime import ServeRuntime
from golive.store import Store, normalise_url
from golive.store.alerts import load_alerts

NOW = "2026-12-07T15:00:20+00:00"


def line(status: int) -> str:
    return json.dumps(
        {
            "time": NOW,
            "method": "GET",
            "uri": "/api",
            "status": status,
            "request_time": 0.01,
            "upstream_addr": "127.0.0.1:8001",
        }
    )


async def test_a_burst_of_errors_in_the_log_fires_the_requests_rule(tmp_path: Path) -> None:
    log = tmp_path / "access.json.log"
    log.write_text("\n".join([line(200)] * 6 + [line(502)] * 4) + "\n")
    config = tmp_path / "golive.yaml"
    config.write_text(
        f"""\
version: 1
project: shop
metrics:
  - {{name: edge, access_log: {{path: {log}}}}}
alerts:
  - {{name: edge-errors, requests: edge, when: error_rate > 0.1, over: 5m, labels: {{team: web}}}}
"""
    )
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    serve = ServeRuntime(
        load_config(config, environ={}),
        store=store,
        clock=ManualClock(datetime.fromisoformat(NOW)),
        environ={},
    )
    assert "metrics" in [s.name for s in serve.services]
    running = asyncio.create_task(serve.run())
    deadline = time.monotonic() + 15
    try:
        while True:
            alerts = [a for a in load_alerts(store).values() if a.name == "edge-errors"]
            if alerts and alerts[0].state == "firing":
                break
            assert time.monotonic() < deadline, alerts
            await asyncio.sleep(0.05)
    finally:
        serve.stop()
        await asyncio.wait_for(running, 10)
    (alert,) = alerts
    assert alert.details["values"] == {"error_rate": 0.4}
    assert alert.summary.startswith("edge-errors on edge since 15:00:20Z: error_rate > 0.1")
    store.close()
