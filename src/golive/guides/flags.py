"""A guide's feature-flag table (``featureFlags = { NAME: { enabled, rolloutPercentage,
allowedRoles } }`` in a code block) → ``flags:``, each flag with the line it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from golive.guides.yamltext import Note

Line = tuple[int, str, Any]
MAX_LINES = 200  # how far after the table's first line its entries may run

_START = re.compile(r"\bfeature[_ ]?flags\b\s*[:=]\s*\{", re.I)
_ENTRY = re.compile(r"^\s*['\"]?([A-Za-z][\w.-]*)['\"]?\s*:\s*\{")
_ENABLED = re.compile(r"\benabled\s*[:=]\s*(true|false)\b", re.I)
_ROLLOUT = re.compile(r"\brollout_?percentage\s*[:=]\s*(\d+(?:\.\d+)?)", re.I)
_ROLES = re.compile(r"\b(?:allowed_?roles|roles)\s*[:=]\s*\[([^\]]*)\]", re.I)
_END = re.compile(r"^\}\s*;?\s*$")


@dataclass(frozen=True)
class FlagHint:
    name: str  # as golive names it: mobile-pwa-install
    line: int
    source: str  # as the guide names it: MOBILE_PWA_INSTALL
    enabled: bool = False
    rollout: float = 100.0
    roles: tuple[str, ...] = ()


def golive_name(source: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", source).lower()).strip(
        "-"
    )


def flag_hints(lines: Iterable[Line]) -> tuple[FlagHint, ...]:
    """The flags of the first feature-flag table in the guide."""
    listed = list(lines)
    start = next((i for i, (_, raw, _) in enumerate(listed) if _START.search(raw)), None)
    if start is None:
        return ()
    found: list[FlagHint] = []
    current: dict[str, Any] | None = None
    for number, raw, _ in listed[start + 1 : start + 1 + MAX_LINES]:
        if _END.match(raw):
            break
        entry = _ENTRY.match(raw)
        if entry:
            current = {"source": entry.group(1), "line": number}
            found.append(FlagHint(golive_name(entry.group(1)), number, entry.group(1)))
        if current is None:
            continue
        hint = found[-1]
        if m := _ENABLED.search(raw):
            hint = FlagHint(**{**hint.__dict__, "enabled": m.group(1).lower() == "true"})
        if m := _ROLLOUT.search(raw):
            hint = FlagHint(**{**hint.__dict__, "rollout": min(float(m.group(1)), 100.0)})
        if m := _ROLES.search(raw):
            roles = tuple(r.strip().strip("'\"") for r in m.group(1).split(",") if r.strip())
            hint = FlagHint(**{**hint.__dict__, "roles": roles})
        found[-1] = hint
    return tuple(h for h in found if h.name)


def flag_sections(hints: tuple[FlagHint, ...]) -> dict[str, Any]:
    """``flags:`` for the document, or nothing when the guide has no flag table."""
    if not hints:
        return {}
    flags: list[Any] = []
    for hint in hints:
        flag: dict[str, Any] = {
            "name": hint.name,
            "enabled": hint.enabled,
            "rollout": f"{hint.rollout:g}%",
        }
        if hint.roles:
            flag["roles"] = list(hint.roles)
        flags.append(Note(flag, f"line {hint.line}: {hint.source}"))
    above = ["the guide's flag table; golive evaluates them (golive flag eval NAME --user ID)"]
    if any(0 < h.rollout < 100 for h in hints):
        above.append("TODO: golive buckets users as Unleash does, not with the guide's own hash")
    if any(h.roles for h in hints):
        above.append("roles: a flag with roles is on only for a context that names one of them")
    return {"flags": Note(flags, above=tuple(above))}
