"""Following an nginx JSON access log: new complete lines only, across rotation and restarts.

A ``Position`` (inode, byte offset, hash of the first line) says how far a log was read; the
caller stores it with the minutes read, in one transaction, so a restart neither loses nor
re-counts a line. Rotation is noticed when the file at the path is no longer the one read
(another inode: renamed; shorter than the offset or another first line: copied and truncated);
the rest of the old file is then read from the rotated copy beside it (found by inode, else by
its first line) before the new file is read from its start. A partial last line waits for its
newline; a line that is not JSON, or lacks a field, is counted as bad and skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from golive.records import Histogram, RequestMinute
from golive.records.histogram import log_index

# Our names for the fields of the reference's ``log_format golive`` (users may map their own).
FIELDS = ("time", "method", "uri", "status", "request_time", "upstream_addr")
CHUNK = 4 * 1024 * 1024
MAX_READ = 64 * 1024 * 1024  # per call: a large backlog is read over several ticks
COMPRESSED = (".gz", ".bz2", ".xz", ".zst")


@dataclass(frozen=True)
class Position:
    inode: int
    offset: int
    head: str = ""  # sha256 (16 hex) of the first line; "" while the file has none


@dataclass
class Batch:
    """What one read gave: per-minute records and counts, and where to go on from."""

    position: Position | None
    minutes: list[RequestMinute] = field(default_factory=list)
    lines: int = 0
    bad_lines: int = 0
    newest: datetime | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # rotations seen, for the log


class Parser:
    """Aggregates lines into per-minute, per-label-set records (``add`` then ``records``)."""

    def __init__(self, source: str, names: Mapping[str, str] | None = None) -> None:
        self.source = source
        mapped = {**{f: f for f in FIELDS}, **(names or {})}
        self._keys = tuple(mapped[f] for f in FIELDS)
        self._counts: dict[tuple[object, ...], int] = {}
        self._minutes: dict[str, datetime | None] = {}
        self.lines = 0
        self.bad_lines = 0

    def add(self, data: bytes) -> None:
        """Complete lines (the last newline may be missing: ``data`` ends at a line's end)."""
        t, m, u, s, rt, up = self._keys
        counts = self._counts
        loads = orjson.loads  # ~6x json.loads: parsing is most of the cost of a line
        bad = 0
        lines = data.split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        for raw in lines:
            try:
                obj = loads(raw)
                stamp = obj[t]
                key = (stamp[:16] + stamp[19:], obj[m], obj[u], obj[s], obj[up], obj[rt])
            except (ValueError, KeyError, TypeError, IndexError):
                bad += 1
                continue
            counts[key] = counts.get(key, 0) + 1
        self.lines += len(lines)
        self.bad_lines += bad

    def records(self) -> tuple[list[RequestMinute], datetime | None]:
        """The records of what was added, and the newest minute seen; resets the parser."""
        grouped: dict[tuple[datetime, str, str, int, str], dict[float, int]] = {}
        times: dict[object, float | None] = {}
        newest: datetime | None = None
        for (stamp, method, uri, status, upstream, latency), count in self._counts.items():
            minute = self._minute(str(stamp))
            code = _int(status)
            seconds = times.get(latency, -1.0)
            if seconds == -1.0:
                seconds = times[latency] = _float(latency)
            if minute is None or code is None or seconds is None:
                self.bad_lines += count
                continue
            newest = minute if newest is None or minute > newest else newest
            group = (minute, str(method), str(uri), code, str(upstream or ""))
            histogram = grouped.get(group)
            if histogram is None:
                histogram = grouped[group] = {}
            index = log_index(round(seconds * 1_000_000))
            histogram[index] = histogram.get(index, 0) + count
        self._counts.clear()
        records = []
        for (minute, method, uri, code, upstream), counts in grouped.items():
            total = sum(counts.values())
            labels = {"method": method, "route": uri, "status": str(code), "upstream": upstream}
            errors = total if code >= 500 else 0
            records.append(
                RequestMinute(self.source, minute, labels, total, errors, Histogram("log", counts))
            )
        return records, newest

    def _minute(self, stamp: str) -> datetime | None:
        if stamp not in self._minutes:
            try:
                parsed = datetime.fromisoformat(stamp)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            self._minutes[stamp] = parsed.astimezone(UTC) if parsed is not None else None
        return self._minutes[stamp]


def read_new(path: Path, position: Position | None, parser: Parser) -> Batch:
    """Read what ``path`` gained since ``position`` into ``parser``; never raises for the log
    itself (a missing or unreadable file is the batch's ``error``)."""
    batch = Batch(position)
    try:
        stat = path.stat()
    except FileNotFoundError:
        if position is not None:
            old = _rotated(path, position)
            if old is not None:  # renamed, not recreated yet: finish the old file
                batch.position = _read(old, position, parser, batch)
                batch.notes.append(f"{path} was rotated to {old.name}; waiting for a new file")
        batch.error = f"{path}: no such file"
        return _finish(batch, parser)
    except OSError as exc:
        batch.error = f"{path}: {exc.strerror or exc}"
        return _finish(batch, parser)
    try:
        head = _head(path)
        if position is None:
            position = Position(stat.st_ino, 0, head)
        elif not _same(position, stat.st_ino, stat.st_size, head):
            old = _rotated(path, position)
            if old is not None:
                _read(old, position, parser, batch)
                batch.notes.append(f"{path} was rotated ({old.name}); read the rest of it")
            else:
                batch.notes.append(f"{path} was replaced; the old file's rest is not found")
            position = Position(stat.st_ino, 0, head)
        batch.position = _read(path, position, parser, batch)
    except OSError as exc:
        batch.error = f"{path}: {exc.strerror or exc}"
    return _finish(batch, parser)


def _finish(batch: Batch, parser: Parser) -> Batch:
    batch.minutes, batch.newest = parser.records()
    batch.lines, batch.bad_lines = parser.lines, parser.bad_lines
    parser.lines = parser.bad_lines = 0
    return batch


def _same(position: Position, inode: int, size: int, head: str) -> bool:
    if inode != position.inode or size < position.offset:
        return False
    return not position.head or not head or head == position.head


def _read(path: Path, position: Position, parser: Parser, batch: Batch) -> Position:
    """Complete lines from ``position.offset`` on (at most ``MAX_READ`` bytes)."""
    offset = position.offset
    head = position.head
    with path.open("rb") as handle:
        handle.seek(offset)
        left = MAX_READ
        carry = b""
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            data = carry + chunk
            end = data.rfind(b"\n")
            if end < 0:
                carry = data
                continue
            parser.add(data[: end + 1])
            offset += end + 1
            carry = data[end + 1 :]
    if not head:
        head = _head(path)
    return Position(path.stat().st_ino, offset, head)


def _head(path: Path) -> str:
    """The hash of the file's first complete line ("" when it has none yet)."""
    with path.open("rb") as handle:
        first = handle.readline(65536)
    if not first.endswith(b"\n"):
        return ""
    return hashlib.sha256(first).hexdigest()[:16]


def _rotated(path: Path, position: Position) -> Path | None:
    """The rotated copy of the file read up to ``position``: a sibling named after ``path``
    with the same inode (renamed), else the same first line and room for the offset (copied)."""
    siblings = [
        p
        for p in path.parent.glob(path.name + "*")
        if p != path and not p.name.endswith(COMPRESSED) and p.is_file()
    ]
    for sibling in siblings:
        if sibling.stat().st_ino == position.inode:
            return sibling
    if position.head:
        for sibling in siblings:
            if sibling.stat().st_size >= position.offset and _head(sibling) == position.head:
                return sibling
    return None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return None


def _float(value: object) -> float | None:
    """nginx writes ``0.003``; ``-`` or ``""`` (no value) is not a latency."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
