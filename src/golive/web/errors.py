"""The one error body of every 4xx/5xx answer, ``ErrorBody``: ``{"type", "detail"}``, and for a
request that breaks the schema (422) its ``problems``, each with its location and field.

Error answers repeat little of what they were sent: at most ``MAX_PROBLEMS`` problems are
listed, each quoting at most ``MAX_QUOTE`` characters of its input; any other ``detail`` is cut
to ``MAX_DETAIL``. A 405 names in ``Allow`` every method of the path, not only the first route's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

MAX_QUOTE = 80  # characters of an input, a key or a message quoted in a 422
MAX_DETAIL = 500  # characters of any other error's detail
MAX_PROBLEMS = 10  # problems listed in a 422; the rest are counted
MAX_ITEMS = 20  # entries of a list or mapping inside a problem
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # the ones an Allow header may name
INVALID = "invalid_request"  # the type of a 422: the request breaks the schema
TYPES = {  # an error's type by status; others are HTTPStatus' phrase in snake case
    400: "bad_request",  # a body that is not JSON
    409: "conflict",  # well-formed, but the configuration or the current state refuses it
    422: INVALID,
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class Problem(BaseModel):
    """One way a request breaks the schema."""

    location: str = Field(description="where: body, query, path, header or cookie")
    field: str = Field(
        description="the field within it, dotted (matchers.check, state.1); empty for the whole"
    )
    type: str = Field(description="what is wrong: missing, string_too_short, extra_forbidden ...")
    message: str
    input: Any = Field(default=None, description="the value refused, quoted short")


class ErrorBody(BaseModel):
    """Every error answer of the API: what kind of error, what went wrong, and for a 422 each
    problem."""

    type: str = Field(
        description="bad_request, unauthorized, forbidden, not_found, method_not_allowed, "
        "conflict, invalid_request, rate_limited, internal_error, unavailable"
    )
    detail: str = Field(description="what went wrong, as a sentence")
    problems: list[Problem] = Field(
        default_factory=list, description="invalid_request only: each problem (at most 10)"
    )


def error_type(status: int) -> str:
    return TYPES.get(status) or HTTPStatus(status).phrase.lower().replace(" ", "_")


def error_response(
    status: int, detail: str, *, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The ``ErrorBody`` answer of ``status`` with ``detail`` (cut to ``MAX_DETAIL``)."""
    body = {"type": error_type(status), "detail": cut(detail, MAX_DETAIL)}
    return JSONResponse(body, status_code=status, headers=headers)


def cut(text: str, limit: int) -> str:
    """``text``, or its first ``limit`` characters and how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def bounded(value: Any, limit: int) -> Any:
    """``value`` (JSON-like) with every string cut to ``limit`` and every container to
    ``MAX_ITEMS`` entries."""
    if isinstance(value, str):
        return cut(value, limit)
    if isinstance(value, Mapping):
        entries = list(value.items())[:MAX_ITEMS]
        return {cut(str(k), limit): bounded(v, limit) for k, v in entries}
    if isinstance(value, list | tuple):
        return [bounded(v, limit) for v in value[:MAX_ITEMS]]
    return value


def quote(value: Any) -> Any:
    """An input as a problem quotes it: whole when short, else the start of its JSON text."""
    if isinstance(value, str):
        return cut(value, MAX_QUOTE)
    text = json.dumps(value, default=str)
    return value if len(text) <= MAX_QUOTE else cut(text, MAX_QUOTE)


def problem(error: Mapping[str, Any]) -> dict[str, Any]:
    """One of FastAPI's problems (``loc``, ``msg``, ``type``, ``input``) as a ``Problem``."""
    location, *path = [str(part) for part in error.get("loc") or ["body"]]
    shown = {
        "location": cut(location, MAX_QUOTE),
        "field": cut(".".join(path), MAX_QUOTE),
        "type": cut(str(error.get("type", "invalid")), MAX_QUOTE),
        "message": cut(str(error.get("msg", "")), MAX_QUOTE),
    }
    if "input" in error:
        shown["input"] = quote(bounded(error["input"], MAX_QUOTE))
    return shown


def problems(errors: list[Any]) -> list[dict[str, Any]]:
    """FastAPI's problems of a request, the first ``MAX_PROBLEMS``, bounded."""
    return [problem(error) for error in errors[:MAX_PROBLEMS]]


def summary(shown: list[dict[str, Any]], total: int) -> str:
    """The ``detail`` of a 422: its first problem, and how many there are."""
    if not shown:
        return "the request does not match the API's schema"
    first = shown[0]
    where = ".".join(part for part in (first["location"], first["field"]) if part)
    more = f" (and {total - 1} more problems)" if total > 1 else ""
    return f"{where}: {first['message']}{more}"


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    shown = problems(errors)
    body = {"type": INVALID, "detail": summary(shown, len(errors)), "problems": shown}
    return JSONResponse(body, status_code=422)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    if exc.status_code in (204, 304):  # no body allowed
        return Response(status_code=exc.status_code, headers=headers)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, default=str)
    return error_response(exc.status_code, detail, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app takes at this request's path (asked of the routes
    themselves: included routers nest theirs)."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


def install(app: FastAPI) -> None:
    """Answer ``app``'s 422s and other HTTP errors as ``ErrorBody``."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
