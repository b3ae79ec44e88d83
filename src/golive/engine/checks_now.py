"""The checks now: every configured check with its current state, filtered and sorted. The one
read model behind `golive status`, ``/api/checks`` and the dashboard's overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from golive.config import LoadedConfig
from golive.config.checks import CheckBase
from golive.records import CheckStatus
from golive.store import Store
from golive.store.history import check_states

STATES = ("up", "down", "unknown")
Sort = Literal["config", "name", "state"]
SORTS: tuple[Sort, ...] = ("config", "name", "state")
_WORST_FIRST = {"down": 0, "unknown": 1, "up": 2}


@dataclass(frozen=True, slots=True)
class CheckNow:
    """One configured check and what golive believes about it now (``status`` None: no run
    known), its errors redacted."""

    check: CheckBase
    status: CheckStatus | None
    maintenance: str | None  # the maintenance window it is in now
    last_error: str | None
    last_failed: list[dict[str, Any]]

    @property
    def name(self) -> str:
        return self.check.name

    @property
    def state(self) -> str:
        return self.status.state if self.status else "unknown"


@dataclass(frozen=True, slots=True)
class Selection:
    """Which checks and in which order; every filter given must hold. ``q``: text in the name,
    description or component, in any case; ``labels``: ``(key, value)`` pairs the check's
    labels must have (``value`` None: any value)."""

    state: str | None = None
    component: str | None = None
    q: str | None = None
    labels: tuple[tuple[str, str | None], ...] = ()
    sort: Sort = "config"

    def keeps(self, row: CheckNow) -> bool:
        check = row.check
        if self.component is not None and check.component != self.component:
            return False
        if self.state is not None and row.state != self.state:
            return False
        for key, value in self.labels:
            if key not in check.labels or value not in (None, check.labels[key]):
                return False
        return self.q is None or self.q.casefold() in _haystack(check)


def parse_label(text: str) -> tuple[str, str | None]:
    """``key=value`` → ``(key, value)``; ``key`` → ``(key, None)`` (has the label)."""
    key, equals, value = text.partition("=")
    return key.strip(), value.strip() if equals else None


@dataclass(frozen=True, eq=False)
class ChecksNow:
    """Every configured check at one moment, in configuration order."""

    rows: tuple[CheckNow, ...]
    counts: Counter[str] = field(init=False)  # checks per state
    components: tuple[str, ...] = field(init=False)  # sorted

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", Counter(row.state for row in self.rows))
        components = sorted({r.check.component for r in self.rows if r.check.component})
        object.__setattr__(self, "components", tuple(components))

    def select(self, selection: Selection) -> list[CheckNow]:
        """The rows ``selection`` keeps, in its order (a stable sort: ties keep the
        configuration's order; ``state`` puts down first, then unknown, then up)."""
        kept = [row for row in self.rows if selection.keeps(row)]
        if selection.sort == "name":
            kept.sort(key=lambda row: row.name)
        elif selection.sort == "state":
            kept.sort(key=lambda row: _WORST_FIRST.get(row.state, len(_WORST_FIRST)))
        return kept


def checks_now(
    loaded: LoadedConfig,
    store: Store,
    *,
    live: Mapping[str, CheckStatus] | None = None,
    maintenance: Mapping[str, str] | None = None,
) -> ChecksNow:
    """Every configured check with its state: from ``live`` (the scheduler's memory) when
    given, else, and for checks missing there, as stored; ``maintenance`` maps a check to the
    window it is in now."""
    checks = loaded.config.checks
    statuses = dict(live) if live is not None else {}
    missing = [c.name for c in checks if c.name not in statuses]
    if missing:
        statuses.update(check_states(store, None if live is None else missing))
    windows = maintenance or {}
    secrets = loaded.secrets
    rows = []
    for check in checks:
        status = statuses.get(check.name)
        error = status.last_error if status else None
        failed = status.last_failed if status else None
        rows.append(
            CheckNow(
                check=check,
                status=status,
                maintenance=windows.get(check.name),
                last_error=secrets.redact(error) if error else None,
                last_failed=secrets.redact_data(failed) if failed else [],
            )
        )
    return ChecksNow(tuple(rows))


def _haystack(check: CheckBase) -> str:
    return " ".join((check.name, check.description, check.component or "")).casefold()
