"""A local webhook receiver for the benchmarks: aiohttp on 127.0.0.1 in a thread of its own.

Every POST to ``/<name>`` is recorded with its arrival time (``time.monotonic()`` and wall
clock), path and body; the benchmark reads ``messages(name, since)`` from its own thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Message:
    name: str
    arrived: float  # time.monotonic()
    wall: float  # time.time()
    body: str

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class WebhookReceiver:
    """``with WebhookReceiver() as hook: hook.port ... hook.messages("golive", since=t)``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._messages: list[Message] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def __enter__(self) -> WebhookReceiver:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._serve, name="webhook", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("webhook receiver did not start")
        if self._error is not None:
            raise RuntimeError(f"webhook receiver failed: {self._error!r}")

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)

    def _serve(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            app = web.Application()
            app.router.add_post("/{name}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, 0))
            self.port = sock.getsockname()[1]
            loop.run_until_complete(web.SockSite(self._runner, sock).start())
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

    async def _handle(self, request: web.Request) -> web.Response:
        arrived, wall = time.monotonic(), time.time()
        body = await request.text()
        with self._lock:
            self._messages.append(Message(request.match_info["name"], arrived, wall, body))
        return web.json_response({"ok": True})

    # -- reading --------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return f"http://{self.host}:{self.port}/{name}"

    def messages(self, name: str | None = None, since: float = 0.0) -> list[Message]:
        with self._lock:
            return [
                m for m in self._messages if (name is None or m.name == name) and m.arrived >= since
            ]
