"""`/api/metrics`: every metrics source's health for viewers, one source's request stats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from golive.config import load_config
from golive.records import Histogram, RequestMinute, SourceHealth
from golive.store.requests import save_reading
from tests.devkit.web import NOW, FakeRuntime, MakeClient, TestClient, bearer, signed_in

METRICS = """
metrics:
  - {name: edge, access_log: {path: /var/log/nginx/x.json.log}}
  - {name: app, prometheus: {url: "http://127.0.0.1:9/metrics"}}
"""


def configure(runtime: FakeRuntime, config_path: Path) -> None:
    config_path.write_text(config_path.read_text() + METRICS)
    runtime.loaded = load_config(config_path, environ=runtime.environ)


def test_sources_are_listed_with_their_health(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime, config_path: Path
) -> None:
    configure(runtime, config_path)
    save_reading(
        runtime.store,
        source="edge",
        kind="access_log",
        minutes=[],
        state={"inode": 1, "offset": 10, "head": ""},
        health=SourceHealth(
            "edge",
            "access_log",
            ok=False,
            last_error="x.json.log: no such file",
            lines=3,
            bad_lines=1,
            last_error_at=NOW,
        ),
    )
    assert client.get("/api/metrics").status_code == 401
    body = client.get("/api/metrics", headers=bearer(tokens["viewer"])).json()
    edge, app = body["sources"]
    assert (edge["source"], edge["ok"], edge["last_error"], edge["bad_lines"]) == (
        "edge",
        False,
        "x.json.log: no such file",
        1,
    )
    assert (app["source"], app["kind"], app["last_error"]) == ("app", "prometheus", "not read yet")


def test_one_source_gives_its_stats_over_a_window_filtered_by_labels(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime, config_path: Path
) -> None:
    configure(runtime, config_path)
    minute = NOW.replace(second=0, microsecond=0) - timedelta(minutes=1)
    rows = [
        RequestMinute(
            "edge",
            minute,
            {"route": "/a", "status": "200"},
            3,
            0,
            Histogram.of_latencies_ms([10.0] * 3),
        ),
        RequestMinute(
            "edge",
            minute,
            {"route": "/b", "status": "500"},
            1,
            1,
            Histogram.of_latencies_ms([10.0]),
        ),
    ]
    save_reading(
        runtime.store,
        source="edge",
        kind="access_log",
        minutes=rows,
        state={},
        health=SourceHealth("edge", "access_log"),
    )
    viewer = bearer(tokens["viewer"])
    body = client.get("/api/metrics/edge?minutes=5", headers=viewer).json()
    assert (body["window"]["count"], body["window"]["errors"]) == (4, 1)
    assert body["window"]["stats"]["error_rate"] == 0.25
    only_a = client.get("/api/metrics/edge?where=route=/a", headers=viewer).json()
    assert (only_a["window"]["count"], only_a["window"]["where"]) == (3, {"route": "/a"})
    assert client.get("/api/metrics/nope", headers=viewer).status_code == 404
    assert client.get("/api/metrics/edge?where=route", headers=viewer).status_code == 422


def test_the_dashboard_shows_each_sources_health_and_last_minutes(
    make_client: MakeClient, runtime: FakeRuntime, config_path: Path
) -> None:
    configure(runtime, config_path)
    minute = NOW.replace(second=0, microsecond=0)
    rows = [
        RequestMinute(
            "edge", minute, {"status": "500"}, 2, 2, Histogram.of_latencies_ms([5.0, 5.0])
        )
    ]
    save_reading(
        runtime.store,
        source="edge",
        kind="access_log",
        minutes=rows,
        state={},
        health=SourceHealth("edge", "access_log", lines=2, last_ok_at=NOW),
    )
    client = signed_in(make_client, runtime, "viv", "viewer")
    page = client.get("/sources")
    assert page.status_code == 200
    assert "2 lines, 0 bad" in page.text
    assert "2 requests, 100.00% errors, p95 5.0 ms" in page.text
    assert "not read yet" in page.text  # app
    assert '<a href="/sources" aria-current="page">Metrics</a>' in page.text
