"""The import report as Rich renderables: a summary line, what each checklist line became, the
facts found around the checklists, and what could not be used."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from golive.guides.plan import Entry
from golive.guides.report import KINDS, Report

_STYLE = {
    "builtin": "green",
    "checks": "green",
    "loadtest": "cyan",
    "backup": "cyan",
    "manual": "yellow",
}


def summary(report: Report) -> Text:
    counts = report.counts
    text = Text()
    text.append(f"{report.guide}", style="bold")
    text.append(f" — {counts['checklist_lines']} checklist lines → ")
    parts = [(f"{counts[kind]} {kind}", _STYLE[kind]) for kind in KINDS if counts[kind]]
    for index, (part, style) in enumerate(parts or [("nothing", "")]):
        text.append((", " if index else "") + part, style=style)
    if counts["not_required"]:
        text.append(f" ({counts['not_required']} not required)")
    if counts["derived"]:
        text.append(f"; {counts['derived']} more from the guide's text")
    text.append(f"; {counts['todos']} TODO lines to fill")
    return text


def _entries(title: str, entries: tuple[Entry, ...]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("line", justify="right")
    table.add_column("guide says")
    table.add_column("became")
    table.add_column("category")
    table.add_column("note")
    for entry in entries:
        became = Text(entry.became, style=_STYLE[entry.kind])
        if not entry.required:
            became.append(" (not required)", style="dim")
        note = "; ".join(filter(None, (entry.derived_from, entry.optional_because, *entry.notes)))
        table.add_row(str(entry.line or ""), entry.text, became, entry.category, note)
    return table


def _facts(report: Report) -> Iterator[RenderableType]:
    if report.sla_used or report.sla_unused:
        table = Table(title="SLA rows", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("line", "class", "target", "used"):
            table.add_column(column)
        for row in report.sla_used:
            target = f"{row.percentile} {row.target}"
            table.add_row(str(row.line), row.klass, target, Text("yes", style="green"))
        for row, why in report.sla_unused:
            target = f"{row.percentile or '?'} {row.target or '?'}"
            table.add_row(str(row.line), row.klass, target, Text(f"no: {why}", style="yellow"))
        yield table
    if report.env:
        required = [v.name for v in report.env if v.required]
        optional = [v.name for v in report.env if not v.required]
        yield Text(f"env vars: {len(required)} required: {', '.join(required) or '—'}")
        if optional:
            yield Text(f"          {len(optional)} optional: {', '.join(optional)}")
    if report.health:
        found = ", ".join(f"{h.path} (line {h.line})" for h in report.health)
        yield Text(f"health endpoints: {found}")
    if report.hosts:
        hosts = ", ".join(
            h.host + (" (placeholder)" if h.placeholder else "") for h in report.hosts
        )
        yield Text(f"hosts: {hosts}; the site: {report.app_host or 'not named (TODO_BASE_URL)'}")


def render(report: Report) -> Iterator[RenderableType]:
    yield summary(report)
    if report.lines:
        yield _entries("Checklist lines", report.lines)
    if report.derived:
        yield _entries("From the guide's text (not checklist lines)", report.derived)
    yield from _facts(report)
    if report.unused:
        table = Table(title="Not used", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("line", "text", "why"):
            table.add_column(column)
        for unused in report.unused:
            table.add_row(str(unused.line), unused.text, unused.reason)
        yield table
    if not report.lines:
        yield Text("no checklist lines found: is this a readiness guide?", style="yellow")
