"""Small text helpers: Markdown inline → plain words, names, durations and cadences."""

from __future__ import annotations

import re
import unicodedata

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"\s+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown's backslash escapes: "1\\." → "1."
# Marks that say "done" or "to do" at the start of a line: ✅ ☐ ☑ ✔ ✓ ⬜ ✗ ❌ (and their variants).
MARKS = "✅☐☑✔✓⬜✗❌"
_NUMBERING = re.compile(
    r"^(?:(?:step|phase|stage|part)\s+\d+(?:\.\d+)*\s*[:.)-]?|\d+(?:\.\d+)*[.)]?)\s+", re.I
)
_PARENS = re.compile(r"\s*\([^)]*\)")
_STATUS = re.compile(r"\b(?:IN PROGRESS|PLANNED|DONE|COMPLETE|TODO|WIP)\b\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def plain(markdown: str) -> str:
    """Inline Markdown as plain words: links keep their text; emphasis, code marks, tags, emoji
    and other symbols go; backslash escapes keep the character they escape; whitespace collapses."""
    escaped: list[str] = []

    def hold(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\x00{len(escaped) - 1}\x00"

    text = _LINK.sub(r"\1", _ESCAPE.sub(hold, markdown))
    text = _TAG.sub("", _EMPHASIS.sub("", text))
    kept = "".join(
        ch
        for ch in text
        if ch.isascii()
        or (
            unicodedata.category(ch) not in ("So", "Sk", "Cs", "Co", "Cn")
            and ch not in "\ufe0f\u200d"
        )
    )
    kept = re.sub("\x00(\\d+)\x00", lambda m: escaped[int(m.group(1))], kept)
    return _SPACES.sub(" ", kept).strip()


def short_heading(heading: str) -> str:
    """A heading without its numbering, parentheses or status words: "Phase 1: Pre-Deployment
    Validation ✅" → "Pre-Deployment Validation"."""
    text = _PARENS.sub("", plain(heading))
    text = _STATUS.sub("", _NUMBERING.sub("", text)).strip(" :-")
    return text or plain(heading)


def slug(text: str, fallback: str = "item") -> str:
    """A golive name (lowercase ``[a-z0-9-]``): "/api/health" → "api-health"."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) or fallback


def seconds(value: float, unit: str) -> float:
    """``value`` in ``unit`` (ms, s, sec, seconds, minutes, hours, days) as seconds."""
    unit = unit.lower()
    key = "ms" if unit.startswith("ms") or unit.startswith("milli") else unit[0]
    return value * _UNIT_SECONDS[key]


def duration(total_seconds: float) -> str:
    """Seconds as a golive duration: 0.2 → "200ms", 2 → "2s", 900 → "15m", 14400 → "4h"."""
    if total_seconds < 1 or total_seconds != int(total_seconds):
        return f"{round(total_seconds * 1000)}ms"
    whole = int(total_seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


CADENCES = {"daily": "1d", "weekly": "7d", "monthly": "30d", "quarterly": "90d", "yearly": "365d"}
_CADENCE = re.compile(r"\b(daily|weekly|monthly|quarterly|yearly|annual(?:ly)?)\b", re.I)


def cadence(text: str) -> str | None:
    """The period a recurring task names ("Weekly: review..." → "7d"), or None."""
    match = _CADENCE.search(text)
    if not match:
        return None
    word = match.group(1).lower()
    return CADENCES["yearly" if word.startswith("annual") else word]
