"""Real local receivers for notification tests.

``WebhookReceiver``: an aiohttp server on 127.0.0.1 that records every request (path, headers,
JSON body) and answers 200 unless told otherwise: ``answer(500, 400, "hang")`` scripts the next
answers, ``always(503)`` changes the default. ``SmtpReceiver``: an aiosmtpd server that records
every message, checks AUTH PLAIN credentials when a client offers them, can be told how to
reply to a command (``reply("RCPT", "550 5.1.1 no such user")``), and can be stopped (the mail
server is down) and started again on the same port.

Both run in threads of their own, so a test's event loop and the worker threads Apprise sends
from are free to talk to them.
"""

from __future__ import annotations

import asyncio
import base64
import email
import json
import threading
from collections import deque
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from devkit.ports import free_port

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the text when it is not JSON


class WebhookReceiver:
    """An HTTP webhook receiver (see the module docstring)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Request] = []
        self.default: int = 200
        self._answers: deque[int | str] = deque()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._release: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None

    def url(self, path: str = "/hook", scheme: str = "json") -> str:
        return f"{scheme}://{HOST}:{self.port}{path}"

    def answer(self, *answers: int | str) -> None:
        """The next requests get these answers in turn: a status code, or "hang"."""
        self._answers.extend(answers)

    def always(self, status: int) -> None:
        self.default = status

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, self.port).start()

    async def _stop(self) -> None:
        assert self._release is not None and self._runner is not None
        self._release.set()
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        text = await request.text()
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        self.requests.append(Request(request.path, dict(request.headers), body))
        answer = self._answers.popleft() if self._answers else self.default
        if answer == "hang":
            assert self._release is not None
            await self._release.wait()
            return web.Response(status=503)
        return web.json_response({"ok": answer == 200}, status=int(answer))


class _Mailbox:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_AUTH(
        self, server: SMTP, session: Session, envelope: Envelope, args: list[str]
    ) -> str:
        if args[0].upper() == "PLAIN" and len(args) == 2:
            _, user, password = base64.b64decode(args[1]).decode().split("\0")
            if (user, password) == (self.receiver.user, self.receiver.password):
                return "235 2.7.0 Authentication successful"
        return "535 5.7.8 Authentication credentials invalid"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if "RCPT" in self.receiver.replies:
            return self.receiver.replies["RCPT"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if "DATA" in self.receiver.replies:
            return self.receiver.replies["DATA"]
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self.receiver.messages.append(email.message_from_bytes(raw))
        return "250 OK"


class SmtpReceiver:
    """A local SMTP server (see the module docstring)."""

    def __init__(self, user: str = "golive", password: str = "mail-Pa55word") -> None:
        self.port = free_port()
        self.user = user
        self.password = password
        self.messages: list[Message] = []
        self.replies: dict[str, str] = {}  # command -> the reply it gets instead of a 250
        self._controller: Controller | None = None

    def url(self, to: str = "ops@example.com", *, password: str | None = None) -> str:
        secret = quote(password if password is not None else self.password, safe="")
        return f"mailto://{self.user}:{secret}@{HOST}:{self.port}?to={to}&from=golive@example.com"

    def reply(self, command: str, reply: str) -> None:
        """Answer ``command`` (RCPT or DATA) with ``reply`` from now on."""
        self.replies[command.upper()] = reply

    def start(self) -> None:
        self._controller = Controller(
            _Mailbox(self), hostname=HOST, port=self.port, auth_require_tls=False
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @staticmethod
    def text(message: Message) -> str:
        """The text/plain part of a received message."""
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("the message has no text/plain part")
