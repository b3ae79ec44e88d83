"""A parsed guide → the config skeleton: one gate item per checklist line (mapped by ``rules``),
plus an item for what the guide states outside its checklists when no line covers it already
(its environment variables, its SLA, its health endpoints), and the sections they need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from golive.guides.flags import flag_sections
from golive.guides.model import ChecklistLine, Guide, SlaRow
from golive.guides.response import response_sections
from golive.guides.rules import Category, Kind, Rule, category, contingent, match_rule, recurring
from golive.guides.sections import LOADTEST, Sections, variables
from golive.guides.text import short_heading
from golive.guides.yamltext import Note

# Lines a built-in seems close to but cannot prove: why they stay manual.
_MANUAL_HINTS = (
    (r"\bmigrations?\b", "migration_lint proves migrations are safe to apply, not that they ran"),
    (r"\bdisaster recovery\b", "a backup item proves restores; a DR plan is more than that"),
)


@dataclass(frozen=True)
class Entry:
    """One gate item and where it came from."""

    name: str
    category: Category
    required: bool
    kind: Kind
    became: str  # "run: tls", "checks: api-health", "loadtest: peak", "backup: main-db", "manual"
    rule: str  # the rule that matched, or "manual"
    line: int | None  # the checklist line, or the line of what it was derived from
    text: str
    heading: str
    category_from: str
    notes: tuple[str, ...] = ()
    derived_from: str = ""  # set for items that are not checklist lines
    optional_because: str = ""  # why required is false: "recurring, every 7d", "a rollback step"


@dataclass
class Plan:
    guide: Guide
    sections: Sections
    entries: list[Entry] = field(default_factory=list)
    items: list[Note] = field(default_factory=list)  # the gate items, with their comments
    names: set[str] = field(default_factory=set)

    def unique(self, name: str, heading: str) -> str:
        candidate = name if name not in self.names or not heading else f"{name} ({heading})"
        number = 2
        while candidate in self.names:
            candidate, number = f"{name} #{number}", number + 1
        self.names.add(candidate)
        return candidate

    def document(self) -> dict[str, Any]:
        stem = PurePath(self.guide.name).stem
        return {
            "version": 1,
            "project": Note(stem, f'TODO: your project ("{self.guide.title}")'),
            "vars": variables(self.guide),
            **self.sections.render(),
            **response_sections(self.guide.response),
            **flag_sections(self.guide.flags),
            "gate": self.items,
        }


def merge_sla(rows: list[SlaRow]) -> tuple[list[SlaRow], list[tuple[SlaRow, str]]]:
    """The usable rows, one per class and percentile (the first one), and the rest with why."""
    used: dict[tuple[str, str | None], SlaRow] = {}
    skipped: list[tuple[SlaRow, str]] = []
    for row in rows:
        key = (row.klass, row.percentile)
        if not row.usable:
            skipped.append((row, row.reason))
        elif key in used:
            first = used[key]
            same = "the same as" if first.target == row.target else "differs from; kept"
            skipped.append((row, f"{same} line {first.line} ({first.target})"))
        else:
            used[key] = row
    return list(used.values()), skipped


def build(guide: Guide) -> Plan:
    plan = Plan(guide, Sections(guide))
    plan.sections.sla, plan.sections.sla_skipped = merge_sla(guide.sla)
    for line in guide.checklist:
        _add_line(plan, line)
    _add_derived(plan)
    for job in guide.jobs:
        plan.sections.heartbeat(job)
    for journey in guide.journeys:
        plan.sections.journey(journey)
    return plan


def _source(line: ChecklistLine) -> str:
    heading = f'"{line.path[-1].text}" ' if line.path else ""
    fence = f", in a {line.fence} block" if line.fence else ""
    ticked = " (ticked in the guide)" if line.checked else ""
    return f'from {heading}line {line.line}{fence}: "{line.text}"{ticked}'


def _add_line(plan: Plan, line: ChecklistLine) -> None:
    rule = match_rule(line.text)
    period, contingency = recurring(line), contingent(line)
    required = period is None and not contingency
    cat, why = category(line)
    name = plan.unique(line.text, short_heading(line.path[-1].text) if line.path else "")
    body: dict[str, Any] = {"name": name, "category": cat}
    if not required:
        body["required"] = False
    optional = ""
    if period:
        optional = f"recurring, every {period}"
    elif contingency:
        optional = f'a step of "{line.path[-1].text}"'
    notes: list[str] = []
    kind, became = _fill(plan.sections, rule, line, body, notes, period)
    if line.details and rule is None:
        body["description"] = "; ".join(text for _, text in line.details)
    why_optional = (f"{optional}: not a go-live condition, so required: false",) if optional else ()
    plan.items.append(Note(body, above=(_source(line), *why_optional, *notes)))
    plan.entries.append(
        Entry(
            name,
            cat,
            required,
            kind,
            became,
            rule.name if rule else "manual",
            line.line,
            line.text,
            line.heading,
            why,
            tuple(notes),
            optional_because=optional,
        )
    )


def _fill(
    sections: Sections,
    rule: Rule | None,
    line: ChecklistLine,
    body: dict[str, Any],
    notes: list[str],
    period: str | None,
) -> tuple[Kind, str]:
    """Complete ``body`` for ``rule``; the kind of item and what it became."""
    if rule is None:
        body.update(manual=True, owner="TODO", valid_for=period or "90d")
        notes.extend(hint for pattern, hint in _MANUAL_HINTS if re.search(pattern, line.text, re.I))
        return "manual", "manual"
    if rule.kind == "builtin":
        body["run"] = rule.name
        body["with"] = builtin_args(sections, rule.name, line, notes)
        return "builtin", f"run: {rule.name}"
    if rule.kind == "checks":
        if rule.name == "services":
            names = sections.service_checks(line.text)
        elif rule.name == "dns":
            names = sections.dns_check()
        else:
            names = sections.health_checks()
        body["checks"] = names
        return "checks", f"checks: {', '.join(names)}"
    if rule.kind == "loadtest":
        sections.loadtest = True
        body.update(loadtest=LOADTEST, fresh=period or "7d")
        return "loadtest", f"loadtest: {LOADTEST}"
    body.update(backup=sections.backup_name(), fresh=period or "7d")
    return "backup", f"backup: {body['backup']}"


def builtin_args(
    sections: Sections, name: str, line: ChecklistLine | None, notes: list[str]
) -> dict[str, Any]:
    """The ``with:`` of a built-in, with the reference's keys only."""
    if name == "tls":
        return {"host": "${host}", "port": 443, "min_days": 30}
    if name == "https_redirect":
        return {"url": "http://${host}/"}
    if name == "security_headers":
        return {"url": "${base_url}/"}
    if name == "rate_limit":
        return {
            "url": Note("${env:TODO_RATE_LIMITED_URL}", "an endpoint behind the rate limiter"),
            "requests": Note(150, "TODO: more than the limit allows within `within`"),
            "within": "10s",
            "expect_status": 429,
        }
    if name == "notify_test":
        sections.channel = True
        return {"channels": ["ops"]}
    if name == "migration_lint":
        return {"paths": Note(["migrations/"], "TODO: your migrations folder")}
    return env_args(sections.guide, line, notes)


def env_args(guide: Guide, line: ChecklistLine | None, notes: list[str]) -> dict[str, Any]:
    required = [v for v in guide.env if v.required]
    optional = [v.name for v in guide.env if not v.required]
    args: dict[str, Any] = {}
    if required:
        blocks = sorted({v.block for v in required}, key=lambda b: int(b.rsplit(" ", 1)[-1]))
        args["required"] = Note([v.name for v in required], f"from the {', '.join(blocks)}")
    else:
        args["required"] = Note(["TODO_REQUIRED_VARIABLE"], "the guide lists none: name them")
    min_length = {v.name: v.min_length for v in guide.env if v.min_length}
    if min_length:
        args["min_length"] = Note(min_length, "the lengths the guide asks for")
    forbid = {v.name: list(v.forbid) for v in guide.env if v.forbid}
    if forbid:
        args["forbid"] = Note(forbid, "values the guide rules out for production")
    if optional:
        shown = ", ".join(optional[:4]) + (", …" if len(optional) > 4 else "")
        notes.append(f"left out, the guide calls them optional: {shown} ({len(optional)})")
    names = {v.name for v in guide.env}
    others = [text for _, text in (line.details if line else ()) if text not in names]
    notes.extend(f'the guide also says "{text}": add those names' for text in others)
    return args


@dataclass(frozen=True)
class _Derived:
    title: str
    source: str
    line: int
    body: dict[str, Any]
    kind: Kind
    rule: str
    became: str
    notes: tuple[str, ...] = ()


def _add_derived(plan: Plan) -> None:
    """Items for what the guide states outside its checklists, when no line covers it."""
    guide, sections, rules = plan.guide, plan.sections, {e.rule for e in plan.entries}
    derived: list[_Derived] = []
    if guide.env and "env" not in rules:
        notes: list[str] = []
        args = env_args(guide, None, notes)
        line = guide.env[0].line
        source = f"the environment variables at line {line}"
        body = {"run": "env", "with": args}
        title = "Environment variables the guide lists are set"
        derived.append(
            _Derived(title, source, line, body, "builtin", "env", "run: env", tuple(notes))
        )
    if sections.sla and not sections.loadtest:
        sections.loadtest = True
        line = sections.sla[0].line
        body = {"loadtest": LOADTEST, "fresh": "7d"}
        became = f"loadtest: {LOADTEST}"
        title = "Response-time SLA met under load"
        derived.append(
            _Derived(title, f"the SLA at line {line}", line, body, "loadtest", "loadtest", became)
        )
    if guide.health and "health" not in rules:
        names = sections.health_checks()
        line = guide.health[0].line
        source = f"the health endpoint at line {line}"
        became = f"checks: {', '.join(names)}"
        title = "Health endpoints respond"
        derived.append(_Derived(title, source, line, {"checks": names}, "checks", "health", became))
    for item in derived:
        name = plan.unique(item.title, "guide")
        above = (f"not a checklist line: from {item.source}", *item.notes)
        plan.items.append(Note({"name": name, "category": "technical", **item.body}, above=above))
        plan.entries.append(
            Entry(
                name,
                "technical",
                True,
                item.kind,
                item.became,
                item.rule,
                item.line,
                item.title,
                "",
                "default",
                item.notes,
                item.source,
            )
        )
