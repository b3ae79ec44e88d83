"""One read model per SLO: attainment, budget, burn rate per alert window, when the budget runs
out, and a budget-burn series over the window; the CLI, the API and the dashboard all show it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from golive.config.slo import Slo
from golive.exceptions import UsageError
from golive.slo.budget import (
    NOTHING,
    Budget,
    BurnRule,
    Counts,
    alert_windows,
    attainment,
    budget,
    burn_rate,
    burn_rules,
    duration_text,
    exhausted_at,
)
from golive.slo.sli import NoRequestData, Reader, describe

CHART_POINTS = 30  # budget-burn points over the window
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SloStatus:
    """An SLO as measured at ``at``."""

    name: str
    objective: float  # a fraction: 0.999
    window: timedelta
    sli: str
    at: datetime
    counts: Counts
    budget: Budget
    burn: dict[timedelta, float | None]  # burn rate over each alert window
    rules: tuple[BurnRule, ...]
    since: datetime  # from when the data covers the window
    note: str = ""  # why there is no data, when there is none
    unmeasurable: bool = False  # the SLI could not be read (the note says why)

    @property
    def attainment(self) -> float | None:
        return attainment(self.counts)

    @property
    def current_rate(self) -> float | None:
        """The burn rate the exhaustion time assumes: over the first page rule's long window
        (1 h of a 30-day SLO)."""
        return self.burn.get(self.rules[0].long)

    @property
    def exhausted_at(self) -> datetime | None:
        return exhausted_at(self.budget.remaining_share, self.current_rate, self.window, self.at)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "objective": self.objective,
            "window": duration_text(self.window),
            "sli": self.sli,
            "at": self.at.isoformat(),
            "since": self.since.isoformat(),
            "good": self.counts.good,
            "total": self.counts.total,
            "attainment": self.attainment,
            "budget": {
                "total": self.budget.total,
                "consumed": self.budget.consumed,
                "remaining": self.budget.remaining,
                "remaining_share": _finite(self.budget.remaining_share),
            },
            "page_windows": [duration_text(r.long) for r in self.rules if r.kind == "page"],
            "burn_rates": {duration_text(w): _finite(r) for w, r in self.burn.items()},
            "exhausted_at": self.exhausted_at.isoformat() if self.exhausted_at else None,
            "note": self.note,
        }


def evaluate(slo: Slo, reader: Reader, now: datetime) -> SloStatus:
    """Measure ``slo`` over the window ending at ``now``."""
    rules = burn_rules(slo.window)
    start = now - slo.window
    note, unmeasurable = "", False
    try:
        counts = reader.counts(slo.sli, start=start, end=now)
        burn = {
            w: burn_rate(reader.counts(slo.sli, start=now - w, end=now), slo.objective)
            for w in alert_windows(slo.window)
        }
    except NoRequestData as exc:
        counts, burn, note = NOTHING, dict.fromkeys(alert_windows(slo.window)), str(exc)
        unmeasurable = True
    if not note and counts.total == 0:
        note = "no events in the window yet"
    return SloStatus(
        name=slo.name,
        objective=slo.objective,
        window=slo.window,
        sli=describe(slo.sli),
        at=now,
        counts=counts,
        budget=budget(counts, slo.objective),
        burn=burn,
        rules=rules,
        since=reader.since(slo.sli, start),
        note=note,
        unmeasurable=unmeasurable,
    )


def budget_series(
    slo: Slo, reader: Reader, now: datetime, *, points: int = CHART_POINTS
) -> list[tuple[datetime, float | None]]:
    """The remaining budget share (events so far against the budget of the events so far)
    after each step of about ``window / points`` up to ``now``. Windows of a day or more step
    in whole hours from an hour boundary, so each step reads hour rollups (minute rollups are
    kept 14 days only); the last step ends at ``now``."""
    if slo.window >= timedelta(days=1):
        step = max(HOUR, slo.window / points // HOUR * HOUR)
        edge = now.replace(minute=0, second=0, microsecond=0)
    else:
        step, edge = slo.window / points, now
    start = edge - slo.window
    marks = [start + step * (i + 1) for i in range(int(slo.window / step))]
    marks = [m for m in marks if m < now] + [now]
    total, found, begin = NOTHING, [], start
    try:
        for mark in marks:
            total = total + reader.counts(slo.sli, start=begin, end=mark)
            found.append((mark, budget(total, slo.objective).remaining_share))
            begin = mark
    except NoRequestData:
        return []
    return found


def _finite(value: float | None) -> float | str | None:
    if value is None or abs(value) != float("inf"):
        return value
    return "inf" if value > 0 else "-inf"


def find(slos: Sequence[Slo], name: str) -> Slo:
    """The SLO named ``name``; UsageError (with a close name) when there is none."""
    for slo in slos:
        if slo.name == name:
            return slo
    raise UsageError.unknown("SLO", name, [s.name for s in slos])
