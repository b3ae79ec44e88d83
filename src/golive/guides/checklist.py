"""Finding checklist lines.

A line is a checklist line when it is
  * a task-list item, ``- [ ] …`` / ``* [x] …`` / ``1. [ ] …``, anywhere (also inside a code
    block, where guides keep "manual verification" lists);
  * a line starting with a mark (✅ ☐ ☑ ✔ ✓ ⬜), as an item or a paragraph line, in a checklist
    section;
  * a plain top-level bullet or numbered item in a checklist section.
A checklist section is one under a heading (below the title) that says checklist, readiness,
verification, go-live, criteria or sign-off — a title counts only when it says checklist — and
not under a timeline, schedule or "Week 3" heading (a plan, not a check).
Plain items nested under a checklist line are its details, not lines of their own. A marked
line outside a checklist section is reported as unused (it reads as a status, not a check).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from golive.guides.markdown import Block, Fence, Item, Paragraph, Path
from golive.guides.model import ChecklistLine, Unused
from golive.guides.text import MARKS, plain

_CHECKBOX = re.compile(r"^\[([ xX])\]\s*(.*)$")
_CODE_CHECKBOX = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[([ xX])\]\s+(.+)$")
_MARK = re.compile(rf"^(?:[-*+]\s+)?([{MARKS}])\ufe0f?\s*(.+)$")
_DONE = "✅☑✔✓"
_SECTION = re.compile(
    r"checklist|readiness|verification|go[- ]?live|criteria|sign[- ]?off|pre[- ]?flight", re.I
)
_SCHEDULE = re.compile(r"timeline|schedule|roadmap|next steps|\b(?:week|day)s? \d", re.I)


def in_checklist_section(path: Path) -> bool:
    """Under a checklist heading, and not in a timeline ("Week 3: Backup & Go-Live")."""
    if any(_SCHEDULE.search(h.text) for h in path):
        return False
    return any(
        _SECTION.search(h.text) if h.level > 1 else "checklist" in h.text.lower() for h in path
    )


def checklist_lines(blocks: Iterable[Block]) -> tuple[list[ChecklistLine], list[Unused]]:
    """The checklist lines of a guide in order, and the marked lines that are not."""
    found: list[ChecklistLine] = []
    unused: list[Unused] = []
    for block in blocks:
        if isinstance(block, Item):
            _item(block, found, unused)
        elif isinstance(block, Paragraph):
            for index, raw in enumerate(block.lines):
                _loose_line(block.line + index, raw, block.path, found, unused)
        elif isinstance(block, Fence):
            for index, raw in enumerate(block.body):
                match = _CODE_CHECKBOX.match(raw)
                if match and plain(match.group(2)):
                    found.append(
                        ChecklistLine(
                            block.line + 1 + index,
                            plain(match.group(2)),
                            block.path,
                            "checkbox",
                            checked=match.group(1) != " ",
                            fence=block.info or "code",
                        )
                    )
    return found, unused


def _item(item: Item, found: list[ChecklistLine], unused: list[Unused]) -> None:
    details = tuple(
        (c.line, plain(c.text)) for c in item.children if not _CHECKBOX.match(c.text) and c.text
    )
    box = _CHECKBOX.match(item.text)
    if box:
        if plain(box.group(2)):
            found.append(
                ChecklistLine(
                    item.line,
                    plain(box.group(2)),
                    item.path,
                    "checkbox",
                    checked=box.group(1) != " ",
                    details=details,
                )
            )
        else:
            unused.append(Unused(item.line, item.text, "an empty checklist line"))
        return
    mark = _MARK.match(item.text)
    if mark:
        _marked(item.line, mark, item.path, found, unused, details)
        return
    grouping = any(_CHECKBOX.match(c.text) for c in item.children)
    if item.depth == 0 and not grouping and in_checklist_section(item.path) and plain(item.text):
        style = "numbered" if item.ordered else "bullet"
        found.append(ChecklistLine(item.line, plain(item.text), item.path, style, details=details))


def _loose_line(
    line: int, raw: str, path: Path, found: list[ChecklistLine], unused: list[Unused]
) -> None:
    box = _CHECKBOX.match(raw.strip())
    if box and plain(box.group(2)):
        found.append(
            ChecklistLine(line, plain(box.group(2)), path, "checkbox", checked=box.group(1) != " ")
        )
        return
    mark = _MARK.match(raw.strip())
    if mark:
        _marked(line, mark, path, found, unused, ())


def _marked(
    line: int,
    mark: re.Match[str],
    path: Path,
    found: list[ChecklistLine],
    unused: list[Unused],
    details: tuple[tuple[int, str], ...],
) -> None:
    text = plain(mark.group(2))
    if not text:
        return
    if in_checklist_section(path):
        checked = mark.group(1) in _DONE
        found.append(ChecklistLine(line, text, path, "mark", checked=checked, details=details))
    else:
        unused.append(
            Unused(line, f"{mark.group(1)} {text}", "a marked line outside a checklist section")
        )
