"""Engine: runs checks into results and evidence (once for `golive check`, on a schedule for
`golive serve`). Knows nothing about HTTP routes or templates."""

from golive.engine.once import check_once, open_store, select_checks
from golive.engine.results import CheckResult, Failure
from golive.engine.run import run_check, run_checks

__all__ = [
    "CheckResult",
    "Failure",
    "check_once",
    "open_store",
    "run_check",
    "run_checks",
    "select_checks",
]
