"""Channels: their URLs are secrets (redaction), checking them at startup, test messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import parse_qsl, unquote

from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.exceptions import UsageError
from golive.notify.compose import Context, test_message
from golive.notify.items import dedup_key, enqueue
from golive.notify.transport import ChannelTransport
from golive.store import outbox
from golive.store.store import Store


def channel_redactor(config: ConfigBase, secrets: Secrets) -> Callable[[str], str]:
    """Redaction by ``secrets`` and of every channel URL (channel URLs are secrets, whether or
    not they came from the environment): the whole URL, its password, and the pieces of it that
    look like tokens on their own (many Apprise URLs are ``scheme://TOKEN/TOKEN``)."""
    extra = Secrets()
    for url in channel_urls(config).values():
        extra.add(url)
        rest = url.partition("://")[2]
        netloc, _, tail = rest.partition("/")
        path, _, query = tail.partition("?")
        pieces = [*re.split(r"[@:]", netloc), *path.split("/")]
        for piece in [*pieces, *(value for _, value in parse_qsl(query))]:
            if _token_like(unquote(piece)):
                extra.add(unquote(piece))

    def redact(text: str) -> str:
        return extra.redact(secrets.redact(text))

    return redact


def channel_urls(config: ConfigBase) -> dict[str, str]:
    """Where each outbox channel goes: the notify channels by name, and each on-call person's
    notify URLs as ``person:NAME#INDEX`` (the pages of an escalation)."""
    urls = {channel.name: channel.url for channel in config.notify.channels}
    for person in config.oncall.people:
        for index, url in enumerate(person.notify):
            urls[person_channel(person.name, index)] = url
    return urls


def person_channel(person: str, index: int) -> str:
    """The outbox channel of a person's ``index``-th notify URL."""
    return f"person:{person}#{index}"


def _token_like(piece: str) -> bool:
    """No dots (not a host name) and long, or of letters and digits mixed."""
    if "." in piece or len(piece) < 6:
        return False
    mixed = any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)
    return len(piece) >= 16 or mixed


def check_channels(config: ConfigBase, secrets: Secrets) -> list[str]:
    """One line per channel whose URL Apprise cannot use (``golive serve`` refuses to start)."""
    redact = channel_redactor(config, secrets)
    checker = ChannelTransport(redact)
    problems = []
    for name, url in channel_urls(config).items():
        problem = checker.problem(url)
        if problem is not None:
            problems.append(f"channel {name}: {redact(problem)}")
    return problems


def send_test(
    store: Store, config: ConfigBase, channel_names: Sequence[str], now: datetime
) -> dict[str, int]:
    """Queue a test message to each named channel (every channel when none is named) through the
    outbox; return the outbox row id per channel, to follow its delivery."""
    known = [channel.name for channel in config.notify.channels]
    names = list(dict.fromkeys(channel_names)) or known
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(
            f"no channel called {', '.join(unknown)} (channels: {', '.join(known) or 'none'})"
        )
    key = dedup_key("test", now.isoformat())
    context = Context(now)
    with store.writing("queue test notifications") as connection:
        for name in names:  # each channel's message names it
            message = test_message(name, context)
            enqueue(connection, message, [name], kind="test", key=key, group_key="test", now=now)
        written = outbox.ids_by_channel(connection, key)
    return {name: written[name] for name in names}
