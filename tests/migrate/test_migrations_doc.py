"""docs/migrations.md: every rule has a section, and each section's examples are true: the
unsafe SQL breaks the rule with the output shown, the safe SQL does not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from golive.config import load_config
from golive.gate.registry import argument_models
from golive.migrate.catalog import RULES
from golive.migrate.lint import Violation, lint_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "migrations.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w*)\n(.*?)```", re.S)
TIMEOUTS = "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"


def rule_section(rule: str) -> str:
    start = TEXT.index(f"### `{rule}`\n")
    end = TEXT.find("\n### ", start + 1)
    return TEXT[start : end if end != -1 else len(TEXT)]


def lint(sql: str, rule: str) -> list[Violation]:
    """``sql`` linted as in the docs (with the timeouts first, but for the timeout rules), its
    lines counted from the example's first line."""
    head = "" if "timeout" in rule else TIMEOUTS
    shift = head.count("\n")
    return [
        Violation(v.file, v.line - shift, v.column, v.rule, v.message, v.rewrite, v.ignored)
        for v in lint_text(head + sql, "0042_orders.sql")
        if v.ignored is None
    ]


def test_every_rule_has_a_section_and_no_other() -> None:
    documented = re.findall(r"^### `([a-z-]+)`$", TEXT[TEXT.index("## Rules") :], re.M)
    assert documented == list(RULES)


@pytest.mark.parametrize("rule", list(RULES))
def test_the_examples_of_a_rule_are_what_golive_does(rule: str) -> None:
    blocks = BLOCK.findall(rule_section(rule))
    (lang_bad, bad), (lang_out, shown), (lang_good, good) = blocks
    assert (lang_bad, lang_out, lang_good) == ("sql", "", "sql")
    found = [v for v in lint(bad, rule) if v.rule == rule]
    assert found, f"{rule}: the unsafe example does not break it"
    assert shown == f"{found[0]}\n  fix: {found[0].rewrite}\n"
    assert rule not in {v.rule for v in lint(good, rule)}, f"{rule}: the safe example breaks it"


def test_the_ignore_examples_accept_their_violations() -> None:
    part = TEXT[TEXT.index("## Accepting a violation") : TEXT.index("## What the linter")]
    (sql,) = [body for lang, body in BLOCK.findall(part) if lang == "sql"]
    found = lint_text(TIMEOUTS + sql, "m.sql")
    assert [(v.rule, v.ignored is not None) for v in found] == [
        ("ban-drop-column", True),
        ("ban-drop-table", True),
    ]


def test_the_json_example_has_the_keys_golive_prints() -> None:
    (body,) = [body for lang, body in BLOCK.findall(TEXT) if lang == "json"]
    example = json.loads(body)
    violation = lint_text("DROP TABLE t;", "m.sql")[0]
    assert set(example) == {"files", "violations", "ignored"}
    assert set(example["violations"][0]) == set(violation.as_json())


def test_the_yaml_example_loads(tmp_path: Path) -> None:
    (body,) = [body for lang, body in BLOCK.findall(TEXT) if lang == "yaml"]
    path = tmp_path / "golive.yaml"
    path.write_text(body)
    loaded = load_config(path, environ={}, gate_args=argument_models())
    assert loaded.config.gate[0].name == "Database migrations tested"
