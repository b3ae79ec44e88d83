"""Smoke journeys a guide describes, for ``steps:`` checks: "synthetic monitoring every 5
minutes: log in → create booking → admin dashboard" becomes one journey whose steps are those
flows, each a request whose URL is still to be given.

Found under a heading about synthetic monitoring, smoke tests or user journeys: the flows are
the section's list items (in prose or in a code block: ``- User can login``) or one line of
flows joined by arrows; "every N minutes" in the section is how often it runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from golive.guides.markdown import Path
from golive.guides.model import Journey, JourneyStep
from golive.guides.text import plain, slug

_HEADING = re.compile(
    r"synthetic|smoke[- ]?tests?|user journeys?|critical (?:user )?(?:flows|journeys)", re.I
)
_ITEM = re.compile(r"^\s*[-*]\s+(?!\[)(.+?)\s*$")
_ARROWS = re.compile(r"\s*(?:→|->|⇒|=>)\s*")
_EVERY = re.compile(r"\bevery\s+(\d+)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b", re.I)
_UNIT = {"s": "s", "m": "m", "h": "h"}
_WHO = re.compile(r"^(?:the\s+)?(?:users?|admins?|customers?|visitors?)\s+(?:can|may)\s+", re.I)
_KNOWN = (
    (re.compile(r"\blog ?in\b|\bsign ?in\b", re.I), "login", "POST"),
    (re.compile(r"\bbook(?:ing)?s?\b|\breserv", re.I), "book", "POST"),
    (re.compile(r"\bcheckout\b|\bpay", re.I), "checkout", "POST"),
    (re.compile(r"\bdashboard\b", re.I), "dashboard", "GET"),
    (re.compile(r"\bhome ?page\b|\blanding\b", re.I), "home", "GET"),
    (re.compile(r"\bsearch\b", re.I), "search", "GET"),
)
_MAX_STEPS = 8


def journeys(lines: Iterable[tuple[int, str, Path]]) -> list[Journey]:
    """One journey per section about synthetic monitoring or smoke tests that lists flows."""
    sections: dict[int, list[tuple[int, str]]] = {}  # heading line → its lines
    titles: dict[int, str] = {}
    for line, raw, path in lines:
        heading = next((h for h in reversed(path) if _HEADING.search(h.text)), None)
        if heading is None:
            continue
        titles[heading.line] = plain(heading.text)
        sections.setdefault(heading.line, []).append((line, raw))
    found = [_journey(titles[at], body) for at, body in sections.items()]
    return [j for j in found if j is not None]


def _journey(title: str, body: list[tuple[int, str]]) -> Journey | None:
    every: str | None = None
    flows: list[tuple[int, str]] = []
    for line, raw in body:
        text = plain(raw)
        match = _EVERY.search(text)
        if match and every is None:
            every = f"{match.group(1)}{_UNIT[match.group(2)[0].lower()]}"
        arrows = _ARROWS.split(text)
        if len(arrows) > 2:
            arrows[0] = arrows[0].rsplit(":", 1)[-1]  # "Run after each deploy: log in"
            flows.extend((line, part.strip()) for part in arrows if part.strip())
            continue
        item = _ITEM.match(raw)
        if item and not item.group(1).startswith(("npm ", "yarn ", "`")):
            flows.append((line, plain(item.group(1))))
    if not flows:
        return None
    steps: dict[str, JourneyStep] = {}
    for line, text in flows[:_MAX_STEPS]:
        step = _step(line, text)
        steps.setdefault(step.name, step)
    return Journey(title, flows[0][0], tuple(steps.values()), every)


def _step(line: int, text: str) -> JourneyStep:
    words = _WHO.sub("", text.strip().rstrip(".")).strip()
    for pattern, name, method in _KNOWN:
        if pattern.search(words):
            return JourneyStep(name, line, text, method)
    name = slug(" ".join(re.sub(r"\bloads?\b", "", words).split()[:3]), "step")
    return JourneyStep(name, line, text, "GET")
