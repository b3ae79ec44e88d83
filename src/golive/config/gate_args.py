"""Each gate item's `with:` arguments, validated against its built-in when the config loads."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from golive.config.errors import translate
from golive.config.root import ConfigBase
from golive.config.source import Positions
from golive.exceptions import Issue


def check_gate_args(
    config: ConfigBase, data: Mapping[str, Any], positions: Positions, issues: list[Issue]
) -> dict[str, BaseModel]:
    """The validated arguments of every `run:` item, by item name; problems go to ``issues``."""
    from golive.gate.registry import builtin_checks  # the gate's built-ins import the config

    builtins = builtin_checks()
    arguments: dict[str, BaseModel] = {}
    for index, item in enumerate(config.gate):
        if item.run is None:
            continue
        builtin = builtins.get(item.run)
        if builtin is None:
            hint = difflib.get_close_matches(item.run, list(builtins), n=1)
            known = (
                f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(sorted(builtins))}"
            )
            where = positions.value(("gate", index, "run"))
            issues.append(
                Issue(f"gate[{item.name}].run: unknown built-in '{item.run}'; {known}", where)
            )
            continue
        try:
            arguments[item.name] = builtin.args.model_validate(item.with_)
        except ValidationError as exc:
            issues.extend(
                translate(exc, builtin.args, data, positions, prefix=("gate", index, "with"))
            )
    return arguments
