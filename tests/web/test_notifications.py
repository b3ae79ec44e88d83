"""``/api/notifications``: the outbox newest first, paged by id, with counts by status."""

from __future__ import annotations

from datetime import timedelta

from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer, seed_notification


def test_the_outbox_pages_by_id_with_counts(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    for i in range(5):
        status = "delivered" if i < 3 else "pending"
        seed_notification(runtime.store, f"k{i}", NOW + timedelta(seconds=i), status=status)
    viewer = bearer(tokens["viewer"])

    first = client.get("/api/notifications?limit=2", headers=viewer).json()
    assert [n["dedup_key"] for n in first["items"]] == ["k4", "k3"]
    assert first["counts"] == {"pending": 2, "sending": 0, "delivered": 3, "failed": 0}
    following = f"/api/notifications?limit=2&before_id={first['next_before_id']}"
    second = client.get(following, headers=viewer).json()
    assert [n["dedup_key"] for n in second["items"]] == ["k2", "k1"]
    last = client.get(f"/api/notifications?before_id={second['next_before_id']}", headers=viewer)
    assert [n["dedup_key"] for n in last.json()["items"]] == ["k0"]
    assert last.json()["next_before_id"] is None

    pending = client.get("/api/notifications?status=pending", headers=viewer).json()
    assert [n["dedup_key"] for n in pending["items"]] == ["k4", "k3"]
    assert client.get("/api/notifications?status=lost", headers=viewer).status_code == 422
