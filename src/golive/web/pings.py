"""The ping URLs of heartbeat checks: ``/ping/{check}/{secret}`` (a run ended well), ``/start``,
``/fail`` and ``/{exit_code}``, by POST (or GET, for the simplest cron line).

``PingMiddleware`` answers them before every other layer of the app: no login (the secret in
the path is the credential), no session, CSRF or audit line (which would log the secret with
the path), and no routing, so a ping costs a lookup, a hash and an append to the runtime's
``PingBook`` (the heartbeat loop judges the pings). An unknown check and a wrong secret get the
same 404. Each check has its own budget (``PER_CHECK``): a flood of one job's pings is refused
with 429 while the others' go on; a client IP whose pings were refused (404) ``REFUSED_PER_IP``
times waits (429) until the window ends, so secrets cannot be guessed quickly. Both budgets
live in the app's ``Budgets``, so web replicas that share theirs (Redis) share these too. A body
is kept as the run's log: its last ``LOG_BYTES`` bytes, secrets redacted. A ping the runtime's
book cannot keep (a web replica whose store is down) is answered 503: the job may retry.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from golive.exceptions import StoreError
from golive.records import Ping
from golive.web.ratelimit import Budgets, Decision, Rule
from golive.web.runtime import Runtime

PREFIX = "/ping/"
PER_CHECK = Rule(60, 10.0)  # pings per check: bursts of 60, 6 a second on average
REFUSED_PER_IP = Rule(100, 60.0)  # 404s per client IP; then every ping from it waits (429)
LOG_BYTES = 10_000
MAX_EXIT_CODE = 255
METHODS = frozenset({"GET", "POST"})
_HEADERS = [
    (b"content-type", b"text/plain; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]
_OK_BODY = b"OK"
_OK_HEADERS = [*_HEADERS, (b"content-length", str(len(_OK_BODY)).encode())]
_EXIT_CODES: dict[str, int | None] = {"": 0, "fail": None}  # and "start": no exit code


class PingMiddleware:
    """Answers ``/ping/...`` itself; hands every other request to ``app``."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, budgets: Budgets) -> None:
        self.app = app
        self.runtime = runtime
        self.budgets = budgets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        status, text, headers = await self._ping(scope, receive, path)
        if status == 200:  # the answer to nearly every ping: made once
            answer, body = _OK_HEADERS, _OK_BODY
        else:
            body = text.encode()
            answer = [*_HEADERS, *headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": answer})
        await send({"type": "http.response.body", "body": body})

    async def _ping(
        self, scope: Scope, receive: Receive, path: str
    ) -> tuple[int, str, list[tuple[bytes, bytes]]]:
        parts = path[len(PREFIX) :].split("/")
        if scope["method"] not in METHODS:
            return 405, "use POST (or GET)", [(b"allow", b"GET, POST")]
        if len(parts) not in (2, 3) or not all(parts):
            return 404, "not found", []
        check, secret, what = unquote(parts[0]), parts[1], parts[2] if len(parts) == 3 else ""
        client = scope.get("client") or ("", 0)
        refused_key = f"ping-refused:{client[0]}"
        guessing = await self.budgets.peek(refused_key, REFUSED_PER_IP)
        if not guessing.allowed:  # secrets are not guessed faster than the budget allows
            return 429, "too many refused pings", _headers(guessing)
        pings = self.runtime.pings
        if not pings.opens(check, secret):
            await self.budgets.hit(refused_key, REFUSED_PER_IP)
            return 404, "not found", []
        if what in ("", "start", "fail"):
            code = _EXIT_CODES.get(what)
        elif what.isdigit() and int(what) <= MAX_EXIT_CODE:
            code = int(what)
        else:
            return 404, "not found: add /start, /fail or /EXIT_CODE (0-255)", []
        decision = await self.budgets.hit(f"ping:{check}", PER_CHECK)
        if not decision.allowed:
            return 429, "too many pings", _headers(decision)
        now = self.runtime.clock.now()
        if what == "start":
            ping = Ping(check, "start", now)
        else:
            log = await self._log(receive)
            ping = Ping(check, "end", now, ok=code == 0, exit_code=code, log=log)
        try:
            await pings.keep(ping)
        except StoreError:
            return 503, "store unavailable, try again", [(b"retry-after", b"5")]
        return 200, "OK", []

    async def _log(self, receive: Receive) -> str | None:
        tail = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            tail = (tail + message.get("body", b""))[-LOG_BYTES:]
            if not message.get("more_body", False):
                break
        if not tail:
            return None
        return self.runtime.loaded.secrets.redact(tail.decode("utf-8", errors="replace"))


def _headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]
