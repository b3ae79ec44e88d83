"""SLO arithmetic on plain numbers: attainment, error budget, burn rate, time to exhaustion,
and the SRE workbook's multiwindow burn-rate table scaled to an SLO's window.

Burn rate is the error ratio over a window divided by the budget ratio ``1 - objective``: at 1×
the budget lasts exactly the SLO window. A burn rate ``b`` held for a time ``t`` consumes
``b * t / window`` of the budget, so the workbook's 14.4× over 1 h of a 30-day SLO is
14.4 / 720 = 2 % of it. golive scales every alert window by ``window / 30d`` and keeps the
factors, so each row still means the same share of the budget (2 %, 5 %, 10 %, 10 %) whatever the
SLO's window; scaled windows are rounded to whole minutes (at least one), the finest rollup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

REFERENCE_WINDOW = timedelta(days=30)

Kind = Literal["page", "ticket"]


@dataclass(frozen=True, slots=True)
class Counts:
    """Good and total events of an SLI over one window (runs, requests, or summed ratios)."""

    good: float
    total: float

    @property
    def bad(self) -> float:
        return self.total - self.good

    @property
    def error_ratio(self) -> float | None:
        """Bad / total, or None when nothing happened in the window."""
        return self.bad / self.total if self.total > 0 else None

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.good + other.good, self.total + other.total)


NOTHING = Counts(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class BurnRule:
    """One row of the multiwindow table: alert when the burn rate exceeds ``factor`` over both
    the long and the short window."""

    kind: Kind
    long: timedelta
    short: timedelta
    factor: float

    def budget_share(self, window: timedelta) -> float:
        """The share of the budget this rule's burn consumes over its long window."""
        return self.factor * (self.long / window)


# The SRE workbook, chapter 5, table 5-8 (a 30-day SLO); Sloth generates the same four rows.
WORKBOOK: tuple[BurnRule, ...] = (
    BurnRule("page", timedelta(hours=1), timedelta(minutes=5), 14.4),
    BurnRule("page", timedelta(hours=6), timedelta(minutes=30), 6.0),
    BurnRule("ticket", timedelta(days=1), timedelta(hours=2), 3.0),
    BurnRule("ticket", timedelta(days=3), timedelta(hours=6), 1.0),
)


def scaled(window: timedelta, rule: timedelta) -> timedelta:
    """``rule`` (a window of the 30-day table) scaled by ``window / 30d``, in whole minutes."""
    minutes = round(rule * (window / REFERENCE_WINDOW) / timedelta(minutes=1))
    return timedelta(minutes=max(1, minutes))


def burn_rules(window: timedelta) -> tuple[BurnRule, ...]:
    """The workbook's four rows for an SLO of ``window``."""
    return tuple(
        BurnRule(r.kind, scaled(window, r.long), scaled(window, r.short), r.factor)
        for r in WORKBOOK
    )


def alert_windows(window: timedelta) -> tuple[timedelta, ...]:
    """Every distinct window the burn rules of an SLO of ``window`` read, shortest first."""
    found = {w for r in burn_rules(window) for w in (r.long, r.short)}
    return tuple(sorted(found))


def burn_rate(counts: Counts, objective: float) -> float | None:
    """Error ratio / allowed error ratio; None when the window saw no events.

    ``objective`` is a fraction (0.999). An objective of 100 % allows no errors: any error
    burns infinitely fast.
    """
    ratio = counts.error_ratio
    if ratio is None:
        return None
    allowed = 1.0 - objective
    if allowed <= 0:
        return 0.0 if ratio == 0 else float("inf")
    return ratio / allowed


@dataclass(frozen=True, slots=True)
class Budget:
    """The error budget of an SLO over its window, in events and as shares."""

    total: float  # bad events the window may hold: (1 - objective) * total events
    consumed: float  # bad events so far
    remaining: float  # total - consumed (negative once overspent)

    @property
    def remaining_share(self) -> float | None:
        """Remaining / total (1.0 = untouched, 0 = spent, below 0 = overspent)."""
        if self.total > 0:
            return self.remaining / self.total
        return None if self.consumed == 0 else float("-inf")

    @property
    def consumed_share(self) -> float | None:
        share = self.remaining_share
        return None if share is None else 1.0 - share


def budget(counts: Counts, objective: float) -> Budget:
    """The budget of ``counts`` (the whole SLO window) at ``objective`` (a fraction)."""
    total = (1.0 - objective) * counts.total
    return Budget(total=total, consumed=counts.bad, remaining=total - counts.bad)


def attainment(counts: Counts) -> float | None:
    """Good / total over the window; None without events."""
    return counts.good / counts.total if counts.total > 0 else None


def exhausted_at(
    remaining_share: float | None, rate: float | None, window: timedelta, now: datetime
) -> datetime | None:
    """When the remaining budget runs out if it keeps burning at ``rate`` (burn rate).

    At rate 1 a whole budget lasts ``window``, so a share ``r`` lasts ``r * window / rate``.
    Already spent: ``now``. No burn (or nothing measured): None, never at this rate.
    """
    if remaining_share is None or rate is None:
        return None
    if remaining_share <= 0:
        return now
    if rate <= 0:
        return None
    return now + window * (remaining_share / rate)


def firing(rules: tuple[BurnRule, ...], rates: dict[timedelta, float | None], kind: Kind) -> bool:
    """Whether any ``kind`` rule has both its windows burning above its factor."""
    return any(
        _above(rates.get(r.long), r.factor) and _above(rates.get(r.short), r.factor)
        for r in rules
        if r.kind == kind
    )


def _above(rate: float | None, factor: float) -> bool:
    return rate is not None and rate > factor


def duration_text(value: timedelta) -> str:
    """``30d``, ``6h``, ``84m``, ``90s``, ``200ms``: the largest unit that divides it exactly."""
    if value % timedelta(seconds=1):
        return f"{round(value / timedelta(milliseconds=1))}ms"
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
