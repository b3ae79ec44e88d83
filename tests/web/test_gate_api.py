"""`/api/gate`: the latest verdict for viewers, sign-offs for admins only."""

from __future__ import annotations

from pathlib import Path

from golive.config import load_config
from golive.gate.run import run_gate
from tests.devkit.web import FakeRuntime, TestClient, bearer

GATE = """
gate:
  - name: Incident response plan reviewed
    category: operational
    manual: true
"""


async def test_the_latest_verdict_is_served_to_viewers(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime, config_path: Path
) -> None:
    assert client.get("/api/gate", headers=bearer(tokens["viewer"])).status_code == 404
    config_path.write_text(config_path.read_text() + GATE)
    runtime.loaded = load_config(config_path, environ=runtime.environ)
    await run_gate(
        runtime.loaded, store=runtime.store, clock=runtime.clock, environ={}, release="v1.4.0"
    )
    answer = client.get("/api/gate", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "NO-GO"
    assert body["release"] == "v1.4.0"
    assert body["items"][0]["status"] == "unsigned"


def test_only_admins_sign_and_unknown_items_are_refused(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime, config_path: Path
) -> None:
    config_path.write_text(config_path.read_text() + GATE)
    runtime.loaded = load_config(config_path, environ=runtime.environ)
    item = {"item": "Incident response plan reviewed", "note": "reviewed"}
    assert (
        client.post("/api/gate/signoffs", json=item, headers=bearer(tokens["operator"])).status_code
        == 403
    )
    signed = client.post("/api/gate/signoffs", json=item, headers=bearer(tokens["admin"]))
    assert signed.status_code == 201
    assert signed.json()["signed_by"] == "token:admin-token"
    wrong = client.post(
        "/api/gate/signoffs", json={"item": "Incident plan"}, headers=bearer(tokens["admin"])
    )
    assert wrong.status_code == 409  # well-formed, but not an item of the configuration
    assert "Incident response plan reviewed" in wrong.json()["detail"]
    listed = client.get("/api/gate/signoffs", headers=bearer(tokens["viewer"])).json()
    assert [s["item"] for s in listed] == ["Incident response plan reviewed"]
