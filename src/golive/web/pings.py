"""The ping URLs of heartbeat checks: ``/ping/{check}/{secret}`` (a run ended well), ``/start``,
``/fail`` and ``/{exit_code}``, by POST (or GET, for the simplest cron line).

No login: the secret in the path is the credential. An unknown check and a wrong secret get the
same 404. Each check has its own budget (``PER_CHECK``), so a flood of one job's pings is
refused with 429 while the others' go on. The answer costs a lookup, a hash and an append to the
runtime's ``PingBook``; the heartbeat loop judges the pings. A body is kept as the run's log:
its last ``LOG_BYTES`` bytes, secrets redacted.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from golive.records import Ping
from golive.web.ratelimit import RateLimiter, Rule
from golive.web.runtime import Runtime

PER_CHECK = Rule(60, 10.0)  # pings per check: bursts of 60, 6 a second on average
LOG_BYTES = 10_000
MAX_EXIT_CODE = 255


def _answer(request: Request, check: str, secret: str) -> tuple[Runtime, Response | None]:
    runtime: Runtime = request.app.state.runtime
    limiter: RateLimiter = request.app.state.ping_limiter
    if not runtime.pings.opens(check, secret):
        return runtime, PlainTextResponse("not found", status_code=404)
    decision = limiter.hit(check)
    if not decision.allowed:
        return runtime, PlainTextResponse(
            "too many pings", status_code=429, headers=decision.headers()
        )
    return runtime, None


async def _log(request: Request, runtime: Runtime) -> str | None:
    tail = b""
    async for chunk in request.stream():
        tail = (tail + chunk)[-LOG_BYTES:]
    if not tail:
        return None
    return runtime.loaded.secrets.redact(tail.decode("utf-8", errors="replace"))


async def _end(
    request: Request, check: str, secret: str, *, ok: bool, exit_code: int | None
) -> Response:
    runtime, refused = _answer(request, check, secret)
    if refused is not None:
        return refused
    log = await _log(request, runtime)
    ping = Ping(check, "end", runtime.clock.now(), ok=ok, exit_code=exit_code, log=log)
    runtime.pings.record(ping)
    return PlainTextResponse("OK")


async def success(request: Request, check: str, secret: str) -> Response:
    """The job's run ended well."""
    return await _end(request, check, secret, ok=True, exit_code=0)


async def fail(request: Request, check: str, secret: str) -> Response:
    """The job's run failed."""
    return await _end(request, check, secret, ok=False, exit_code=None)


async def exit_code(request: Request, check: str, secret: str, code: int) -> Response:
    """The job's run ended with exit code ``code`` (0 is a success)."""
    if not 0 <= code <= MAX_EXIT_CODE:
        return PlainTextResponse("an exit code is 0 to 255", status_code=400)
    return await _end(request, check, secret, ok=code == 0, exit_code=code)


async def start(request: Request, check: str, secret: str) -> Response:
    """The job's run started (its end, ``grace`` later at the latest, gives its duration)."""
    runtime, refused = _answer(request, check, secret)
    if refused is not None:
        return refused
    runtime.pings.record(Ping(check, "start", runtime.clock.now()))
    return PlainTextResponse("OK")


def build() -> APIRouter:
    router = APIRouter(tags=["pings"], include_in_schema=False)
    methods = ["GET", "POST"]
    base = "/ping/{check}/{secret}"
    router.add_api_route(base, success, methods=methods)
    router.add_api_route(base + "/start", start, methods=methods)
    router.add_api_route(base + "/fail", fail, methods=methods)
    router.add_api_route(base + "/{code}", exit_code, methods=methods)
    return router
