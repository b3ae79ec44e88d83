"""The skeleton and the report: comments that say where each item came from, unique names,
items for what the guide states outside its checklists, TODOs that `golive validate` names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from golive.config import load_config
from golive.exceptions import ConfigError
from golive.gate.registry import argument_models
from golive.guides import import_text

GUIDE = """\
# Shop Production Guide

## Environment Variables
```env
DATABASE_URL=postgresql://user:pass@db/shop
SECRET_KEY=use-a-40-character-secret
```

## Health
The load balancer health checks hit https://shop.acme.io/healthz every 10 seconds.

## Go-Live Checklist

### Phase 2: Deployment Execution
- [ ] SSL certificates installed
- [ ] Legal sign-off received

### Verification
- [ ] SSL certificates installed
- [x] Performance metrics within SLA

| Endpoint | Target (p95) |
|---|---|
| List endpoints | 200ms |
"""


def test_each_item_says_where_it_came_from() -> None:
    text = import_text(GUIDE, "shop.md").yaml
    assert '  # from "Phase 2: Deployment Execution" line 15: "SSL certificates installed"' in text
    assert (
        '  # from "Verification" line 20: "Performance metrics within SLA" (ticked in the guide)'
        in text
    )


def test_a_repeated_line_gets_its_heading_to_keep_names_unique() -> None:
    gate = yaml.safe_load(import_text(GUIDE, "shop.md").yaml)["gate"]
    names = [g["name"] for g in gate]
    assert names[:4] == [
        "SSL certificates installed",
        "Legal sign-off received",
        "SSL certificates installed (Verification)",
        "Performance metrics within SLA",
    ]
    assert len(set(names)) == len(names)


def test_facts_outside_the_checklists_become_items_when_no_line_covers_them() -> None:
    data = yaml.safe_load(import_text(GUIDE, "shop.md").yaml)
    derived = {g["name"]: g for g in data["gate"][4:]}
    assert derived["Environment variables the guide lists are set"]["with"] == {
        "required": ["DATABASE_URL", "SECRET_KEY"],
        "min_length": {"SECRET_KEY": 40},
    }
    assert derived["Health endpoints respond"]["checks"] == ["healthz"]
    assert "Response-time SLA met under load" not in derived  # line 20 already covers the SLA


def test_the_site_comes_from_the_guide_and_secrets_in_it_do_not() -> None:
    text = import_text(GUIDE, "shop.md").yaml
    assert yaml.safe_load(text)["vars"] == {
        "base_url": "https://shop.acme.io",
        "host": "shop.acme.io",
    }
    assert "user:pass" not in text and "use-a-40" not in text


def test_the_skeleton_validates_once_its_todo_variables_are_set(tmp_path: Path) -> None:
    text = import_text(GUIDE, "shop.md").yaml
    path = tmp_path / "golive.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={}, gate_args=argument_models())
    todos = sorted(set(re.findall(r"\$\{env:(TODO_\w+)\}", text)))
    assert todos == ["TODO_LIST_PATH", "TODO_METRICS_URL"]
    assert any("TODO_LIST_PATH is not set" in str(issue) for issue in raised.value.issues)
    environ = {"TODO_LIST_PATH": "/api/items", "TODO_METRICS_URL": "http://127.0.0.1:8000/metrics"}
    load_config(path, environ=environ, gate_args=argument_models())


def test_the_report_counts_what_each_line_became() -> None:
    report = import_text(GUIDE, "shop.md").report
    assert [(e.line, e.became) for e in report.lines] == [
        (15, "run: tls"),
        (16, "manual"),
        (19, "run: tls"),
        (20, "loadtest: peak"),
    ]
    counts = report.counts
    assert (counts["checklist_lines"], counts["builtin"], counts["loadtest"], counts["manual"]) == (
        4,
        2,
        1,
        1,
    )
    assert (counts["derived"], counts["env_vars"], counts["health_endpoints"]) == (2, 2, 1)
    # owner: TODO, the request path of the load test and of the SLO, the metrics source's URL
    assert counts["todos"] == 4


def test_the_report_as_json_names_lines_facts_and_what_was_not_used() -> None:
    data = import_text(GUIDE + "\n## Conclusion\n- ✅ Done\n", "shop.md").report.as_dict()
    assert data["lines"][1] == {
        "line": 16,
        "text": "Legal sign-off received",
        "heading": "Go-Live Checklist › Phase 2: Deployment Execution",
        "name": "Legal sign-off received",
        "became": "manual",
        "kind": "manual",
        "rule": "manual",
        "category": "business",
        "category_from": "the line's words",
        "required": True,
        "notes": [],
    }
    assert data["sla"] == [
        {
            "line": 24,
            "label": "List endpoints",
            "klass": "list",
            "percentile": "p95",
            "target": "200ms",
            "source": "table",
            "reason": "",
            "usable": True,
        }
    ]
    assert [v["name"] for v in data["env"]] == ["DATABASE_URL", "SECRET_KEY"]
    assert data["unused"] == [
        {"line": 27, "text": "✅ Done", "reason": "a marked line outside a checklist section"}
    ]


def test_a_guide_without_checklists_still_gives_a_valid_shape() -> None:
    imported = import_text("# Notes\n\nNothing to check here.\n", "notes.md")
    assert imported.report.counts["checklist_lines"] == 0
    data = yaml.safe_load(imported.yaml)
    assert data["gate"] == [] and data["version"] == 1
