from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from parkwise.schema import SEED_FACILITY_COUNT

from tests.devkit.parkwise import MakeClient


def test_root_welcomes_with_the_version(make_client: MakeClient) -> None:
    response = make_client(version="9.9.9").get("/")
    assert response.status_code == 200
    assert response.json()["name"] == "parkwise"
    assert response.json()["version"] == "9.9.9"


def test_version_reports_the_configured_version(make_client: MakeClient) -> None:
    assert make_client(version="2.0.1").get("/version").json() == {
        "name": "parkwise",
        "version": "2.0.1",
    }


def test_facilities_are_seeded_on_first_start(client: TestClient) -> None:
    facilities = client.get("/api/facilities").json()
    assert len(facilities) == SEED_FACILITY_COUNT
    assert set(facilities[0]) == {"id", "name", "address", "capacity", "hourly_rate_cents"}


def test_restarting_keeps_data_and_does_not_seed_twice(make_client: MakeClient) -> None:
    first = make_client()
    booking = first.post("/api/bookings", json={"facility_id": 1, "plate": "KEEP1"}).json()
    second = make_client()
    assert len(second.get("/api/facilities").json()) == SEED_FACILITY_COUNT
    assert second.get(f"/api/bookings/{booking['id']}").json() == booking


def test_a_facility_is_found_by_id(client: TestClient) -> None:
    response = client.get("/api/facilities/2")
    assert response.status_code == 200
    assert response.json()["id"] == 2


def test_an_unknown_facility_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/facilities/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "facility 999 not found"}


def test_a_booking_is_created_with_a_one_hour_default_period(client: TestClient) -> None:
    response = client.post("/api/bookings", json={"facility_id": 1, "plate": " ab-123  cd "})
    assert response.status_code == 201
    booking = response.json()
    assert booking["plate"] == "AB-123 CD"
    starts = datetime.fromisoformat(booking["starts_at"])
    ends = datetime.fromisoformat(booking["ends_at"])
    assert ends - starts == timedelta(hours=1)
    assert abs(starts - datetime.now(UTC)) < timedelta(minutes=1)
    assert client.get(f"/api/bookings/{booking['id']}").json() == booking


def test_a_booking_keeps_the_requested_period_in_utc(client: TestClient) -> None:
    body = {
        "facility_id": 3,
        "plate": "XY99",
        "starts_at": "2030-05-01T10:00:00+02:00",
        "ends_at": "2030-05-01T12:30:00+02:00",
    }
    booking = client.post("/api/bookings", json=body).json()
    assert datetime.fromisoformat(booking["starts_at"]) == datetime(2030, 5, 1, 8, tzinfo=UTC)
    assert datetime.fromisoformat(booking["ends_at"]) == datetime(2030, 5, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        {"plate": "AB123"},
        {"facility_id": 1},
        {"facility_id": "one", "plate": "AB123"},
        {"facility_id": 0, "plate": "AB123"},
        {"facility_id": 1, "plate": ""},
        {"facility_id": 1, "plate": "<script>"},
        {"facility_id": 1, "plate": "A" * 16},
        {"facility_id": 1, "plate": "AB123", "colour": "red"},
        {"facility_id": 1, "plate": "AB123", "starts_at": "tomorrow"},
        {
            "facility_id": 1,
            "plate": "AB123",
            "starts_at": "2030-01-01T12:00:00Z",
            "ends_at": "2030-01-01T11:00:00Z",
        },
        {
            "facility_id": 1,
            "plate": "AB123",
            "starts_at": "2030-01-01T12:00:00Z",
            "ends_at": "2030-03-01T12:00:00Z",
        },
    ],
)
def test_an_invalid_booking_is_rejected_with_422(
    client: TestClient, body: dict[str, object]
) -> None:
    response = client.post("/api/bookings", json=body)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()


def test_a_booking_for_an_unknown_facility_is_a_404(client: TestClient) -> None:
    response = client.post("/api/bookings", json={"facility_id": 77, "plate": "AB123"})
    assert response.status_code == 404
    assert response.json() == {"detail": "facility 77 not found"}


def test_a_full_facility_refuses_overlapping_bookings_with_409(client: TestClient) -> None:
    state = client.app.state.parkwise  # type: ignore[attr-defined]
    state.db.query(
        "INSERT INTO facilities (name, address, capacity, hourly_rate_cents)"
        " VALUES ('Tiny', '1 Lane', 1, 100)"
    )
    tiny = next(f for f in client.get("/api/facilities").json() if f["name"] == "Tiny")
    period = {"starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z"}
    first = client.post("/api/bookings", json={"facility_id": tiny["id"], "plate": "A1", **period})
    assert first.status_code == 201
    clash = client.post("/api/bookings", json={"facility_id": tiny["id"], "plate": "B2", **period})
    assert clash.status_code == 409
    later = {"starts_at": "2030-01-01T12:00:00Z", "ends_at": "2030-01-01T13:00:00Z"}
    after = client.post("/api/bookings", json={"facility_id": tiny["id"], "plate": "C3", **later})
    assert after.status_code == 201


def test_an_unknown_booking_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/bookings/12345")
    assert response.status_code == 404
    assert response.json() == {"detail": "booking 12345 not found"}


def test_a_non_numeric_id_is_a_422(client: TestClient) -> None:
    assert client.get("/api/facilities/abc").status_code == 422


def test_facilities_bypass_the_cache_when_redis_is_not_configured(client: TestClient) -> None:
    assert client.get("/api/facilities").headers["X-Cache"] == "BYPASS"


def test_api_docs_are_only_served_in_debug_mode(make_client: MakeClient) -> None:
    assert make_client().get("/docs").status_code == 404
    assert make_client(debug=True).get("/openapi.json").status_code == 200
