"""The gate's reports: JUnit XML for CI, and the Markdown sign-off document the guides describe."""

from __future__ import annotations

from pathlib import Path

from golive import junit
from golive.gate.model import GateReport

CATEGORIES = ("technical", "operational", "business")
MARK = {"pass": "✅", "fail": "❌", "stale": "⌛", "unsigned": "✍️", "unsupported": "🚧"}


def write_junit(path: Path, report: GateReport) -> None:
    junit.write(
        path,
        f"golive gate ({report.environment})",
        [
            junit.Case(
                name=item.name,
                classname=item.category,
                seconds=item.seconds,
                failure=None if item.ok or not item.required else f"{item.status}: {item.reason}",
                details=item.reason,
                skipped=None
                if item.ok or item.required
                else f"optional, {item.status}: {item.reason}",
            )
            for item in report.items
        ],
    )


def markdown(report: GateReport) -> str:
    """The sign-off document: verdict, then every item by category with who signed what."""
    lines = [
        f"# Go-live readiness: {report.project}",
        "",
        f"- **Verdict: {report.verdict}**",
        f"- Environment: {report.environment}",
        f"- Release: {report.version or 'not given'}",
        f"- Judged: {report.at.strftime('%Y-%m-%d %H:%M UTC')} by `golive gate`",
        "",
    ]
    if report.blocking:
        lines += ["Blocking:", ""] + [f"- {i.name}: {i.reason}" for i in report.blocking] + [""]
    for category in CATEGORIES:
        items = [i for i in report.items if i.category == category]
        if not items:
            continue
        lines += [
            f"## {category.capitalize()}",
            "",
            "| | item | status | evidence |",
            "|---|---|---|---|",
        ]
        for item in items:
            optional = " (optional)" if not item.required else ""
            reason = _cell("<br>".join([item.reason, *(f"⚠ {w}" for w in item.warnings)]))
            lines.append(
                f"| {MARK[item.status]} | {item.name}{optional} | {item.status} | {reason} |"
            )
        lines.append("")
    signed = [i for i in report.items if i.kind == "manual" and i.evidence]
    if signed:
        lines += [
            "## Sign-offs",
            "",
            "| item | signed by | on | valid until | note |",
            "|---|---|---|---|---|",
        ]
        for item in signed:
            e = item.evidence
            lines.append(
                f"| {_cell(item.name)} | {_cell(e['signed_by'])} | {e['signed_at'][:10]} "
                f"| {e['expires_at'][:10]} | {_cell(e['note'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
