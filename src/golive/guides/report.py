"""What an import did: each checklist line and what it became, the facts found around the
checklists, and the lines it could not use."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from golive.guides.model import EnvVar, HealthEndpoint, HostMention, SlaRow, Unused
from golive.guides.plan import Entry, Plan

KINDS = ("builtin", "checks", "loadtest", "backup", "manual")


@dataclass(frozen=True)
class Report:
    guide: str
    title: str
    lines: tuple[Entry, ...]  # one per checklist line
    derived: tuple[Entry, ...]  # items for facts no checklist line covered
    sla_used: tuple[SlaRow, ...]
    sla_unused: tuple[tuple[SlaRow, str], ...]
    env: tuple[EnvVar, ...]
    health: tuple[HealthEndpoint, ...]
    hosts: tuple[HostMention, ...]
    app_host: str | None
    unused: tuple[Unused, ...]
    todos: int  # lines of the skeleton that hold a TODO to fill

    @property
    def counts(self) -> dict[str, int]:
        counted: Counter[str] = Counter(entry.kind for entry in self.lines)
        return {
            "checklist_lines": len(self.lines),
            **{kind: counted.get(kind, 0) for kind in KINDS},
            "not_required": sum(not entry.required for entry in self.lines),
            "derived": len(self.derived),
            "sla_rows": len(self.sla_used) + len(self.sla_unused),
            "env_vars": len(self.env),
            "health_endpoints": len(self.health),
            "unused": len(self.unused) + sum(not row.usable for row, _ in self.sla_unused),
            "todos": self.todos,
        }

    def as_dict(self) -> dict[str, Any]:
        def entry(e: Entry) -> dict[str, Any]:
            return {
                "line": e.line,
                "text": e.text,
                "heading": e.heading,
                "name": e.name,
                "became": e.became,
                "kind": e.kind,
                "rule": e.rule,
                "category": e.category,
                "category_from": e.category_from,
                "required": e.required,
                **({"optional_because": e.optional_because} if e.optional_because else {}),
                "notes": list(e.notes),
                **({"derived_from": e.derived_from} if e.derived_from else {}),
            }

        return {
            "guide": self.guide,
            "title": self.title,
            "counts": self.counts,
            "lines": [entry(e) for e in self.lines],
            "derived": [entry(e) for e in self.derived],
            "sla": [asdict(r) | {"usable": True} for r in self.sla_used]
            + [asdict(r) | {"usable": False, "reason": why} for r, why in self.sla_unused],
            "env": [asdict(v) | {"forbid": list(v.forbid)} for v in self.env],
            "health": [asdict(h) for h in self.health],
            "hosts": [asdict(h) for h in self.hosts],
            "app_host": self.app_host,
            "unused": [asdict(u) for u in self.unused],
        }


def make_report(plan: Plan, yaml_text: str) -> Report:
    guide, sections = plan.guide, plan.sections
    values = (
        line.split(" #")[0] for line in yaml_text.splitlines() if not line.lstrip().startswith("#")
    )
    todos = sum("TODO" in value for value in values)
    return Report(
        guide=guide.name,
        title=guide.title,
        lines=tuple(e for e in plan.entries if not e.derived_from),
        derived=tuple(e for e in plan.entries if e.derived_from),
        sla_used=tuple(sections.sla),
        sla_unused=tuple(sections.sla_skipped),
        env=tuple(guide.env),
        health=tuple(guide.health),
        hosts=tuple(guide.hosts),
        app_host=guide.app_host.host if guide.app_host else None,
        unused=tuple(guide.unused),
        todos=todos,
    )
