"""``/api/cluster``: the leaders of a scaled golive, read from the store's leases."""

from __future__ import annotations

from datetime import timedelta

from golive.store.leases import hold
from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer


def test_it_shows_no_leader_on_a_single_process(client: TestClient, tokens: dict[str, str]) -> None:
    answer = client.get("/api/cluster", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    assert answer.json() == {"leaders": []}


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
