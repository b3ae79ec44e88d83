"""Incidents over the web: the API by role, the one-click link (no login; tampered, expired,
reused), and public incidents on /status and in the feed."""

from __future__ import annotations

from datetime import timedelta

from golive.incidents.lifecycle import get_incident, open_incident, update_status
from golive.incidents.links import make_token
from golive.incidents.timeline import read
from tests.devkit.web import FakeRuntime, MakeClient, TestClient, bearer, form_token, signed_in


def opened(runtime: FakeRuntime, title: str = "Database down", **options: object) -> int:
    view = open_incident(
        runtime.store,
        runtime.loaded.config.incidents,
        title=title,
        severity="SEV1",
        at=runtime.clock.now(),
        actor="test",
        **options,  # type: ignore[arg-type]
    )
    return view.id


def test_an_operator_opens_acknowledges_and_resolves_an_incident(
    client: TestClient, tokens: dict[str, str]
) -> None:
    operator = bearer(tokens["operator"])
    created = client.post(
        "/api/incidents", json={"title": "Checkout fails", "severity": "SEV2"}, headers=operator
    )
    assert created.status_code == 200, created.text
    number = created.json()["id"]

    acked = client.post(f"/api/incidents/{number}/ack", json={}, headers=operator)
    assert acked.json()["state"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "token:operator-token"
    note = client.post(
        f"/api/incidents/{number}/notes", json={"text": "rolled back"}, headers=operator
    )
    assert note.json()["timeline"][-1]["message"] == "rolled back"
    resolved = client.post(f"/api/incidents/{number}/resolve", json={}, headers=operator)
    assert resolved.json()["state"] == "resolved"
    again = client.post(f"/api/incidents/{number}/ack", json={}, headers=operator)
    assert again.status_code == 409
    assert "is resolved; reopen it first" in again.json()["detail"]
    assert client.post("/api/incidents/99/ack", json={}, headers=operator).status_code == 404


def test_a_viewer_reads_but_cannot_act(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    number = opened(runtime)
    viewer = bearer(tokens["viewer"])

    assert client.get(f"/api/incidents/{number}", headers=viewer).json()["title"] == "Database down"
    assert client.post(f"/api/incidents/{number}/ack", json={}, headers=viewer).status_code == 403
    assert client.post(f"/api/incidents/{number}/ack", json={}).status_code == 401


def test_a_link_shows_a_button_and_acknowledges_once_without_a_login(
    client: TestClient, runtime: FakeRuntime
) -> None:
    number = opened(runtime)
    token = make_token(
        runtime.store, number, "acknowledge", recipient="alice", now=runtime.clock.now()
    )

    shown = client.get(f"/i/{token}")
    assert shown.status_code == 200
    assert "Acknowledge as alice" in shown.text
    assert get_incident(runtime.store, number).state == "triggered"  # a GET never acts

    used = client.post(f"/i/{token}")
    assert used.status_code == 200
    assert f"Incident #{number} acknowledged" in used.text
    assert get_incident(runtime.store, number).acknowledged_by == "alice (one-click link)"

    replayed = client.post(f"/i/{token}")
    assert replayed.status_code == 409
    assert "this link was used already" in replayed.text
    assert client.get(f"/i/{token}").status_code == 409


def test_a_tampered_link_is_refused(client: TestClient, runtime: FakeRuntime) -> None:
    number = opened(runtime)
    other = opened(runtime, "Another")
    token = make_token(
        runtime.store, number, "acknowledge", recipient="alice", now=runtime.clock.now()
    )
    first, mac = token.split(".")
    forged_body = make_token(
        runtime.store, other, "resolve", recipient="eve", now=runtime.clock.now()
    )

    for bad in (
        f"{forged_body.split('.')[0]}.{mac}",  # another body under this signature
        f"{first}.{mac[:-2]}AA",
        "not-a-token",
        f"{first}.",
    ):
        answer = client.post(f"/i/{bad}")
        assert answer.status_code == 400, bad
        assert "this link is not valid" in answer.text
    assert get_incident(runtime.store, number).state == "triggered"
    assert get_incident(runtime.store, other).state == "triggered"


def test_an_expired_link_is_refused(client: TestClient, runtime: FakeRuntime) -> None:
    number = opened(runtime)
    token = make_token(runtime.store, number, "resolve", recipient="bob", now=runtime.clock.now())
    runtime.clock.advance(timedelta(hours=24))

    answer = client.post(f"/i/{token}")

    assert answer.status_code == 410
    assert "this link expired at" in answer.text
    assert get_incident(runtime.store, number).state == "triggered"


def test_a_link_to_acknowledge_a_resolved_incident_says_so_and_stays_usable(
    client: TestClient, runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    number = opened(runtime)
    token = make_token(
        runtime.store, number, "acknowledge", recipient="alice", now=runtime.clock.now()
    )
    client.post(f"/api/incidents/{number}/resolve", json={}, headers=bearer(tokens["operator"]))

    answer = client.post(f"/i/{token}")

    assert answer.status_code == 409
    assert "is resolved; reopen it first" in answer.text


def test_a_public_incident_and_its_updates_show_on_the_status_page_and_feed(
    client: TestClient, runtime: FakeRuntime
) -> None:
    number = opened(runtime, "Payments are slow", public=True, component="API")
    runtime.clock.advance(timedelta(minutes=10))
    update_status(
        runtime.store,
        number,
        status="identified",
        message="A card provider is timing out",
        at=runtime.clock.now(),
        actor="alice",
    )
    opened(runtime, "Internal only")

    page = client.get("/status").text
    feed = client.get("/status.atom").text

    assert "Payments are slow" in page and "A card provider is timing out" in page
    assert "Identified" in page and "Investigating" in page
    assert "Internal only" not in page
    assert "Identified: Payments are slow" in feed
    assert "Internal only" not in feed
    assert [e.kind for e in read(runtime.store, number)].count("status_update") == 2


def test_an_operator_acknowledges_notes_and_resolves_from_the_dashboard(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    number = opened(runtime)
    client = signed_in(make_client, runtime, "otto", "operator")
    listed = client.get("/incidents").text
    assert f'href="/incidents/{number}"' in listed and 'href="/incidents"' in listed
    token = form_token(client, f"/incidents/{number}")

    acked = client.post(f"/incidents/{number}/ack", data={"csrf_token": token})
    assert acked.status_code == 200 and f"Incident #{number} is acknowledged." in acked.text
    client.post(f"/incidents/{number}/notes", data={"csrf_token": token, "text": "failing over"})
    client.post(
        f"/incidents/{number}/updates",
        data={"csrf_token": token, "status": "identified", "message": "Disk full"},
    )
    resolved = client.post(f"/incidents/{number}/resolve", data={"csrf_token": token})

    assert "Incident #1 is resolved." in resolved.text
    assert "failing over" in resolved.text and "Disk full" in resolved.text
    assert "acknowledged by user:otto" in resolved.text
    assert get_incident(runtime.store, number).public


def test_a_viewer_sees_incidents_without_buttons_and_cannot_post(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    number = opened(runtime)
    client = signed_in(make_client, runtime, "vic", "viewer")

    page = client.get(f"/incidents/{number}").text
    assert "Database down" in page and "Acknowledge</button>" not in page
    token = form_token(client, f"/incidents/{number}")
    refused = client.post(f"/incidents/{number}/ack", data={"csrf_token": token})
    assert refused.status_code == 403
    assert get_incident(runtime.store, number).state == "triggered"
