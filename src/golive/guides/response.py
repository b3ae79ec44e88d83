"""Incident response in a guide → ``incidents:`` and ``oncall:`` skeletons.

Severity levels ("P1 - High | 15 minutes", "**Severity 2 (High)** … Response Time: < 15
minutes") become ``incidents.severities`` with ``respond_within``; an escalation matrix
("tier_1_to_tier_2: After 30 minutes", "Level 2: Senior Engineer") becomes an escalation policy
whose waits are the guide's; the people are placeholders to fill in. Each value carries the line
it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from golive.guides.text import duration, plain
from golive.guides.yamltext import Note

Line = tuple[int, str, Any]
ALERT_LEVELS = ("critical", "high", "medium", "low")
IMMEDIATE = "5m"  # what "immediate" becomes: golive needs a number

_LEVEL = re.compile(r"\b(P[0-4]|SEV[- ]?[0-5]|Severity[- ]?[0-5])\b", re.I)
_WORD = re.compile(r"\b(critical|high|medium|low)\b", re.I)
_TIME = re.compile(r"(\d+)\s*(minutes?|mins?|hours?|hrs?|days?)\b", re.I)
_RESPONSE = re.compile(r"respon|acknowledg|within|<|\|", re.I)
_TIER_HOP = re.compile(r"tier[_ ]?(\d)[_ ]?to[_ ]?tier[_ ]?(\d)\W+(?:after\s+)?(.*)", re.I)
_ESCALATE_AFTER = re.compile(r"escalat\w*\W+(?:automatic(?:ally)?\s+)?after\s+(.*)", re.I)
_LEVEL_STEP = re.compile(r"^\W*level\s+(\d)\s*:\s*(.+)$", re.I)
_ACK = re.compile(r"acknowledge\w*\s+(?:the\s+)?(?:alerts?|pages?)?\s*within\s+(.*)", re.I)
_ONCALL = re.compile(r"\bon[- ]call\b", re.I)
_ZONES = (
    (re.compile(r"\b(EST|EDT|Eastern)\b"), "America/New_York"),
    (re.compile(r"\b(CST|CDT|Central Time)\b"), "America/Chicago"),
    (re.compile(r"\b(PST|PDT|Pacific)\b"), "America/Los_Angeles"),
    (re.compile(r"\b(CET|CEST)\b"), "Europe/Berlin"),
    (re.compile(r"\b(GMT|BST)\b"), "Europe/London"),
)


@dataclass(frozen=True)
class Level:
    name: str  # "P1", "SEV2"
    alert: str  # the alert severity it maps from
    within: str | None  # a golive duration
    line: int
    text: str


@dataclass(frozen=True)
class Hop:
    step: int  # 1 is the on-call; 2, 3, … who is paged next
    who: str  # as the guide says it
    wait: str | None  # how long before the next step, when the guide says
    line: int
    text: str


@dataclass(frozen=True)
class ResponseHints:
    levels: tuple[Level, ...] = ()
    hops: tuple[Hop, ...] = ()
    oncall_line: int | None = None  # the first mention of on-call
    zone: tuple[int, str] | None = None  # (line, IANA zone) of the guide's stated time zone

    @property
    def found(self) -> bool:
        return bool(self.levels or self.hops or self.oncall_line)


def _wait(text: str) -> str | None:
    if re.search(r"\bimmediate", text, re.I):
        return IMMEDIATE
    match = _TIME.search(text)
    if not match:
        return None
    unit = match.group(2).lower()
    size = 86400 if unit.startswith("d") else 3600 if unit.startswith("h") else 60
    return duration(int(match.group(1)) * size)


def _name(token: str) -> str:
    digits = re.sub(r"\D", "", token)
    return f"P{digits}" if token.upper().startswith("P") else f"SEV{digits}"


def _levels(lines: list[Line]) -> list[Level]:
    found: dict[str, Level] = {}
    for index, (number, raw, _) in enumerate(lines):
        text = plain(raw)
        match = _LEVEL.search(text)
        if not match or (not _WORD.search(text) and "|" not in raw and "**" not in raw):
            continue
        name = _name(match.group(1))
        if name in found:
            continue
        word = _WORD.search(text)
        within = _wait(text) if _RESPONSE.search(raw) else None
        source = (number, text)
        for later, raw_later, _ in lines[index + 1 : index + 8]:
            if within or _LEVEL.search(plain(raw_later)):
                break
            if re.search(r"respon|acknowledg", raw_later, re.I):
                within, source = _wait(plain(raw_later)), (later, plain(raw_later))
        alert = word.group(1).lower() if word else ALERT_LEVELS[min(len(found), 3)]
        found[name] = Level(name, alert, within, source[0], source[1][:120])
    return list(found.values())


def _hops(lines: list[Line]) -> list[Hop]:
    tiers: dict[int, Hop] = {}
    levels: dict[int, Hop] = {}
    for number, raw, _ in lines:
        text = plain(raw).replace('"', "").strip().strip("',")
        hop = _TIER_HOP.search(text)
        if hop:
            start, end = int(hop.group(1)), int(hop.group(2))
            if start not in tiers or tiers[start].wait is None:
                tiers[start] = Hop(start, f"tier {start}", _wait(hop.group(3)), number, text)
            tiers.setdefault(end, Hop(end, f"tier {end}", None, number, text))
            continue
        level = _LEVEL_STEP.match(text)
        if level:
            step = int(level.group(1))
            levels.setdefault(step, Hop(step, level.group(2).strip(), None, number, text))
    if tiers:
        return [tiers[k] for k in sorted(tiers)]
    return [levels[k] for k in sorted(levels)]


def _first_wait(lines: list[Line]) -> tuple[int, str, str] | None:
    """ "escalation: Automatic after 15 minutes" or "Acknowledge alert within 15 minutes"."""
    for number, raw, _ in lines:
        text = plain(raw)
        match = _ESCALATE_AFTER.search(text) or _ACK.search(text)
        if match and (wait := _wait(match.group(1))):
            return number, wait, text.replace('"', "").strip()[:120]
    return None


def response_hints(lines: Iterable[Line]) -> ResponseHints:
    listed = list(lines)
    hops = _hops(listed)
    first = _first_wait(listed)
    if first and hops and hops[0].wait is None:
        number, wait, text = first
        hops[0] = Hop(hops[0].step, hops[0].who, wait, number, text)
    elif first and not hops:
        number, wait, text = first
        hops = [Hop(1, "on-call", wait, number, text)]
    oncall = next((n for n, raw, _ in listed if _ONCALL.search(raw)), None)
    zone = next(
        ((n, name) for n, raw, _ in listed for pattern, name in _ZONES if pattern.search(raw)),
        None,
    )
    return ResponseHints(tuple(_levels(listed)), tuple(hops), oncall, zone)


def response_sections(hints: ResponseHints) -> dict[str, Any]:
    """``oncall:`` and ``incidents:`` for the document, or nothing when the guide says nothing."""
    if not hints.found:
        return {}
    sections: dict[str, Any] = {"oncall": _oncall(hints)}
    if hints.levels:
        severities = {
            level.name: Note(
                {"from": level.alert, "respond_within": level.within or "1h"},
                f"line {level.line}: {level.text}"
                if level.within
                else f"line {level.line}: TODO the guide gives no response time",
            )
            for level in hints.levels
        }
        opening = [a for a in ALERT_LEVELS[:2] if any(v.alert == a for v in hints.levels)]
        sections["incidents"] = {
            "open_on": Note(opening or ["critical"], "the levels that page at once"),
            "severities": severities,
        }
    return sections


def _oncall(hints: ResponseHints) -> dict[str, Any]:
    people: list[Any] = [
        Note(
            {"name": f"oncall-{n}", "notify": [f"${{env:TODO_ONCALL_{n}_URL}}"]},
            "TODO: a real person and their Apprise URL",
        )
        for n in (1, 2)
    ]
    steps: list[Any] = []
    for hop in hints.hops or (Hop(1, "on-call", None, hints.oncall_line or 0, ""),):
        target = "schedule:primary"
        if hop.step > 1:
            person = f"level-{hop.step}" if not hop.who.lower().startswith("tier") else ""
            person = person or hop.who.lower().replace(" ", "-")
            people.append(
                Note(
                    {
                        "name": person,
                        "notify": [f"${{env:TODO_{person.upper().replace('-', '_')}_URL}}"],
                    },
                    f"line {hop.line}: {hop.who}"[:100],
                )
            )
            target = f"person:{person}"
        last = hop is (hints.hops or (hop,))[-1]
        step: dict[str, Any] = {"notify": [target]}
        if hop.wait:
            steps.append(Note({**step, "wait": hop.wait}, f"line {hop.line}: {hop.text}"[:100]))
        elif last:
            steps.append(step)
        else:
            steps.append(Note({**step, "wait": "15m"}, "TODO: the guide gives no wait"))
    zone = hints.zone
    schedule = {
        "name": "primary",
        "timezone": Note(zone[1], f"line {zone[0]}") if zone else Note("UTC", "TODO: your zone"),
        "rotation": ["oncall-1", "oncall-2"],
        "start": Note("${env:TODO_ONCALL_START}", "the first shift's Monday, YYYY-MM-DD"),
        "shift": "1w",
        "handoff": "monday 09:00",
    }
    where = f"line {hints.oncall_line}" if hints.oncall_line else "the guide's escalation"
    return {
        "people": people,
        "schedules": [Note(schedule, above=(f"on-call from {where}: TODO fill in the rotation",))],
        "escalation_policies": [{"name": "primary", "steps": steps}],
    }
