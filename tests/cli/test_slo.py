"""`golive slo`, `golive slo export --openslo` and `golive slo import` through the CLI runner."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from golive.cli import app
from golive.records import Bucket
from golive.store import Store, normalise_url
from golive.store.state import flush

runner = CliRunner()
REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
        "checks:\n  - {name: web, tcp: {host: 127.0.0.1, port: 1}}\n"
        "slos:\n  - {name: uptime, objective: 98%, window: 30d, sli: {check: web}}\n"
        "alerts:\n  - {name: uptime-burn, slo: uptime, burn_rate: multiwindow}\n"
    )
    return path


def test_it_shows_attainment_budget_and_burn_of_the_stored_runs(config: Path) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", config.parent))
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    buckets = []
    for start in (hour - timedelta(hours=3), hour - timedelta(hours=2)):
        buckets.append(Bucket("web", "hour", start))
        for i in range(100):
            buckets[-1].add(i > 0, 5.0)  # one failure in each hour
    flush(store, environment="test", statuses=[], evidence=[], buckets=buckets)
    store.close()

    result = runner.invoke(app, ["slo", "uptime", "--json", "-c", str(config)])
    assert result.exit_code == 0, result.output
    [status] = json.loads(result.output)
    # 200 runs, 2 failed: 99 % attained; 98 % allows 4 failures, 2 spent: half left
    assert (status["total"], status["good"], status["attainment"]) == (200, 198, 0.99)
    assert status["budget"]["remaining_share"] == pytest.approx(0.5)
    assert status["burn_rates"]["6h"] == pytest.approx(0.5)  # 1 % failed / 2 % allowed
    assert status["burn_rates"]["1h"] is None  # no runs in the last hour

    table = runner.invoke(app, ["slo", "-c", str(config)])
    assert table.exit_code == 0
    assert "uptime" in table.output and "99%" in table.output and "50%" in table.output


def test_an_unknown_slo_is_a_clear_error(config: Path) -> None:
    result = runner.invoke(app, ["slo", "uptme", "-c", str(config)])
    assert result.exit_code == 2
    assert "no SLO named 'uptme'; did you mean 'uptime'?" in result.output


def test_the_reference_slos_go_out_as_openslo_and_come_back_unchanged(tmp_path: Path) -> None:
    exported = runner.invoke(app, ["slo", "export", "--openslo", "-c", str(REFERENCE)])
    assert exported.exit_code == 0, exported.output
    kinds = [d["kind"] for d in yaml.safe_load_all(exported.output)]
    assert kinds == ["SLI", "SLO", "AlertPolicy", "SLI", "SLO", "SLI", "SLO", "SLI", "SLO"]
    path = tmp_path / "openslo.yaml"
    path.write_text(exported.output)

    imported = runner.invoke(app, ["slo", "import", str(path)])
    assert imported.exit_code == 0, imported.output
    back = yaml.safe_load(imported.output)
    reference = yaml.safe_load(REFERENCE.read_text())
    assert back["slos"] == reference["slos"]
    [rule] = back["alerts"]
    assert rule == {
        "name": "availability-burn",
        "slo": "availability",
        "burn_rate": "multiwindow",
        "severity": "high",
    }


def test_what_golive_cannot_measure_is_listed_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(
        "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: prom}\nspec:\n"
        "  ratioMetric:\n    counter: true\n"
        "    good: {metricSource: {type: Prometheus, spec: {query: up}}}\n"
        "    total: {metricSource: {type: Prometheus, spec: {query: up}}}\n"
        "---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {name: monthly}\nspec:\n"
        "  indicatorRef: prom\n  timeWindow: [{duration: 1M, isRolling: false}]\n"
        "  budgetingMethod: Timeslices\n  objectives: [{target: 0.99}]\n"
    )
    result = runner.invoke(app, ["slo", "import", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1:1: metric source type 'Prometheus' cannot map" in result.output
    assert f"{path}:10:1: SLO monthly: only one rolling timeWindow maps to golive" in result.output
    assert "golive budgets by Occurrences, not timeslices" in result.output
