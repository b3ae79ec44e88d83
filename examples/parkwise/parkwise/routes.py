"""HTTP routes. Handlers are sync: FastAPI runs them in its thread pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from parkwise import repository
from parkwise.auth import LoginIn, issue_token, password_matches, token_user
from parkwise.cache import Cache
from parkwise.db import Database
from parkwise.health import health_report
from parkwise.metrics import Metrics
from parkwise.models import Booking, BookingIn, Facility
from parkwise.settings import Settings

FACILITIES_CACHE_KEY = "facilities:v1"
FACILITIES_CACHE_TTL_S = 5.0


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    db: Database
    cache: Cache | None
    metrics: Metrics


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.parkwise
    return state


def root(request: Request) -> dict[str, str]:
    version = _state(request).settings.version
    return {
        "name": "parkwise",
        "message": "Welcome to ParkWise, the parking API.",
        "version": version,
    }


def version(request: Request) -> dict[str, str]:
    return {"name": "parkwise", "version": _state(request).settings.version}


def health(request: Request) -> JSONResponse:
    state = _state(request)
    code, body = health_report(state.db, state.cache, state.settings.version)
    return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})


def metrics(request: Request) -> Response:
    registry = _state(request).metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def list_facilities(request: Request, response: Response) -> list[dict[str, Any]]:
    """Read through Redis (5 s) when it is configured; ``X-Cache`` says what happened."""
    state = _state(request)
    if state.cache is None:
        response.headers["X-Cache"] = "BYPASS"
        return repository.list_facilities(state.db)
    cached = state.cache.get_json(FACILITIES_CACHE_KEY)
    if isinstance(cached, list):
        response.headers["X-Cache"] = "HIT"
        return cached
    rows = repository.list_facilities(state.db)
    state.cache.set_json(FACILITIES_CACHE_KEY, rows, FACILITIES_CACHE_TTL_S)
    response.headers["X-Cache"] = "MISS"
    return rows


def get_facility(id: int, request: Request) -> dict[str, Any]:
    row = repository.get_facility(_state(request).db, id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"facility {id} not found")
    return row


def login(body: LoginIn, request: Request) -> dict[str, str]:
    """The synthetic user's bearer token; 401 for any other user or password."""
    settings = _state(request).settings
    if not password_matches(settings.synth_user, settings.synth_password, body):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user or password")
    return {"token": issue_token(settings.secret_key, body.user)}


def _signed_in(request: Request, *, required: bool) -> None:
    """A bearer token, when sent (or ``required``), must be one ``/api/login`` issued."""
    header = request.headers.get("authorization")
    if header is None and not required:
        return
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or token_user(_state(request).settings.secret_key, token) is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


def create_booking(body: BookingIn, request: Request) -> dict[str, Any]:
    _signed_in(request, required=False)
    db = _state(request).db
    if repository.get_facility(db, body.facility_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"facility {body.facility_id} not found")
    starts_at, ends_at = body.period()
    try:
        return repository.create_booking(db, body.facility_id, body.plate, starts_at, ends_at)
    except repository.FacilityFullError:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"facility {body.facility_id} is full for that period"
        ) from None


def get_booking(id: int, request: Request) -> dict[str, Any]:
    row = repository.get_booking(_state(request).db, id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"booking {id} not found")
    return row


def cancel_booking(id: int, request: Request) -> Response:
    _signed_in(request, required=True)
    if not repository.delete_booking(_state(request).db, id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"booking {id} not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def register_routes(app: FastAPI) -> None:
    """Routes are added flat on the app so that metrics can resolve their templates."""
    app.add_api_route("/", root, methods=["GET"])
    app.add_api_route("/health", health, methods=["GET"])
    app.add_api_route("/version", version, methods=["GET"])
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    app.add_api_route(
        "/api/facilities", list_facilities, methods=["GET"], response_model=list[Facility]
    )
    app.add_api_route(
        "/api/facilities/{id}", get_facility, methods=["GET"], response_model=Facility
    )
    app.add_api_route(
        "/api/bookings",
        create_booking,
        methods=["POST"],
        response_model=Booking,
        status_code=status.HTTP_201_CREATED,
    )
    app.add_api_route("/api/bookings/{id}", get_booking, methods=["GET"], response_model=Booking)
    app.add_api_route("/api/login", login, methods=["POST"])
    app.add_api_route(
        "/api/bookings/{id}",
        cancel_booking,
        methods=["DELETE"],
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
    )
