"""The docs are checked against the code: every config key, probe kind, probe field and CLI
command is documented, documented defaults are the real ones, examples load, and the generated
blocks are up to date."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel, TypeAdapter
from typer.testing import CliRunner

from golive.cli import app
from golive.config import load_config
from golive.config.reference import NO_DEFAULT, REQUIRED, SchemaKey, schema_keys
from golive.config.root import config_model
from golive.config.stages import SECTIONS
from golive.engine import CheckResult
from golive.probes import COMMON_FIELDS, builtin_kinds

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
PROBES = DOCS / "probes.md"
CLI = DOCS / "cli.md"
TOP_LEVEL = "(top level)"

_ANCHOR = re.compile(r"<!-- keys: (.+?) -->")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_KEY_CELL = re.compile(r"`([^`]+)`")
_CODE_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def schema() -> dict[str, SchemaKey]:
    return {key.path: key for key in schema_keys(config_model(builtin_kinds()))}


def cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT.split(line.strip().strip("|"))]


def key_tables(text: str) -> dict[str, dict[str, str]]:
    """``{anchor: {key: default cell}}`` for each table that follows ``<!-- keys: ANCHOR -->``."""
    tables: dict[str, dict[str, str]] = {}
    lines = iter(text.splitlines())
    for line in lines:
        match = _ANCHOR.search(line)
        if not match:
            continue
        anchor = "" if match.group(1) == TOP_LEVEL else match.group(1)
        assert anchor not in tables, f"two tables for {match.group(1)}"
        rows: dict[str, str] = {}
        in_table = False
        for row in lines:
            if not row.startswith("|"):
                if in_table or row.startswith("#") or _ANCHOR.search(row):
                    break
                continue
            in_table = True
            columns = cells(row)
            key = _KEY_CELL.fullmatch(columns[0])
            if key:  # the header and the separator have no `key`
                assert key.group(1) not in rows, f"{anchor}: {key.group(1)} twice"
                rows[key.group(1)] = columns[2]
        tables[anchor] = rows
    return tables


def documented_keys(text: str) -> Iterator[tuple[str, str, str]]:
    """``(anchor, full path, default cell)`` for every row of every key table."""
    for anchor, rows in key_tables(text).items():
        for key, default in rows.items():
            yield anchor, f"{anchor}.{key}" if anchor else key, default


def home_table(path: str, anchors: set[str]) -> str:
    """The deepest anchor whose table should hold ``path``."""
    candidates = [a for a in anchors if a and path.startswith(a + ".")]
    return max(candidates, key=len) if candidates else ""


def section(text: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = text.index(heading + "\n")
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(text, start + len(heading))
    return text[start : end.start() if end else len(text)]


def test_every_config_key_is_documented() -> None:
    tables = key_tables(CONFIGURATION.read_text(encoding="utf-8"))
    missing = []
    for path in schema():
        anchor = home_table(path, set(tables))
        relative = path[len(anchor) + 1 :] if anchor else path
        if relative not in tables.get(anchor, {}):
            missing.append(f"{path} (in the table of {anchor or TOP_LEVEL})")
    assert not missing, "config keys missing from docs/configuration.md:\n" + "\n".join(missing)


def test_every_documented_config_key_exists() -> None:
    known = schema()
    unknown = [
        path
        for _, path, _ in documented_keys(CONFIGURATION.read_text(encoding="utf-8"))
        if path not in known
    ]
    assert not unknown, "docs/configuration.md documents keys the schema does not have: " + str(
        unknown
    )


def _default_matches(key: SchemaKey, written: str) -> bool:
    if key.required:
        return written == REQUIRED
    default = key.default
    if written == REQUIRED:
        return False
    if default is None or isinstance(default, BaseModel):
        return bool(written)  # the meaning of "not set" is explained in words
    value = yaml.safe_load(written.strip("`"))
    return bool(TypeAdapter(key.annotation).validate_python(value) == default)


def test_documented_defaults_are_the_real_defaults() -> None:
    known = schema()
    wrong = [
        f"{path}: documented {default!r}, the code says {known[path].default_text()!r}"
        for _, path, default in documented_keys(CONFIGURATION.read_text(encoding="utf-8"))
        if path in known and not _default_matches(known[path], default)
    ]
    assert not wrong, "\n".join(wrong)


def test_every_configured_section_has_its_stage_documented() -> None:
    stages = section(
        CONFIGURATION.read_text(encoding="utf-8"), "## Stages: what golive acts on today"
    )
    for entry in SECTIONS:
        row = next(line for line in stages.splitlines() if line.startswith(f"| `{entry.key}`"))
        assert entry.stage in row
        assert ("not yet supported" in row) is not entry.supported


def yaml_examples(path: Path) -> Iterator[str]:
    for language, body in _CODE_BLOCK.findall(path.read_text(encoding="utf-8")):
        if language == "yaml":
            yield body


@pytest.mark.parametrize("doc", [CONFIGURATION, PROBES], ids=lambda p: p.name)
def test_the_yaml_examples_in_the_docs_load(doc: Path, tmp_path: Path) -> None:
    examples = list(yaml_examples(doc))
    assert examples
    for index, example in enumerate(examples):
        data = yaml.safe_load(example)
        assert isinstance(data, dict), example
        text = example if "version" in data else f"version: 1\nproject: docs\n{example}"
        file = tmp_path / f"example-{index}.yaml"
        file.write_text(text, encoding="utf-8")
        load_config(file, environ={})


def test_every_probe_kind_and_its_fields_are_documented() -> None:
    text = PROBES.read_text(encoding="utf-8")
    common = section(text, "## Common fields")
    for name in COMMON_FIELDS:
        assert f"| `{name}` |" in common, f"common field {name} is not in docs/probes.md"
    for name, kind in builtin_kinds().items():
        assert f"## `{name}`\n" in text, f"probe kind {name} has no section in docs/probes.md"
        part = section(text, f"## `{name}`")
        for field in kind.fields:
            assert f"| `{field}` |" in part, f"{name} field {field} is not in docs/probes.md"
        for field_name, option in kind.spec.model_fields.items():
            key = option.alias or field_name
            assert f"| `{key}` |" in part, f"{name} option {key} is not in docs/probes.md"
        for expectation in kind.default_expect:
            assert f"`{expectation}`" in part


def test_the_generated_blocks_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(DOCS / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def cli_commands() -> Iterator[tuple[str, Any, Any]]:
    root = typer.main.get_command(app)
    stack = [("golive", root, root.context_class(root, info_name="golive"))]
    while stack:
        path, command, ctx = stack.pop()
        yield path, command, ctx
        for name, sub in getattr(command, "commands", {}).items():
            if not sub.hidden:
                stack.append((f"{path} {name}", sub, sub.context_class(sub, info_name=name)))


def test_every_cli_command_and_option_is_documented() -> None:
    text = CLI.read_text(encoding="utf-8")
    for path, command, ctx in cli_commands():
        assert f"### `{path}`\n" in text, f"command {path!r} is not in docs/cli.md"
        part = section(text, f"### `{path}`")
        for param in command.get_params(ctx):
            if param.hidden or "--help" in param.opts:
                continue
            if param.param_type_name == "argument":
                assert f"`{param.name.upper()}" in part, f"{path}: argument {param.name}"
                continue
            for opt in [*param.opts, *param.secondary_opts]:
                assert f"`{opt}`" in part, f"{path}: option {opt} is not in docs/cli.md"


def json_examples() -> list[Any]:
    text = CLI.read_text(encoding="utf-8")
    return [json.loads(body) for language, body in _CODE_BLOCK.findall(text) if language == "json"]


def test_the_check_json_example_has_the_shape_of_a_result() -> None:
    result = CheckResult(
        name="x",
        component=None,
        kind="tcp",
        target="127.0.0.1:1",
        ok=True,
        latency_ms=1.0,
        error=None,
        failed=(),
        fields={},
        taken_at=datetime.now(UTC),
    )
    example = next(e for e in json_examples() if isinstance(e, list))
    assert set(example[0]) == set(result.as_dict())
    keys = section(CLI.read_text(encoding="utf-8"), "### `--json`")
    for key in result.as_dict():
        assert f"| `{key}` |" in keys, f"check --json key {key} is not explained"


def test_the_validate_json_example_has_the_keys_golive_prints(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.output
    example = next(e for e in json_examples() if isinstance(e, dict))
    assert set(example) == set(json.loads(result.output))


def test_the_schema_walker_writes_types_and_defaults_as_a_user_would() -> None:
    keys = schema()
    assert keys["checks[].runbook"].default_text() == NO_DEFAULT
    assert keys["checks[].every"].default_text() == "1m"
    assert keys["flags[].rollout"].default_text() == "100%"
    assert keys["alerts[].for"].type_text() == "duration"
    assert keys["project"].default_text() == REQUIRED
