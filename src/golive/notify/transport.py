"""The network side of delivery: one sender per kind of channel, and what a failure means.

``Transport`` is the interface (tests of pure logic may swap it); ``ChannelTransport`` picks a
sender by the URL's scheme: webhooks (``json://``, ``form://``, ``xml://`` and their ``s``
forms) and mail (``mailto://``, ``mailtos://``) are sent by golive itself, so the answer's HTTP
status or SMTP reply code says whether trying again can help; every other scheme goes through
Apprise, whose ``notify`` only says yes or no: a no is retried.

Apprise parses every URL (its syntax stays the user's contract) and is used as a library only:
golive leaves its logger as the application configured it.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import apprise

from golive.exceptions import GoliveError

DEDUP_HEADER = "X-Golive-Dedup-Key"
REASON_LIMIT = 500


class DeliveryError(GoliveError):
    """A send failed; ``permanent`` says whether trying again can help."""

    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What is sent: the stored title and body, Apprise's notify type, and the dedup key."""

    title: str
    body: str
    notify_type: str  # info | success | warning | failure
    dedup_key: str


class Transport(Protocol):
    """Sends one message to one channel URL."""

    async def send(self, url: str, message: Outgoing, *, seconds: float) -> None:
        """Return when delivered; raise ``DeliveryError`` otherwise."""
        ...

    def problem(self, url: str) -> str | None:
        """Why ``url`` cannot be used, or None when it can."""
        ...


class Sender(Protocol):
    """One kind of channel: sends a message to a URL Apprise has parsed into ``plugin``."""

    async def send(self, plugin: Any, message: Outgoing, *, seconds: float) -> None: ...


def http_failure(status: int, said: str) -> DeliveryError:
    """An HTTP answer other than 2xx: 5xx, 408 and 429 are worth retrying, any other is final
    (the receiver understood the request and refused it; sending it again gets the same)."""
    retry = status >= 500 or status in (408, 429)
    return DeliveryError(clip(f"HTTP {status} {said}".strip()), permanent=not retry)


def smtp_failure(code: int, said: str) -> DeliveryError:
    """An SMTP reply: 4xx is transient (RFC 5321 §4.2.1: try again later), 5xx is final."""
    what = "authentication refused" if code in (530, 534, 535) else "refused"
    return DeliveryError(clip(f"SMTP {code} {what}: {said}"), permanent=code >= 500)


def no_answer(seconds: float, said: str = "") -> DeliveryError:
    return DeliveryError(clip(f"no answer within {seconds:g}s{': ' + said if said else ''}"), False)


class ChannelTransport:
    """Delivery by scheme (see the module docstring). ``redact`` masks secrets in reasons."""

    def __init__(
        self,
        redact: Callable[[str], str] = lambda text: text,
        senders: Mapping[str, Sender] | None = None,
    ) -> None:
        self._redact = redact
        self._senders = dict(senders) if senders is not None else default_senders()
        self._fallback = AppriseSender()

    def problem(self, url: str) -> str | None:
        try:
            load(url)
        except DeliveryError as exc:
            return self._redact(exc.reason)
        return None

    async def send(self, url: str, message: Outgoing, *, seconds: float) -> None:
        try:
            plugin = await asyncio.to_thread(load, url)
            sender = self._senders.get(scheme_of(url), self._fallback)
            await sender.send(plugin, message, seconds=seconds)
        except DeliveryError as exc:
            raise DeliveryError(self._redact(exc.reason), exc.permanent) from None


def default_senders() -> dict[str, Sender]:
    """The channels golive sends itself, by scheme."""
    from golive.notify.smtp import SmtpSender
    from golive.notify.webhook import WebhookSender

    webhook, mail = WebhookSender(), SmtpSender()
    schemes: dict[str, Sender] = {s: webhook for s in ("json", "form", "xml")}
    schemes |= {f"{s}s": webhook for s in ("json", "form", "xml")}
    return schemes | {"mailto": mail, "mailtos": mail}


class AppriseSender:
    """The long tail of channels, through Apprise in a worker thread. Its answer is a yes or a
    no without a status, so a no is retried (and gives up after the outbox's 24 hours)."""

    async def send(self, plugin: Any, message: Outgoing, *, seconds: float) -> None:
        await asyncio.to_thread(self._send, plugin, message, seconds)

    @staticmethod
    def _send(plugin: Any, message: Outgoing, timeout: float) -> None:
        sender = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
        sender.add(plugin)
        try:
            result = sender.notify(
                body=message.body,
                title=message.title,
                notify_type=apprise.NotifyType(message.notify_type),
                body_format=apprise.NotifyFormat.TEXT,
                timeout=timeout,
            )
        except Exception as exc:  # a plugin bug must not end the deliverer
            reason = f"Apprise raised {type(exc).__name__}: {exc}"
            raise DeliveryError(clip(reason), permanent=False) from exc
        if result:
            return
        said = "; ".join(dict.fromkeys(entry.message.strip() for entry in result.logs()))
        said = said or "the channel did not accept the message (no reason given)"
        if result.status == apprise.AppriseResultStatus.TIMEOUT:
            raise no_answer(timeout, said)
        raise DeliveryError(clip(said), permanent=False)


def scheme_of(url: str) -> str:
    return url.partition("://")[0].lower()


_loaded_lock = threading.Lock()
_plugins_loaded = False


def load(url: str) -> Any:
    """Apprise's plugin object for ``url``; a URL it cannot use is a permanent failure."""
    global _plugins_loaded
    with _loaded_lock:
        if not _plugins_loaded:  # loading every plugin once; some import deprecated modules
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                apprise.Apprise.instantiate("json://localhost")
            _plugins_loaded = True
    problem = ""
    try:
        plugin = apprise.Apprise.instantiate(
            url, asset=apprise.AppriseAsset(storage_mode="memory"), suppress_exceptions=False
        )
    except Exception as exc:  # Apprise says what is wrong in the exception it raises
        plugin, problem = None, str(exc)
    if plugin is not None:
        return plugin
    scheme = scheme_of(url)
    if not problem and scheme and not _known_scheme(scheme):
        problem = f"unsupported scheme {scheme}://"
    reason = "Apprise cannot use this URL" + (f": {problem}" if problem else "")
    raise DeliveryError(clip(reason), permanent=True)


def _known_scheme(scheme: str) -> bool:
    from apprise.plugins import N_MGR

    return scheme in N_MGR


def clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"
