"""Engine: runs checks into results and evidence (once for `golive check`, on a schedule for
`golive serve`). Knows nothing about HTTP routes or templates.

The names below load on first use, so that the pure modules (``golive.engine.state``,
``golive.engine.rollup``) can be imported without the store's database drivers."""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from golive.engine.once import check_once, open_store, select_checks
    from golive.engine.results import CheckResult, Failure
    from golive.engine.run import run_check, run_checks

_HOMES = {
    "CheckResult": "golive.engine.results",
    "Failure": "golive.engine.results",
    "check_once": "golive.engine.once",
    "open_store": "golive.engine.once",
    "select_checks": "golive.engine.once",
    "run_check": "golive.engine.run",
    "run_checks": "golive.engine.run",
}

__all__ = [
    "CheckResult",
    "Failure",
    "check_once",
    "open_store",
    "run_check",
    "run_checks",
    "select_checks",
]


def __getattr__(name: str) -> typing.Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'golive.engine' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
