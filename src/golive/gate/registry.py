"""The built-in readiness checks golive knows: one line each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from golive.gate.builtins import (
    env,
    https_redirect,
    migration_lint,
    notify_test,
    rate_limit,
    security_headers,
    tls,
)
from golive.gate.builtins.base import Builtin

BUILTIN: tuple[Builtin[Any], ...] = (
    migration_lint.BUILTIN,
    security_headers.BUILTIN,
    https_redirect.BUILTIN,
    tls.BUILTIN,
    rate_limit.BUILTIN,
    env.BUILTIN,
    notify_test.BUILTIN,
)


def builtin_checks() -> Mapping[str, Builtin[Any]]:
    """The built-in checks by name."""
    return {builtin.name: builtin for builtin in BUILTIN}


def argument_models() -> Mapping[str, type[BaseModel]]:
    """Each built-in's ``with:`` argument model by name (what ``load_config(gate_args=)`` takes)."""
    return {builtin.name: builtin.args for builtin in BUILTIN}
