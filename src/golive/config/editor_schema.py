"""The JSON Schema of ``golive.yaml`` for editors (``golive schema``): the config model's own
schema with each gate built-in's ``with:`` arguments, defaults written as in the file, and
loosened only where loading is looser than the model (any scalar may be a ``${...}``
reference, resolved before validation)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from golive.config.later_checks import with_later_kinds
from golive.config.reference import format_duration
from golive.config.root import config_model
from golive.config.units import format_budget
from golive.probes.base import ProbeKind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_REFERENCE = {"type": "string", "pattern": r"\$\{[^}]+\}", "description": "a ${...} reference"}
_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")  # name → schema
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMAS = ("items", "additionalProperties", "not")
_SHOWN = ("title", "description", "default")


class _WrittenDefaults(GenerateJsonSchema):
    """Defaults as a user writes them: ``10s`` rather than ``PT10S``, ``600/m`` not a pair."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        if isinstance(dft, tuple) and [type(v) for v in dft] == [int, float]:
            return format_budget(dft)
        return super().encode_default(dft)


def json_schema(
    kinds: Mapping[str, ProbeKind[Any]], gate_args: Mapping[str, type[BaseModel]]
) -> dict[str, Any]:
    """The schema of a config whose checks know these probe kinds and whose gate items may
    ``run:`` these built-ins (name → the model of its ``with:``)."""
    model = config_model(with_later_kinds(kinds))
    wanted = [(m, "validation") for m in (model, *gate_args.values())]
    schemas, top = models_json_schema(wanted, by_alias=True, schema_generator=_WrittenDefaults)  # type: ignore[arg-type]
    definitions = top["$defs"]
    root = definitions.pop(model.__name__)
    item = definitions["GateItem"]
    item["properties"]["run"] = {"description": "a built-in check", "enum": [*gate_args, None]}
    item["allOf"] = [
        {
            "if": {"properties": {"run": {"const": name}}, "required": ["run"]},
            "then": {"properties": {"with": schemas[(args, "validation")]}},
        }
        for name, args in gate_args.items()
    ]
    schema = {**root, "$defs": definitions}
    return {"$schema": DIALECT, **_with_references(schema), "title": "golive.yaml"}


def _with_references(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` and every schema inside it, each scalar one also accepting ``${...}``."""
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: _with_references(item) for name, item in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            result[key] = [_with_references(item) for item in value]
        elif key in _SCHEMAS and isinstance(value, dict):
            result[key] = _with_references(value)
        else:
            result[key] = value
    kind = result.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    if "pattern" in result and "string" in kinds:
        result["pattern"] = f"(?:{result['pattern']})|\\$\\{{"
    if kinds & {"integer", "number", "boolean"} or "enum" in result or "const" in result:
        shown = {k: result.pop(k) for k in _SHOWN if k in result}  # editors read them here
        return {**shown, "anyOf": [result, _REFERENCE]}
    return result
