"""Every expression the docs and the reference show compiles against the fields of its check kind
and runs without an undefined function; every function example in docs/probes.md is true."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from golive.config.slo import REQUEST_STATS
from golive.probes import builtin_kinds
from golive.probes.celengine import FUNCTIONS, MACROS, compile_program
from golive.probes.expect import compile_expression

ROOT = Path(__file__).parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
REFERENCE = ROOT.parent / "shared" / "spec" / "golive.reference.yaml"
KINDS = builtin_kinds()
_CODE_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"`([^`]+)`")

# A value of each field type, as a probe would give it.
SAMPLES: Mapping[str, Any] = {
    "bool": True,
    "int": 41,
    "double": 12.5,
    "double|null": 0.5,
    "string": "41",
    "string|null": "timed out after 5s",
    "list(string)": ["127.0.0.1"],
    "map(string, string)": {"content-type": "application/json", "x-frame-options": "DENY"},
    "map(string, dyn)": {"uptime_in_seconds": 60},
    "dyn": {"status": "healthy", "items": [{"id": 1}], "token": "t"},
}


def sample_fields(fields: Mapping[str, str]) -> dict[str, Any]:
    return {name: SAMPLES[text.split(":")[0]] for name, text in fields.items()}


def any_fields(source: str) -> dict[str, str]:
    """Every name the expression reads, as a field (for a kind golive does not have yet)."""
    return {name: "dyn: unknown" for name in compile_program(source).variables()}


Found = tuple[str, str, Mapping[str, str] | None]  # where, expression, fields (None: unknown)


def expressions(data: Any, where: str, checks: Mapping[str, str]) -> Iterator[Found]:
    """``expect`` of every check or step (by its probe key) and ``when`` of every alert."""
    if isinstance(data, list):
        for item in data:
            yield from expressions(item, where, checks)
        return
    if not isinstance(data, dict):
        return
    kind = next((k for k in data if k in KINDS), None)
    if isinstance(data.get("expect"), list) and "run" not in data:  # verify.expect is SQL
        fields = KINDS[kind].all_fields if kind else None
        if kind or "heartbeat" in data:
            yield from ((where, e, fields) for e in data["expect"])
    if isinstance(data.get("when"), str):
        if data.get("requests"):
            yield where, data["when"], REQUEST_STATS
        else:
            check_kind = checks.get(str(data.get("check")))
            yield where, data["when"], KINDS[check_kind].all_fields if check_kind else None
    for key, value in data.items():
        if key not in ("expect", "when") and isinstance(value, dict | list):
            yield from expressions(value, where, checks)


def check_kinds(document: Any) -> dict[str, str]:
    checks = document.get("checks") if isinstance(document, dict) else None
    kinds = {}
    for check in checks if isinstance(checks, list) else []:
        kind = next((k for k in check if k in KINDS), None)
        if kind:
            kinds[str(check.get("name"))] = kind
    return kinds


def documents() -> Iterator[tuple[str, Any]]:
    for doc in DOCS:
        for index, block in enumerate(_CODE_BLOCK.findall(doc.read_text(encoding="utf-8"))):
            yield f"{doc.name} yaml block {index + 1}", yaml.safe_load(block)
    yield REFERENCE.name, yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))


def all_expressions() -> list[Found]:
    parsed = list(documents())
    known = {name: kind for _, document in parsed for name, kind in check_kinds(document).items()}
    found = [f for where, document in parsed for f in expressions(document, where, known)]
    found += [
        (f"default of {n}", e, k.all_fields) for n, k in KINDS.items() for e in k.default_expect
    ]
    return found


FOUND = all_expressions()


def test_the_docs_and_the_reference_have_expressions_of_every_kind() -> None:
    places = {where.split(" ")[0] for where, _, _ in FOUND}
    assert {"golive.reference.yaml", "probes.md", "configuration.md", "serve.md"} <= places
    checked = {id(fields) for _, _, fields in FOUND if fields is not None}
    assert len(checked) >= len(KINDS)  # each kind's fields, and the request statistics


@pytest.mark.parametrize(("where", "source", "fields"), FOUND, ids=[f[1] for f in FOUND])
def test_a_documented_expression_compiles_and_runs(
    where: str, source: str, fields: Mapping[str, str] | None
) -> None:
    expectation = compile_expression(source, fields if fields is not None else any_fields(source))
    if fields is None:  # a kind this version has no fields for: its calls were still checked
        return
    outcome = expectation.evaluate(sample_fields(fields))
    assert outcome.error is None or "Undefined" not in outcome.error, (where, outcome.error)


def function_table() -> list[tuple[list[str], str]]:
    text = (ROOT / "docs" / "probes.md").read_text(encoding="utf-8")
    part = text[text.index("### Functions\n") : text.index("### What a failure reports\n")]
    rows = []
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| `") and len(cells) == 3:
            rows.append((_SPAN.findall(cells[0]), _SPAN.fullmatch(cells[2]).group(1)))  # type: ignore[union-attr]
    return rows


TABLE = function_table()


def test_every_function_and_macro_is_in_the_table() -> None:
    listed = {name for names, _ in TABLE for name in names}
    assert listed == set(FUNCTIONS) | set(MACROS)


@pytest.mark.parametrize("example", [example for _, example in TABLE])
def test_every_example_in_the_function_table_is_true(example: str) -> None:
    outcome = compile_expression(example, {}).evaluate({})
    assert (outcome.ok, outcome.error) == (True, None)


def inline_expressions() -> list[str]:
    """The code spans of the Expectations section that read only fields of some kind."""
    text = (ROOT / "docs" / "probes.md").read_text(encoding="utf-8")
    part = text[text.index("## Expectations\n") : text.index("### Functions\n")]
    every_field = {name for kind in KINDS.values() for name in kind.all_fields}
    found = []
    for span in _SPAN.findall(part):
        try:
            program = compile_program(span)
        except ValueError:
            continue  # prose, an error message, a key
        if program.functions() and set(program.variables()) <= every_field:
            found.append(span)
    return found


def test_the_inline_examples_compile_and_run() -> None:
    spans = inline_expressions()
    assert 'body.contains("ok")' in spans and "int(stdout) < 85" in spans
    every_field = {n: t for kind in KINDS.values() for n, t in kind.all_fields.items()}
    for span in spans:
        outcome = compile_expression(span, every_field).evaluate(sample_fields(every_field))
        assert outcome.error is None or "Undefined" not in outcome.error, (span, outcome.error)
