"""Finding checklist lines: task lists anywhere, marks and plain items in checklist sections,
details nested under a line, lines inside code blocks, and the heading path of each."""

from __future__ import annotations

from golive.guides.parse import parse_guide


def lines(markdown: str) -> list[tuple[int, str]]:
    return [(c.line, c.text) for c in parse_guide(markdown, "guide.md").checklist]


def test_task_list_items_are_checklist_lines_with_their_line_numbers() -> None:
    guide = (
        "# Guide\n\n## Anything\n\n- [ ] SSL certificates installed\n* [x] **Backups** verified\n"
    )
    assert lines(guide) == [(5, "SSL certificates installed"), (6, "Backups verified")]


def test_a_ticked_box_is_remembered() -> None:
    found = parse_guide("- [x] Done\n- [ ] Not yet\n", "g.md").checklist
    assert [c.checked for c in found] == [True, False]


def test_numbered_task_items_count_too() -> None:
    assert lines("1. [ ] First\n2. [X] Second\n") == [(1, "First"), (2, "Second")]


def test_plain_bullets_count_only_under_a_checklist_heading() -> None:
    guide = """\
# Title

## Architecture
- Vercel edge network

## Go-Live Checklist
- DNS cutover done
1. Support team on call
"""
    assert lines(guide) == [(7, "DNS cutover done"), (8, "Support team on call")]


def test_a_timeline_under_a_go_live_heading_is_not_a_checklist() -> None:
    guide = "## Timeline\n\n### Week 3: Backup & Go-Live\n- Days 6-7: Production go-live\n"
    assert lines(guide) == []


def test_a_title_counts_as_a_checklist_heading_only_when_it_says_checklist() -> None:
    assert lines("# Go-Live Checklist\n\n- Launch approved\n") == [(3, "Launch approved")]
    assert lines("# Production Readiness Guide\n\n- Some note\n") == []


def test_marked_lines_in_a_checklist_section_are_lines_and_elsewhere_are_reported_unused() -> None:
    guide = (
        "## Success Criteria\n\n"
        "✅ **All tests passing**  \n"  # a hard line break, as guides write them
        "✅ **Monitoring active**\n\n"
        "## Conclusion\n\n"
        "- ✅ Robust monitoring\n"
    )
    parsed = parse_guide(guide, "g.md")
    assert [(c.line, c.text, c.style) for c in parsed.checklist] == [
        (3, "All tests passing", "mark"),
        (4, "Monitoring active", "mark"),
    ]
    assert [(u.line, u.reason) for u in parsed.unused] == [
        (8, "a marked line outside a checklist section")
    ]


def test_a_mark_in_the_middle_of_a_line_is_a_status_not_a_checklist_line() -> None:
    assert lines("## Readiness\n\n**Status**: ✅ **COMPLETE**\n") == []


def test_items_nested_under_a_checklist_line_are_its_details() -> None:
    guide = "- [ ] Web Vitals targets met\n  - LCP: < 2.5s\n  - FID: < 100ms\n"
    (line,) = parse_guide(guide, "g.md").checklist
    assert line.details == ((2, "LCP: < 2.5s"), (3, "FID: < 100ms"))


def test_nested_task_items_are_lines_of_their_own() -> None:
    assert lines("- [ ] Parent\n  - [ ] Child\n") == [(1, "Parent"), (2, "Child")]


def test_task_items_inside_a_bash_block_are_found_and_say_so() -> None:
    guide = "### Staging Verification\n\n```bash\n# Manual verification\n- [ ] Login works\n```\n"
    (line,) = parse_guide(guide, "g.md").checklist
    assert (line.line, line.text, line.fence) == (5, "Login works", "bash")


def test_a_markdown_block_is_read_as_markdown_with_its_own_headings() -> None:
    guide = """\
## Post-Deployment Verification

### Sign-off

```markdown
## Deployment Sign-Off

### Verification Results
- [ ] All health checks passing
```
"""
    (line,) = parse_guide(guide, "g.md").checklist
    assert line.line == 9
    assert line.heading == "Sign-off › Deployment Sign-Off › Verification Results"


def test_the_heading_path_leaves_out_the_title_and_strips_marks() -> None:
    guide = "# 🚀 Guide\n\n## 📋 Deployment Checklist\n\n### Phase 1: Validation ✅\n- [ ] Scans passed\n"
    (line,) = parse_guide(guide, "g.md").checklist
    assert line.heading == "Deployment Checklist › Phase 1: Validation"
    assert line.nearest == "Validation"


def test_an_empty_box_is_reported_not_imported() -> None:
    parsed = parse_guide("- [ ]\n- [ ] Real\n", "g.md")
    assert [c.text for c in parsed.checklist] == ["Real"]
    assert [u.reason for u in parsed.unused] == ["an empty checklist line"]


def test_windows_line_endings_keep_line_numbers() -> None:
    assert lines("## A\r\n\r\n- [ ] One\r\n- [ ] Two\r\n") == [(3, "One"), (4, "Two")]
