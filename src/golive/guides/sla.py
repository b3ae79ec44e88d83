"""SLA targets: rows naming an endpoint class and a latency target at a percentile.

From tables: a table with a column headed by a percentile ("Target (p95)") or a target/latency/
response-time column, whose rows hold a time ("200ms", "< 2 seconds"); the first column names the
class. From lists: "List endpoints: < 200ms p95" items where the label, the heading above or the
item they are nested in speaks of response time, latency, SLA, endpoints or the API.
A row without a percentile, or with an average, is found but not usable (golive's SLA is per
percentile). The error-rate target is the first "error rate … < 0.1%" line that is not an alert;
the uptime target the first "99.9% uptime" / "Uptime: 99.9% availability" line that is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from golive.guides.markdown import Block, Item, Path, Table
from golive.guides.model import SlaRow
from golive.guides.text import duration, plain, seconds, short_heading, slug

_PERCENTILE = re.compile(r"\bp(50|90|95|99)\b|\b(50|90|95|99)(?:th)?[- ]percentile\b", re.I)
_TIME = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(ms|milliseconds?|seconds?|secs?|s)(?![a-z])", re.I
)
_AVERAGE = re.compile(r"\b(average|avg|mean)\b", re.I)
_TARGET_HEADER = re.compile(r"target|sla|latency|response|p\d\d|percentile", re.I)
_LIST_ROW = re.compile(r"^(?P<label>[^:<>]{1,60}?):\s*<\s*(?P<rest>.+)$")
_CONTEXT = re.compile(r"response|latency|\bsla|endpoint|\bapi\b", re.I)
_FILLER = {"endpoint", "endpoints", "load", "loads", "request", "requests", "type", "calls", "call"}
_ERROR_RATE = re.compile(
    r"error[ _-]?rate[^<>\n]*?<\s*(\d+(?:\.\d+)?)\s*%|<\s*(\d+(?:\.\d+)?)\s*%\s*error[ _-]?rate",
    re.I,
)
_UPTIME = re.compile(
    r"(\d{2}(?:\.\d+)?)\s*%\s*(?:monthly\s+|annual\s+|yearly\s+)?(?:uptime|availability)\b"
    r"|\b(?:uptime|availability)\b[^%\n]{0,30}?(\d{2}(?:\.\d+)?)\s*%",
    re.I,
)


def class_name(label: str) -> str:
    """ "List endpoints" → "list", "Dashboard Load" → "dashboard", "API Endpoints" → "api"."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    kept = [w for w in words if w not in _FILLER]
    return slug(" ".join(kept or words[:1]), "default")


def sla_rows(blocks: Iterable[Block]) -> list[SlaRow]:
    rows: list[SlaRow] = []
    context: dict[int, str] = {}  # item line → the text of the item it is nested in
    for block in blocks:
        if isinstance(block, Table):
            rows.extend(_table(block))
        elif isinstance(block, Item):
            for child in block.children:
                context[child.line] = plain(block.text)
            row = _list_row(block, context.get(block.line, ""))
            if row is not None:
                rows.append(row)
    return rows


def _target(text: str) -> str | None:
    match = _TIME.search(text)
    return duration(seconds(float(match.group(1)), match.group(2))) if match else None


def _percentile(*texts: str) -> str | None:
    for text in texts:
        match = _PERCENTILE.search(text)
        if match:
            return f"p{match.group(1) or match.group(2)}"
    return None


def _row(line: int, label: str, cell: str, header: str, source: str) -> SlaRow:
    target = _target(cell)
    percentile = _percentile(header, cell)
    reason = ""
    if _AVERAGE.search(cell) or _AVERAGE.search(header):
        reason = "an average, not a percentile; golive's SLA is per percentile (p95, p99)"
    elif percentile is None:
        reason = "no percentile stated; golive's SLA is per percentile (p95, p99)"
    return SlaRow(line, label, class_name(label), percentile, target, source, reason)


def _table(table: Table) -> list[SlaRow]:
    columns = [i for i, h in enumerate(table.header) if i and _PERCENTILE.search(h)]
    columns = columns or [i for i, h in enumerate(table.header) if i and _TARGET_HEADER.search(h)]
    if not columns:
        return []
    column = columns[0]
    rows = []
    for line, cells in table.rows:
        if len(cells) > column and cells[0] and _target(cells[column]):
            rows.append(_row(line, cells[0], cells[column], table.header[column], "table"))
    return rows


def _list_row(item: Item, parent: str) -> SlaRow | None:
    match = _LIST_ROW.match(plain(item.text))
    if not match or _target(match.group("rest")) is None:
        return None
    label = match.group("label").strip()
    heading = short_heading(item.path[-1].text) if item.path else ""
    if not _CONTEXT.search(" ".join((label, heading, parent))):
        return None
    return _row(item.line, label, match.group("rest"), "", "list")


_USERS = re.compile(
    r"concurrent[ _-]?users?\W{0,6}?(\d[\d,]*)\+?|(\d[\d,]*)\+?\s+concurrent[ _-]?users?", re.I
)


def concurrent_users(lines: Iterable[tuple[int, str, Path]]) -> tuple[int, int] | None:
    """The first "Concurrent Users: 1,000+" target of the guide, as (line, 1000)."""
    for line, text, _ in lines:
        match = _USERS.search(text)
        if match:
            return line, int((match.group(1) or match.group(2)).replace(",", ""))
    return None


def error_rate(lines: Iterable[tuple[int, str, Path]]) -> tuple[int, str] | None:
    """The first "error rate < N%" target of the guide, as (line, "N%")."""
    for line, text, _ in lines:
        match = _ERROR_RATE.search(text)
        if match and "alert" not in text.lower():
            return line, f"{match.group(1) or match.group(2)}%"
    return None


def uptime(lines: Iterable[tuple[int, str, Path]]) -> tuple[int, str] | None:
    """The first "99.9% uptime" target of the guide, as (line, "99.9%")."""
    for line, text, _ in lines:
        match = _UPTIME.search(text)
        if match and "alert" not in text.lower():
            return line, f"{match.group(1) or match.group(2)}%"
    return None
