"""The docs are checked against the code: every config key, probe kind, probe field, CLI
command, API route and metric is documented, documented defaults are the real ones, examples
load, and the generated blocks are up to date."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast, get_args

import pytest
import typer
import yaml
from pydantic import BaseModel, TypeAdapter
from typer.testing import CliRunner

from golive.cli import app
from golive.clock import ManualClock
from golive.config import load_config
from golive.config.later_checks import with_later_kinds
from golive.config.model import Server
from golive.config.reference import NO_DEFAULT, REQUIRED, SchemaKey, schema_keys
from golive.config.root import config_model
from golive.config.stages import SECTIONS
from golive.engine import CheckResult
from golive.gate.model import GateReport, ItemResult, Status
from golive.gate.registry import argument_models, builtin_checks
from golive.probes import COMMON_FIELDS, builtin_kinds
from golive.serve.metrics import Metrics
from golive.web import Runtime, create_app

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
CONFIGURATION = DOCS / "configuration.md"
PROBES = DOCS / "probes.md"
CLI = DOCS / "cli.md"
SERVE = DOCS / "serve.md"
GATE = DOCS / "gate.md"
METRICS = DOCS / "metrics.md"
JOURNEYS = DOCS / "journeys.md"
INTEGRATIONS = DOCS / "integrations.md"
TOP_LEVEL = "(top level)"

_ANCHOR = re.compile(r"<!-- keys: (.+?) -->")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_KEY_CELL = re.compile(r"`([^`]+)`")
_CODE_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def schema() -> dict[str, SchemaKey]:
    """Every config key; a step's probe options are the check's (documented once, there)."""
    keys = schema_keys(config_model(with_later_kinds(builtin_kinds())))
    step_option = re.compile(r"^checks\[\]\.steps\[\]\.[a-z_]+\.")
    return {key.path: key for key in keys if not step_option.match(key.path)}


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


# A block fenced as ```yaml is a golive config; one with more after the language (```yaml
# prometheus.yml) is some other tool's file and is not matched by _CODE_BLOCK.
@pytest.mark.parametrize(
    "doc",
    [CONFIGURATION, PROBES, SERVE, GATE, METRICS, JOURNEYS, INTEGRATIONS],
    ids=lambda p: p.name,
)
def test_the_yaml_examples_in_the_docs_load(doc: Path, tmp_path: Path) -> None:
    examples = list(yaml_examples(doc))
    assert examples
    for index, example in enumerate(examples):
        data = yaml.safe_load(example)
        assert isinstance(data, dict), example
        text = example if "version" in data else f"version: 1\nproject: docs\n{example}"
        file = tmp_path / f"example-{index}.yaml"
        file.write_text(text, encoding="utf-8")
        load_config(file, environ={}, gate_args=argument_models())


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


def test_the_status_json_example_has_the_keys_golive_prints(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text(
        "version: 1\nproject: shop\nchecks:\n  - {name: db, tcp: {host: 127.0.0.1, port: 1}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["status", "-c", str(config), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    example = next(e for e in json_examples() if isinstance(e, dict) and "alerts_firing" in e)
    assert set(example) == set(printed)
    assert set(example["checks"][0]) == set(printed["checks"][0])
    assert set(example["notifications"]) == set(printed["notifications"])


# ---------------------------------------------------------------- golive serve -----------------

_ROUTE_ROW = re.compile(r"^\| `([A-Z]+) (/[^`]*)` \|", re.M)
_METRIC_ROW = re.compile(r"^\| `(golive_\w+)` \|", re.M)


class _AppOnly:
    """Just enough of a ``golive.web.Runtime`` to build the app and list its routes: like
    ``tests/devkit/web.FakeRuntime``, but no request is served, so nothing else is read."""

    clock = ManualClock()
    loaded = SimpleNamespace(config=SimpleNamespace(server=Server()))  # the default limits


def _route_rows(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI keeps included routers
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _route_rows(included.routes, prefix + getattr(context, "prefix", ""))
        elif hasattr(route, "path"):
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    yield method, prefix + getattr(route, "path_format", route.path)


def api_routes() -> set[tuple[str, str]]:
    """``(method, path)`` of every route ``golive.web.create_app`` registers."""
    return set(_route_rows(create_app(cast(Runtime, _AppOnly())).routes))


def metric_names() -> set[str]:
    """Every metric ``golive.serve.metrics.Metrics`` registers, named as /metrics shows it."""
    return {
        f"{family.name}_total" if family.type == "counter" else family.name
        for family in Metrics().registry.collect()
    }


def test_every_api_route_is_documented() -> None:
    routes = api_routes()
    assert ("GET", "/healthz") in routes and len(routes) > 10, routes  # the walk found them
    table = section(SERVE.read_text(encoding="utf-8"), "### Routes")
    documented = set(_ROUTE_ROW.findall(table))
    missing = sorted(f"{method} {path}" for method, path in routes - documented)
    assert not missing, "API routes missing from the table in docs/serve.md: " + str(missing)
    unknown = sorted(f"{method} {path}" for method, path in documented - routes)
    assert not unknown, "docs/serve.md documents routes the app does not have: " + str(unknown)


def test_every_metric_is_documented() -> None:
    names = metric_names()
    assert "golive_check_up" in names
    table = section(SERVE.read_text(encoding="utf-8"), "## `/metrics`")
    documented = set(_METRIC_ROW.findall(table))
    missing = sorted(names - documented)
    assert not missing, "metrics missing from the table in docs/serve.md: " + str(missing)
    unknown = sorted(documented - names)
    assert not unknown, "docs/serve.md documents metrics golive does not have: " + str(unknown)


# ---------------------------------------------------------------- golive gate ------------------

_BUILTIN_HEADING = re.compile(r"^### `([^`]+)`$", re.M)
_ARG_ROW = re.compile(r"^\| `([^`]+)` \|", re.M)


def generated_block(text: str, name: str) -> str:
    """The body of ``<!-- generated:NAME -->`` ... ``<!-- end -->``."""
    start = text.index(f"<!-- generated:{name} -->\n")
    return text[start : text.index("<!-- end -->", start)]


def test_every_gate_builtin_and_its_arguments_are_documented() -> None:
    text = GATE.read_text(encoding="utf-8")
    builtins = builtin_checks()
    assert "security_headers" in builtins and len(builtins) >= 7, builtins
    documented = set(_BUILTIN_HEADING.findall(section(text, "## Built-in checks")))
    missing = sorted(set(builtins) - documented)
    assert not missing, "built-ins without a ### section in docs/gate.md: " + str(missing)
    unknown = sorted(documented - set(builtins))
    assert not unknown, "docs/gate.md documents built-ins golive does not have: " + str(unknown)
    for name, builtin in builtins.items():
        part = section(text, f"### `{name}`")
        keys = {
            field.alias or field_name for field_name, field in builtin.args.model_fields.items()
        }
        for key in sorted(keys):
            assert f"| `{key}` |" in part, f"{name}: argument {key} is not in docs/gate.md"
        rows = set(_ARG_ROW.findall(generated_block(part, f"gate-args:{name}")))
        assert rows == keys, f"{name}: the arguments table of docs/gate.md is not its Args"
        assert ("not yet supported" in part) is not builtin.supported, name


def test_the_run_key_names_every_builtin() -> None:
    rows = section(CONFIGURATION.read_text(encoding="utf-8"), "### `gate`")
    run = next(line for line in rows.splitlines() if line.startswith("| `run` |"))
    named = set(_KEY_CELL.findall(cells(run)[3])) - {"run"}
    assert named == set(builtin_checks()), "docs/configuration.md: gate[].run lists " + str(named)


def test_every_gate_status_is_explained() -> None:
    table = section(GATE.read_text(encoding="utf-8"), "## The verdict")
    for status in get_args(Status):
        assert f"| `{status}` |" in table, f"gate status {status} is not in docs/gate.md"


def test_the_gate_json_example_has_the_keys_golive_prints() -> None:
    text = GATE.read_text(encoding="utf-8")
    part = section(text, "## `--json`")
    (example,) = [json.loads(body) for lang, body in _CODE_BLOCK.findall(part) if lang == "json"]
    item = ItemResult("x", "technical", True, "pass", "ok", kind="checks")
    report = GateReport("shop", "default", None, datetime.now(UTC), (item,))
    assert set(example) == set(report.as_dict())
    assert all(set(i) == set(item.as_dict()) for i in example["items"])
    statuses = {i["status"] for i in example["items"]}
    assert statuses <= set(get_args(Status)), statuses
    for key in [*report.as_dict(), *item.as_dict()]:
        assert f"| `{key}` |" in part, f"gate --json key {key} is not explained"
