"""Importing a guide: read the file, parse it, plan the items, write the YAML and the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from golive.exceptions import UsageError
from golive.guides.parse import parse_guide
from golive.guides.plan import build
from golive.guides.report import KINDS, Report, make_report
from golive.guides.yamltext import dump


@dataclass(frozen=True)
class Imported:
    yaml: str
    report: Report


def _header(report: Report) -> list[str]:
    counts = report.counts
    mapped = " · ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind])
    return [
        f"Imported from {report.guide} ({report.title}) by `golive import`.",
        "Each gate item says which line of the guide it came from. Fill every TODO —",
        "`golive validate` names the ${env:TODO_…} ones still open — then run `golive gate`.",
        f"{counts['checklist_lines']} checklist lines: {mapped or 'none'}",
    ]


def import_text(markdown: str, name: str) -> Imported:
    """Import the guide ``markdown``; ``name`` (its file name) appears in comments."""
    plan = build(parse_guide(markdown, name))
    document = plan.document()
    report = make_report(plan, dump(document))
    return Imported(dump(document, _header(report)), report)


def read_guide(path: Path) -> str:
    """The text of a guide file; a ``UsageError`` that says why when it cannot be read."""
    if not path.exists():
        raise UsageError(f"guide not found: {path}")
    if not path.is_file():
        raise UsageError(f"not a file: {path}")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(
            f"{path} is not UTF-8 text (convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8)"
        ) from None


def import_guide(path: Path) -> Imported:
    """Import the guide at ``path``."""
    return import_text(read_guide(path), path.name)
