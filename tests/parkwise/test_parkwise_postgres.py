"""ParkWise on a real PostgreSQL server (devkit's session ``postgres_server``)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from parkwise import repository
from parkwise.app import create_app
from parkwise.db import DatabaseError, PostgresDatabase
from parkwise.schema import SEED_FACILITY_COUNT, create_schema
from parkwise.settings import Settings
from psycopg import sql

from devkit.ports import free_port
from devkit.servers import PostgresServer
from tests.devkit.parkwise import MakeClient, TestClient


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"parkwise_{uuid.uuid4().hex[:12]}")


def test_the_app_runs_on_postgres_end_to_end(make_client: MakeClient, database_url: str) -> None:
    client = make_client(database_url=database_url)
    facilities = client.get("/api/facilities").json()
    assert len(facilities) == SEED_FACILITY_COUNT
    body = {
        "facility_id": facilities[0]["id"],
        "plate": "pg 42",
        "starts_at": "2030-05-01T10:00:00+02:00",
    }
    created = client.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert datetime.fromisoformat(booking["starts_at"]) == datetime(2030, 5, 1, 8, tzinfo=UTC)
    assert client.get(f"/api/bookings/{booking['id']}").json() == booking
    assert client.get("/api/facilities/999").status_code == 404
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["checks"]["database"]["status"] == "ok"


def test_instances_starting_together_create_the_schema_and_seed_once(database_url: str) -> None:
    db = PostgresDatabase(database_url)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: create_schema(db), range(4)))
    assert len(repository.list_facilities(db)) == SEED_FACILITY_COUNT


def test_concurrent_bookings_cannot_overfill_a_facility(database_url: str) -> None:
    db = PostgresDatabase(database_url)
    create_schema(db)
    db.query(
        "INSERT INTO facilities (name, address, capacity, hourly_rate_cents)"
        " VALUES ('Tiny', '1 Lane', 2, 100)"
    )
    tiny = next(f for f in repository.list_facilities(db) if f["name"] == "Tiny")
    starts = datetime(2031, 1, 1, 9, tzinfo=UTC)

    def book(n: int) -> bool:
        try:
            repository.create_booking(
                db, tiny["id"], f"CAR{n}", starts, starts + timedelta(hours=2)
            )
        except repository.FacilityFullError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(book, range(8)))
    assert results.count(True) == 2


def test_health_is_degraded_when_the_postgres_database_disappears(
    make_client: MakeClient, database_url: str, postgres_server: PostgresServer
) -> None:
    client = make_client(database_url=database_url)
    assert client.get("/health").status_code == 200
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    response = client.get("/health")
    assert response.status_code == 503
    database = response.json()["checks"]["database"]
    assert database["status"] == "error"
    assert name in database["error"]
    assert client.get("/api/facilities").status_code == 503


def test_startup_fails_loudly_when_postgres_is_unreachable(settings: Settings) -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/parkwise"
    app = create_app(Settings(data_dir=settings.data_dir, database_url=unreachable))
    with pytest.raises(DatabaseError, match="postgresql"), TestClient(app):
        pass
