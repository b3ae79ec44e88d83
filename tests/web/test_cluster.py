"""``/api/cluster``: the leaders of a scaled golive and its regions' workers, read from the
store's leases and heartbeats."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from golive.store.leases import hold
from golive.store.scale import WorkerBeat, beat
from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer

CONFIG = """\
version: 1
project: shop
workers: {broker: "redis://127.0.0.1:6379/1", regions: [east, west]}
checks:
  - {name: api, http: {url: "http://127.0.0.1:9/"}}
"""


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return path


def test_it_shows_no_leader_on_a_single_process(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.get("/api/cluster", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    assert answer.json()["leaders"] == []


def test_it_shows_each_lease_with_its_holder_and_whether_it_is_live(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    hold(runtime.store, "evaluator", "host-a:11", ttl=timedelta(seconds=10), now=NOW)
    hold(
        runtime.store,
        "scheduler",
        "host-b:22",
        ttl=timedelta(seconds=10),
        now=NOW - timedelta(minutes=1),
    )
    leaders = client.get("/api/cluster", headers=bearer(tokens["viewer"])).json()["leaders"]
    assert [(x["role"], x["holder"], x["epoch"], x["live"]) for x in leaders] == [
        ("evaluator", "host-a:11", 1, True),
        ("scheduler", "host-b:22", 1, False),
    ]


def test_it_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/cluster").status_code == 401


def test_it_shows_each_region_with_its_workers_alive_or_gone(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    for name, seen in (("east@a:7", NOW), ("east@b:8", NOW - timedelta(minutes=5))):
        beat(runtime.store, WorkerBeat(name, "east", 7, 4, NOW - timedelta(hours=1), seen, 9, 1))
    regions = client.get("/api/cluster", headers=bearer(tokens["viewer"])).json()["regions"]
    assert [(r["region"], r["alive"]) for r in regions] == [("east", 1), ("west", 0)]
    assert sorted((w["name"], w["alive"], w["runs"]) for w in regions[0]["workers"]) == [
        ("east@a:7", True, 9),
        ("east@b:8", False, 9),
    ]
