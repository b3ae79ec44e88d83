"""The synthetic user's login, bookings with its bearer token, and cancelling them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from parkwise.auth import issue_token, token_user

from tests.devkit.parkwise import MakeClient

SYNTHETIC = {"user": "synthetic", "password": "synthetic-pass"}


def bearer(client: TestClient) -> dict[str, str]:
    response = client.post("/api/login", json=SYNTHETIC)
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_the_synthetic_user_logs_in_and_books_with_its_token(client: TestClient) -> None:
    headers = bearer(client)
    response = client.post(
        "/api/bookings", json={"facility_id": 1, "plate": "SYN-001"}, headers=headers
    )
    assert response.status_code == 201
    booking = response.json()["id"]
    assert client.get(f"/api/bookings/{booking}").status_code == 200
    assert client.delete(f"/api/bookings/{booking}", headers=headers).status_code == 204
    assert client.get(f"/api/bookings/{booking}").status_code == 404
    assert client.delete(f"/api/bookings/{booking}", headers=headers).status_code == 404


def test_a_wrong_password_or_user_is_refused(client: TestClient) -> None:
    for body in ({**SYNTHETIC, "password": "nope"}, {**SYNTHETIC, "user": "admin"}):
        response = client.post("/api/login", json=body)
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong user or password"}
    assert client.post("/api/login", json={"user": "synthetic"}).status_code == 422


def test_the_synthetic_user_comes_from_the_environment(make_client: MakeClient) -> None:
    client = make_client(synth_user="robot", synth_password="s3cret-robot")
    assert client.post("/api/login", json=SYNTHETIC).status_code == 401
    login = {"user": "robot", "password": "s3cret-robot"}
    assert client.post("/api/login", json=login).status_code == 200


def test_cancelling_needs_a_valid_token(client: TestClient) -> None:
    booking = client.post("/api/bookings", json={"facility_id": 1, "plate": "AB1"}).json()["id"]
    path = f"/api/bookings/{booking}"
    assert client.delete(path).status_code == 401
    forged = {"Authorization": "Bearer synthetic.99999999999.0000"}
    response = client.delete(path, headers=forged)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get(path).status_code == 200


def test_a_booking_with_a_bad_token_is_refused_one_without_is_not(client: TestClient) -> None:
    body = {"facility_id": 1, "plate": "AB2"}
    bad = {"Authorization": "Bearer nonsense"}
    assert client.post("/api/bookings", json=body, headers=bad).status_code == 401
    assert client.post("/api/bookings", json=body).status_code == 201  # unchanged without one


def test_a_token_expires_after_an_hour_and_is_bound_to_its_key() -> None:
    token = issue_token("key-one-0123456789", "synthetic", now=1000.0)
    assert token_user("key-one-0123456789", token, now=1000.0 + 3599) == "synthetic"
    assert token_user("key-one-0123456789", token, now=1000.0 + 3601) is None
    assert token_user("key-two-0123456789", token, now=1000.0) is None
    assert token_user("key-one-0123456789", "garbage", now=1000.0) is None
