"""`golive status` shows each metrics source's health, in the table and in ``--json``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from golive.config import load_config
from golive.engine import open_store
from golive.records import SourceHealth
from golive.store.requests import save_reading

CONFIG = """\
version: 1
project: shop
metrics:
  - {name: edge, access_log: {path: /var/log/nginx/x.json.log}}
  - {name: app, prometheus: {url: "http://127.0.0.1:9/metrics"}}
"""


def test_status_shows_each_metrics_source(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    store = open_store(load_config(path, environ={}))
    at = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    save_reading(
        store,
        source="edge",
        kind="access_log",
        minutes=[],
        state={},
        health=SourceHealth(
            "edge",
            "access_log",
            ok=False,
            last_error="x.json.log: no such file",
            last_error_at=at,
            lines=12,
            bad_lines=1,
        ),
    )
    store.close()
    result = CliRunner().invoke(app, ["status", "-c", str(path)], env={})
    assert result.exit_code == 0, result.output
    assert (
        "metrics edge (access_log): ERROR x.json.log: no such file (12 lines, 1 bad)"
        in result.output
    )
    assert (
        "metrics app (prometheus): ERROR not read yet (0 scrapes, 0 failed, 0 series)"
        in result.output
    )
    data = json.loads(CliRunner().invoke(app, ["status", "-c", str(path), "--json"], env={}).output)
    assert [(s["source"], s["ok"]) for s in data["metrics_sources"]] == [
        ("edge", False),
        ("app", False),
    ]
    assert data["metrics_sources"][0]["last_error_at"] == at.isoformat()
