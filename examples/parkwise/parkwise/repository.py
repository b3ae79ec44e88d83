"""Queries for facilities and bookings."""

from __future__ import annotations

from datetime import UTC, datetime

from parkwise.db import Database, Row

_FACILITY_COLUMNS = "id, name, address, capacity, hourly_rate_cents"
_BOOKING_COLUMNS = "id, facility_id, plate, starts_at, ends_at, created_at"


class FacilityFullError(Exception):
    """Every space of the facility is booked for part of the requested period."""


def list_facilities(db: Database) -> list[Row]:
    return db.query(f"SELECT {_FACILITY_COLUMNS} FROM facilities ORDER BY id")


def get_facility(db: Database, facility_id: int) -> Row | None:
    return db.query_one(f"SELECT {_FACILITY_COLUMNS} FROM facilities WHERE id = %s", [facility_id])


def get_booking(db: Database, booking_id: int) -> Row | None:
    return db.query_one(f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE id = %s", [booking_id])


def delete_booking(db: Database, booking_id: int) -> bool:
    """Delete a booking; False when there was none."""
    with db.transaction() as run:
        rows = run("DELETE FROM bookings WHERE id = %s RETURNING id", [booking_id])
    return bool(rows)


def create_booking(
    db: Database, facility_id: int, plate: str, starts_at: datetime, ends_at: datetime
) -> Row:
    """Insert a booking unless the facility is full for an overlapping period.

    On PostgreSQL the facility row is locked first, so two requests cannot both
    take the last space; SQLite serialises writers on its own.
    """
    sql = f"""
        INSERT INTO bookings (facility_id, plate, starts_at, ends_at, created_at)
        SELECT %s, %s, %s, %s, %s
        WHERE (SELECT COUNT(*) FROM bookings
               WHERE facility_id = %s AND starts_at < %s AND ends_at > %s)
            < (SELECT capacity FROM facilities WHERE id = %s)
        RETURNING {_BOOKING_COLUMNS}"""
    now = datetime.now(UTC)
    params = [facility_id, plate, starts_at, ends_at, now, facility_id, ends_at, starts_at]
    with db.transaction() as run:
        if db.kind == "postgresql":
            run("SELECT id FROM facilities WHERE id = %s FOR UPDATE", [facility_id])
        rows = run(sql, [*params, facility_id])
    if not rows:
        raise FacilityFullError(facility_id)
    return rows[0]
