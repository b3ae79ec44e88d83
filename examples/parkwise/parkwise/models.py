"""Request and response bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PLATE_RE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,13}[A-Z0-9]$|^[A-Z0-9]$")
DEFAULT_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(days=30)


def _utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Facility(BaseModel):
    id: int
    name: str
    address: str
    capacity: int
    hourly_rate_cents: int


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facility_id: int = Field(gt=0)
    plate: str = Field(min_length=1, max_length=15)
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @field_validator("plate")
    @classmethod
    def _normalise_plate(cls, value: str) -> str:
        plate = " ".join(value.upper().split())
        if not PLATE_RE.match(plate):
            raise ValueError("plate must be letters, digits, spaces or dashes")
        return plate

    @model_validator(mode="after")
    def _fill_and_check_period(self) -> BookingIn:
        self.starts_at = _utc(self.starts_at or datetime.now(UTC))
        self.ends_at = _utc(self.ends_at) if self.ends_at else self.starts_at + DEFAULT_DURATION
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.ends_at - self.starts_at > MAX_DURATION:
            raise ValueError("a booking may last at most 30 days")
        return self

    def period(self) -> tuple[datetime, datetime]:
        """The booked period; both ends are filled in by validation."""
        assert self.starts_at is not None and self.ends_at is not None
        return self.starts_at, self.ends_at


class Booking(BaseModel):
    id: int
    facility_id: int
    plate: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
