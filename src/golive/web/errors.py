"""Error answers that repeat little of what they were sent: FastAPI's list of problems in a 422
keeps its shape, but each value it quotes is cut to ``MAX_QUOTE`` characters and at most
``MAX_PROBLEMS`` are listed; any other error's ``detail`` is cut to ``MAX_DETAIL``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

MAX_QUOTE = 80  # characters of an input, a key or a message quoted in a 422
MAX_DETAIL = 500  # characters of any other error's detail
MAX_PROBLEMS = 10  # problems listed in a 422; the rest are counted
MAX_ITEMS = 20  # entries of a list or mapping inside a problem


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


def problems(errors: list[Any]) -> list[dict[str, Any]]:
    """FastAPI's problems of a request, bounded."""
    shown: list[dict[str, Any]] = []
    for error in errors[:MAX_PROBLEMS]:
        problem = {k: bounded(v, MAX_QUOTE) for k, v in error.items() if k != "input"}
        if "input" in error:
            problem["input"] = quote(error["input"])
        shown.append(problem)
    if len(errors) > MAX_PROBLEMS:
        more = len(errors) - MAX_PROBLEMS
        shown.append(
            {"type": "too_many_errors", "loc": [], "msg": f"{more} more problems not shown"}
        )
    return shown


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail = problems(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": detail}, status_code=422)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    short = HTTPException(exc.status_code, bounded(exc.detail, MAX_DETAIL), exc.headers)
    return await http_exception_handler(request, short)


def install(app: FastAPI) -> None:
    """Answer ``app``'s 422s and other HTTP errors this way."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
