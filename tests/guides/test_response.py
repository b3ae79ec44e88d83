"""Severity tables, response targets and escalation matrices become ``incidents:`` and
``oncall:`` skeletons, each value with the line it came from."""

from __future__ import annotations

from pathlib import Path

import yaml

from golive.config import load_config
from golive.gate.registry import argument_models
from golive.guides import import_text

MATRIX = """\
# Shop Guide

## Incident Response

### Escalation Matrix
| Severity | Response Time | Escalation |
|----------|--------------|------------|
| P0 - Critical | Immediate | Security team |
| P1 - High | 15 minutes | DevOps team |
| P2 - Medium | 1 hour | Development team |

```yaml
escalation_process:
  tier_1_to_tier_2: "After 30 minutes or complex technical issue"
  tier_2_to_tier_3: "After 1 hour or system-wide issue"
```

Support hours: Monday - Friday, 8 AM - 6 PM CET.
"""
LEVELS = """\
# Portal Guide

## Severity Levels

**Severity 1 (Critical)**
- Complete service outage
- Response Time: < 5 minutes

**Severity 2 (High)**
- Response Time: < 15 minutes

### Escalation Path
```
Level 1: On-call Engineer
Level 2: Senior Engineer + Team Lead
```
"""


def imported(text: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    yaml_text = import_text(text, "guide.md").yaml
    return yaml.safe_load(yaml_text), yaml_text


def test_a_severity_table_becomes_incident_levels_with_response_targets() -> None:
    document, text = imported(MATRIX)
    assert document["incidents"]["severities"] == {
        "P0": {"from": "critical", "respond_within": "5m"},
        "P1": {"from": "high", "respond_within": "15m"},
        "P2": {"from": "medium", "respond_within": "1h"},
    }
    assert document["incidents"]["open_on"] == ["critical", "high"]
    assert "# line 9: P1 - High | 15 minutes | DevOps team" in text


def test_tier_escalation_becomes_steps_with_the_guides_waits() -> None:
    document, text = imported(MATRIX)
    (policy,) = document["oncall"]["escalation_policies"]
    assert policy["steps"] == [
        {"notify": ["schedule:primary"], "wait": "30m"},
        {"notify": ["person:tier-2"], "wait": "1h"},
        {"notify": ["person:tier-3"]},
    ]
    assert "line 14: tier_1_to_tier_2: After 30 minutes" in text
    (schedule,) = document["oncall"]["schedules"]
    assert schedule["timezone"] == "Europe/Berlin"  # the guide's CET
    people = [p["name"] for p in document["oncall"]["people"]]
    assert people == ["oncall-1", "oncall-2", "tier-2", "tier-3"]


def test_severity_blocks_and_levels_become_levels_and_steps_waiting_for_a_todo() -> None:
    document, text = imported(LEVELS)
    assert document["incidents"]["severities"] == {
        "SEV1": {"from": "critical", "respond_within": "5m"},
        "SEV2": {"from": "high", "respond_within": "15m"},
    }
    assert "# line 7: Response Time: < 5 minutes" in text
    steps = document["oncall"]["escalation_policies"][0]["steps"]
    assert steps == [
        {"notify": ["schedule:primary"], "wait": "15m"},
        {"notify": ["person:level-2"]},
    ]
    assert "TODO: the guide gives no wait" in text


def test_a_guide_without_incident_response_gets_no_such_sections() -> None:
    document, _ = imported("# Guide\n\n## Checklist\n- [ ] SSL certificates installed\n")
    assert "oncall" not in document and "incidents" not in document


def test_the_skeleton_validates_once_its_todos_are_filled(tmp_path: Path) -> None:
    _, text = imported(MATRIX)
    path = tmp_path / "golive.yaml"
    path.write_text(text)
    environ = {
        name: "json://127.0.0.1:9/x"
        for name in ("TODO_ONCALL_1_URL", "TODO_ONCALL_2_URL", "TODO_TIER_2_URL")
    } | {
        "TODO_TIER_3_URL": "json://127.0.0.1:9/y",
        "TODO_ONCALL_START": "2027-01-04",  # a Monday, as the handoff asks
        "TODO_BASE_URL": "https://shop.example",
        "TODO_HOST": "shop.example",
        "TODO_HEALTH_URL": "https://shop.example/health",
    }
    loaded = load_config(path, environ=environ, gate_args=argument_models())
    assert [s.name for s in loaded.config.oncall.schedules] == ["primary"]
    assert list(loaded.config.incidents.severities) == ["P0", "P1", "P2"]
