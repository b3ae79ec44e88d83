"""`/api/slos` and the SLO pages: the numbers `golive slo` shows, a budget chart, its alerts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from golive.config import load_config
from tests.devkit.web import (
    NOW,
    FakeRuntime,
    MakeClient,
    TestClient,
    bearer,
    seed_alert,
    seed_rollup,
    signed_in,
)

SLOS = """
slos:
  - {name: uptime, objective: 99%, window: 1d, sli: {check: db}}
alerts:
  - {name: uptime-burn, slo: uptime, burn_rate: multiwindow}
"""


@pytest.fixture
def with_slo(runtime: FakeRuntime, config_path: Path) -> FakeRuntime:
    config_path.write_text(config_path.read_text() + SLOS)
    runtime.loaded = load_config(config_path, environ=runtime.environ)
    # 24 hours of 100 runs; 2 failures in the last hour: 2 of 24 allowed failures spent
    for hours in range(1, 25):
        seed_rollup(runtime.store, "db", NOW - timedelta(hours=hours), 100, 2 if hours == 1 else 0)
    seed_alert(
        runtime.store,
        "a" * 32,
        NOW - timedelta(minutes=5),
        name="uptime-burn-page",
        rule="uptime-burn",
        check=None,
        component=None,
        summary="uptime burns its budget",
    )
    return runtime


def test_viewers_read_every_slo_and_one_with_its_series_and_alerts(
    client: TestClient, tokens: dict[str, str], with_slo: FakeRuntime
) -> None:
    assert client.get("/api/slos").status_code == 401
    [listed] = client.get("/api/slos", headers=bearer(tokens["viewer"])).json()
    assert (listed["name"], listed["total"], listed["good"]) == ("uptime", 2400, 2398)
    assert listed["budget"]["remaining_share"] == pytest.approx(1 - 2 / 24)
    # 1 d x 1 h / 30 d = 2 min: nothing stored in the last two minutes
    assert listed["burn_rates"]["2m"] is None
    one = client.get("/api/slos/uptime", headers=bearer(tokens["viewer"])).json()
    assert len(one["series"]) == 24  # a day-long window steps by whole hours
    assert one["series"][-1][1] == pytest.approx(1 - 2 / 24)
    assert [a["name"] for a in one["alerts"]] == ["uptime-burn-page"]
    missing = client.get("/api/slos/uptme", headers=bearer(tokens["viewer"]))
    assert missing.status_code == 404 and "uptme" in missing.json()["detail"]


def test_the_slo_pages_show_attainment_budget_chart_and_alerts(
    make_client: MakeClient, with_slo: FakeRuntime
) -> None:
    client = signed_in(make_client, with_slo, "vic", "viewer")
    listing = client.get("/slos")
    assert listing.status_code == 200
    assert 'href="/slos/uptime"' in listing.text and "99.917%" in listing.text
    page = client.get("/slos/uptime")
    assert page.status_code == 200
    assert '<svg class="budget-chart"' in page.text
    assert "91.7% left at the end" in page.text  # the chart in words
    assert "uptime-burn-page" in page.text and "uptime burns its budget" in page.text
    assert client.get("/slos/nope").status_code == 404
