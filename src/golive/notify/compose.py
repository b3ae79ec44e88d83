"""Turning alerts into messages: a title and a plain-text, Markdown-friendly body.

Every alert says what failed, since when, each expectation with the values measured, the error,
the root cause when it is held back ("held because postgres is DOWN"), the checks it holds back
when it is a root cause, and links to its runbook and dashboard page. Everything passes through
``Context.redact`` last, so no secret leaves in a message.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from golive.records import AlertPayload

TITLE_LIMIT = 200
VALUE_LIMIT = 200
ItemState = Literal["firing", "resolved", "repeat"]
STATE_WORD: dict[ItemState, str] = {
    "firing": "FIRING",
    "resolved": "RESOLVED",
    "repeat": "STILL FIRING",
}
REASONS = {  # the alerts engine's ``reason`` codes, in words
    "unsilenced": "Told now: its silence or maintenance window ended",
    "uninhibited": "Told now: the root cause that held it back recovered",
    "removed": "Resolved because its check or rule is no longer in the config",
}


def _no_redaction(text: str) -> str:
    return text


@dataclass(frozen=True)
class Context:
    """What messages need besides the alerts: the time, where links point, and redaction."""

    now: datetime
    public_url: str | None = None
    base_dir: Path | None = None
    redact: Callable[[str], str] = field(default=_no_redaction)


@dataclass(frozen=True)
class Item:
    """One alert as a message shows it: its latest payload and what happened to it."""

    payload: AlertPayload
    state: ItemState
    since: datetime | None = None  # when it started firing
    ended: datetime | None = None  # when it resolved

    @property
    def name(self) -> str:
        return self.payload.name or self.payload.check or "alert"


@dataclass(frozen=True)
class Message:
    """A composed message; ``notify_type`` is Apprise's: info, success, warning or failure."""

    title: str
    body: str
    notify_type: str


def alert_message(items: Sequence[Item], context: Context, *, group: str = "") -> Message:
    """One message for a group of alerts (or a single alert, or a repeat)."""
    states = [item.state for item in items]
    counts = {s: states.count(s) for s in STATE_WORD if s in states}
    word = ", ".join(
        STATE_WORD[s] if len(counts) == 1 and len(items) == 1 else f"{STATE_WORD[s]} {n}"
        for s, n in counts.items()
    )
    if len(items) == 1:
        summary = items[0].payload.summary
        title = f"[{word}] {items[0].name}" + (f": {summary}" if summary else "")
    else:
        names = ", ".join(item.name for item in items)
        title = f"[{word}] {group + ': ' if group else ''}{names}"
    body = "\n\n".join(_alert_block(item, context) for item in items)
    kind = "failure" if "firing" in counts else "warning" if "repeat" in counts else "success"
    return _finish(title, body, kind, context)


def digest_message(
    items: Sequence[Item], context: Context, *, period: str, start: datetime, end: datetime
) -> Message:
    """A daily or weekly digest listing every alert of the period, one paragraph each."""
    zone = end.tzinfo or UTC
    firing = sum(item.state != "resolved" for item in items)
    title = f"{period.capitalize()} digest: {_count(len(items), 'alert')}, {firing} still firing"
    lines = [
        f"{period.capitalize()} digest, {_local(start, zone)} to {_local(end, zone)}",
        f"{_count(len(items), 'alert')}, {firing} still firing.",
    ]
    for item in items:
        lines.append("")
        lines.extend(_digest_lines(item, context, zone))
    return _finish(title, "\n".join(lines), "info", context)


def test_message(channel: str, context: Context) -> Message:
    """The message ``send_test`` puts through the outbox."""
    body = (
        f"This is a test notification from golive to channel {channel}, "
        f"queued {_when(context.now)}. If you can read it, the channel works."
    )
    return _finish(f"golive test notification ({channel})", body, "info", context)


# ---------------------------------------------------------------- pieces


def _alert_block(item: Item, context: Context) -> str:
    p = item.payload
    head = f"{STATE_WORD[item.state]}: {item.name}"
    where = [p.severity] + ([f"component {p.component}"] if p.component else [])
    lines = [head + f" ({', '.join(w for w in where if w)})"]
    if p.summary:
        lines.append(p.summary)
    # a resolved payload's `since` is when it resolved: only the episode's start will do
    since = item.since or (None if item.state == "resolved" else p.since)
    if item.state == "resolved":
        ended = item.ended or context.now
        if since:
            lines.append(
                f"Lasted {_duration(ended - since)}: firing since {_when(since)}, "
                f"resolved {_when(ended)}"
            )
        else:
            lines.append(f"Resolved {_when(ended)}")
        if p.reason:
            lines.append(_reason(p.reason))
    else:
        if since:
            lines.append(f"Since: {_when(since)} ({_duration(context.now - since)} ago)")
        lines.extend(_what_failed(p))
    lines.extend(_links(p, context))
    return "\n".join(lines)


def _what_failed(p: AlertPayload) -> list[str]:
    details = p.details
    lines = []
    if details.get("target"):
        lines.append(f"What failed: {details['target']}")
    for failed in details.get("failed") or []:
        if isinstance(failed, Mapping):
            got = _values(failed.get("values"))
            lines.append(f"- expected {failed.get('expect', '?')}, got {got or 'no value'}")
        else:
            lines.append(f"- {_short(failed)}")
    if not details.get("failed") and details.get("values"):
        lines.append(f"Measured: {_values(details['values'])}")
    if details.get("error"):
        lines.append(f"Error: {_short(details['error'])}")
    if p.reason:
        lines.append(_reason(p.reason))
    if p.inhibited_by:
        lines.append(f"Held because {p.inhibited_by} is DOWN")
    if p.affected:
        lines.append(f"Root cause of: {', '.join(p.affected)} (held back while this is down)")
    return lines


def _links(p: AlertPayload, context: Context) -> list[str]:
    lines = []
    if p.runbook:
        lines.append(f"Runbook: {runbook_link(p.runbook, context.base_dir)}")
    link = dashboard_link(p.check, context.public_url)
    if link:
        lines.append(f"Dashboard: {link}")
    return lines


def _digest_lines(item: Item, context: Context, zone: tzinfo) -> list[str]:
    p = item.payload
    since = item.since or (None if item.state == "resolved" else p.since)
    where = ", ".join(w for w in (p.severity, p.component or "") if w)
    head = f"- {item.name}" + (f" ({where})" if where else "")
    if since:
        head += f": fired {_local(since, zone)}"
    if item.state == "resolved" and item.ended:
        lasted = f" after {_duration(item.ended - since)}" if since else ""
        head += f", resolved {_local(item.ended, zone)}{lasted}"
    else:
        head += ", still firing"
    lines = [head]
    if p.summary:
        lines.append(f"  {p.summary}")
    lines.extend(f"  {line}" for line in _what_failed(p))
    lines.extend(f"  {line}" for line in _links(p, context))
    return lines


def runbook_link(runbook: str, base_dir: Path | None) -> str:
    """A URL as it is; a path as ``file://`` (relative ones against the config's folder)."""
    if "://" in runbook:
        return runbook
    path = Path(runbook).expanduser()
    if not path.is_absolute():
        if base_dir is None:
            return runbook
        path = base_dir / path
    return Path(os.path.normpath(path.absolute())).as_uri()


def dashboard_link(check: str | None, public_url: str | None) -> str | None:
    """``{public_url}/checks/{check}`` when both are known."""
    if not public_url or not check:
        return None
    return f"{public_url.rstrip('/')}/checks/{quote(str(check), safe='')}"


def _finish(title: str, body: str, kind: str, context: Context) -> Message:
    title = context.redact(" ".join(title.split()))
    if len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "…"
    return Message(title, context.redact(body), kind)


def _reason(reason: object) -> str:
    return REASONS.get(str(reason), f"Why: {_short(reason)}")


def _values(values: object) -> str:
    if isinstance(values, Mapping):
        return ", ".join(f"{k}={_short(v)}" for k, v in values.items())
    return "" if values is None else _short(values)


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _when(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _local(when: datetime, zone: tzinfo) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def _duration(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{seconds}s"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
