"""The network side of delivery: Apprise, and what its failures mean.

``Transport`` is the interface (tests of pure logic may swap it); ``AppriseTransport`` sends
through Apprise in the calling (worker) thread. Apprise returns an ``AppriseResult`` whose
per-service log entries (captured per call, so concurrent sends do not mix) are translated into
``DeliveryError(reason, permanent)``:

- permanent: a URL Apprise cannot use (unknown scheme, missing token, bad address), HTTP 4xx
  other than 408 and 429, SMTP 5xx (authentication refused, mailbox unknown), a server that
  lacks the AUTH or STARTTLS the URL asks for;
- transient, retried with backoff: HTTP 5xx, 408, 429, connection refused or reset, timeouts,
  SMTP 4xx, anything not recognised.

JSON, form and XML webhooks get the outbox row's dedup key as an ``X-Golive-Dedup-Key`` header
(Apprise's ``+Header=value`` URL parameter), so receivers can drop a repeat delivery.

Apprise logs through the ``apprise`` logger. golive takes it over on first use: it logs at DEBUG
(the SMTP reply code is only logged there) into the per-call capture and does not propagate, so
Apprise's chatter stays out of the application's logs; golive logs its own line per delivery
instead. And because a handler can still be attached to it directly (pytest does, so may a
logging config), every record Apprise or urllib3 writes during a golive send or URL check is
redacted in place first: channel addresses never reach any log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import apprise

from golive.exceptions import GoliveError

DEDUP_HEADER = "X-Golive-Dedup-Key"
HEADER_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
REASON_LIMIT = 500

_HTTP_STATUS = re.compile(r"error=(\d{3})\b")
_SMTP_REPLY = re.compile(r"\((\d{3}), b?['\"]([^'\"]*)|refused: (\d{3})")
_MISSING_FEATURE = re.compile(r"(AUTH|STARTTLS) extension not supported", re.IGNORECASE)
_NOISE = re.compile(r"^(Could not load|Unparseable URL|Applying |Loaded |Language |The C)")


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
    """Sends one message to one channel URL; blocking (the deliverer runs it in a thread)."""

    def send(self, url: str, message: Outgoing, *, timeout: float) -> None:
        """Return when delivered; raise ``DeliveryError`` otherwise."""
        ...

    def problem(self, url: str) -> str | None:
        """Why ``url`` cannot be used, or None when it can."""
        ...


class AppriseTransport:
    """Delivery through Apprise. ``redact`` masks secrets in every reason it gives."""

    def __init__(self, redact: Callable[[str], str] = lambda text: text) -> None:
        self._redact = redact

    def problem(self, url: str) -> str | None:
        with _redacting(self._redact):
            loaded, problem = _load(url)
        return None if loaded is not None else self._redact(problem)

    def send(self, url: str, message: Outgoing, *, timeout: float) -> None:
        with _redacting(self._redact):
            self._send(url, message, timeout)

    def _send(self, url: str, message: Outgoing, timeout: float) -> None:
        loaded, problem = _load(with_dedup_header(url, message.dedup_key))
        if loaded is None:
            raise DeliveryError(self._redact(problem), permanent=True)
        try:
            result = loaded.notify(
                body=message.body,
                title=message.title,
                notify_type=apprise.NotifyType(message.notify_type),
                body_format=apprise.NotifyFormat.TEXT,
                timeout=timeout,
                log_level=logging.DEBUG,
            )
        except Exception as exc:  # a plugin bug must not end the deliverer
            reason = f"Apprise raised {type(exc).__name__}: {exc}"
            raise DeliveryError(self._redact(_clip(reason)), permanent=False) from exc
        if result:
            return
        entries = [(entry.level, entry.message) for service in result for entry in service.logs()]
        entries += [(entry.level, entry.message) for entry in result.call_logs()]
        timed_out = result.status == apprise.AppriseResultStatus.TIMEOUT
        error = classify(entries, timed_out=timed_out, timeout=timeout)
        raise DeliveryError(self._redact(error.reason), error.permanent)


def with_dedup_header(url: str, key: str) -> str:
    """``url`` with the dedup-key header added, for the webhook schemes that take headers."""
    if url.partition("://")[0].lower() not in HEADER_SCHEMES:
        return url
    base, hash_, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}+{DEDUP_HEADER}={key}{hash_}{fragment}"


def classify(
    entries: Iterable[tuple[str, str]], *, timed_out: bool = False, timeout: float = 0
) -> DeliveryError:
    """The ``DeliveryError`` a failed Apprise send amounts to, from its log entries."""
    lines = [
        message.strip()
        for level, message in entries
        if level in ("WARNING", "ERROR", "CRITICAL", "DEPRECATION WARNING")
        or message.startswith("Socket Exception")
    ]
    lines = list(dict.fromkeys(line for line in lines if line and not _NOISE.match(line)))
    said = "; ".join(lines) or "the channel did not accept the message (no reason given)"
    if timed_out:
        return DeliveryError(_clip(f"no answer within {timeout:g}s: {said}"), permanent=False)
    text = "\n".join(lines)
    if status := _HTTP_STATUS.search(text):
        code = int(status.group(1))
        permanent = 400 <= code < 500 and code not in (408, 429)
        return DeliveryError(_clip(f"HTTP {code}: {said}"), permanent)
    if reply := _SMTP_REPLY.search(text):
        code = int(reply.group(1) or reply.group(3))
        what = "authentication refused" if code in (530, 534, 535) else "refused"
        return DeliveryError(_clip(f"SMTP {code} {what}: {said}"), permanent=code >= 500)
    if missing := _MISSING_FEATURE.search(text):
        reason = f"the mail server does not offer {missing.group(1).upper()}: {said}"
        return DeliveryError(_clip(reason), permanent=True)
    return DeliveryError(_clip(said), permanent=False)


# ---------------------------------------------------------------- Apprise setup


_captured: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "golive_apprise_messages", default=None
)
_redaction: contextvars.ContextVar[Callable[[str], str] | None] = contextvars.ContextVar(
    "golive_apprise_redaction", default=None
)
_setup_lock = threading.Lock()
_setup_done = False
_REDACTED_LOGGERS = ("apprise", "urllib3.connectionpool")


@contextmanager
def _redacting(redact: Callable[[str], str]) -> Iterator[None]:
    """Records logged in this context (and threads Apprise starts from it) are redacted."""
    token = _redaction.set(redact)
    try:
        yield
    finally:
        _redaction.reset(token)


class _Redact(logging.Filter):
    """A logger filter: rewrites a record's message redacted while a send is in progress."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact = _redaction.get()
        if redact is not None:
            try:
                record.msg, record.args = redact(record.getMessage()), None
            except Exception:
                record.msg, record.args = "(a log message that could not be redacted)", None
        return True


class _Collect(logging.Handler):
    """Keeps Apprise's warnings for the context that asked (``_load``), drops the rest."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = _captured.get()
        if sink is not None and record.levelno >= logging.WARNING:
            try:
                sink.append(record.getMessage())
            except Exception:
                self.handleError(record)


def _set_up() -> None:
    """Load Apprise's plugins once (quietly: some import deprecated modules) and take over its
    logger (see the module docstring)."""
    global _setup_done
    with _setup_lock:
        if _setup_done:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            apprise.Apprise.instantiate("json://localhost")  # loads every plugin module
        for name in _REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(_Redact())
        logger = logging.getLogger("apprise")
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.addHandler(_Collect())
        _setup_done = True


def _load(url: str) -> tuple[apprise.Apprise | None, str]:
    """An Apprise object for ``url``, or None and what Apprise said about it."""
    _set_up()
    said: list[str] = []
    token = _captured.set(said)
    try:
        sender = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
        loaded = sender.add(url)
    finally:
        _captured.reset(token)
    if loaded:
        return sender, ""
    scheme = url.partition("://")[0].lower()
    details = [line for line in dict.fromkeys(said) if not _NOISE.match(line)]
    if not details and scheme and not _known_scheme(scheme):
        details = [f"unsupported scheme {scheme}://"]
    reason = "Apprise cannot use this URL" + (f": {'; '.join(details)}" if details else "")
    return None, _clip(reason)


def _known_scheme(scheme: str) -> bool:
    from apprise.plugins import N_MGR

    return scheme in N_MGR


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 1] + "…"
