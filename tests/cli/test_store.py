"""`golive store leases` through the CLI runner: each lease with its holder, epoch and whether
it is live, as a table or as JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from golive.config import load_config
from golive.engine import open_store
from golive.store.leases import hold

runner = CliRunner()


def test_it_lists_each_lease_and_whether_it_is_live(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\nenvironment: production\n")
    store = open_store(load_config(config, environ={}))
    now = datetime.now(UTC)
    hold(store, "scheduler", "host-a:41", ttl=timedelta(minutes=5), now=now)
    hold(store, "evaluator", "host-b:7", ttl=timedelta(seconds=5), now=now - timedelta(hours=1))
    store.close()
    result = runner.invoke(app, ["store", "leases", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.output
    listed = {lease["name"]: lease for lease in json.loads(result.stdout)}
    assert listed["scheduler"]["holder"] == "host-a:41" and listed["scheduler"]["live"] is True
    assert listed["evaluator"]["epoch"] == 1 and listed["evaluator"]["live"] is False
    table = runner.invoke(app, ["store", "leases", "-c", str(config)])
    assert table.exit_code == 0 and "host-a:41" in table.stdout
