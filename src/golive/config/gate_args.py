"""Each gate item's `with:` arguments, validated against its built-in when the config loads.

The built-ins' argument models are injected by the caller (``load_config(gate_args=...)``, from
``golive.gate.registry.argument_models``), as probe kinds are: the config never imports the gate.
"""

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
    config: ConfigBase,
    builtins: Mapping[str, type[BaseModel]],
    data: Mapping[str, Any],
    positions: Positions,
    issues: list[Issue],
) -> dict[str, BaseModel]:
    """The validated arguments of every `run:` item, by item name, given each built-in's
    argument model by name; problems go to ``issues``."""
    arguments: dict[str, BaseModel] = {}
    for index, item in enumerate(config.gate):
        if item.run is None:
            continue
        args = builtins.get(item.run)
        if args is None:
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
            arguments[item.name] = args.model_validate(item.with_)
        except ValidationError as exc:
            issues.extend(translate(exc, args, data, positions, prefix=("gate", index, "with")))
    return arguments
