"""A threshold-only stand-in for ``golive.rollout.judge`` (branch ``judge``): the same
signature; delete it when that module lands on main."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from golive.config.ship import Analysis


class RequestWindow(Protocol):
    count: int
    errors: int

    @property
    def error_rate(self) -> float: ...

    def percentile_ms(self, q: float) -> float | None: ...


@dataclass(frozen=True)
class Judgement:
    """``ok`` passes the step; ``enough`` False means "not enough data": neither pass nor fail."""

    ok: bool
    reasons: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    enough: bool = True

    @property
    def failed(self) -> bool:
        return self.enough and not self.ok


def judge(new: RequestWindow, stable: RequestWindow, analysis: Analysis) -> Judgement:
    """The new pool's error rate and p95 against ``max_error_rate`` / ``max_p95``."""
    p95 = new.percentile_ms(0.95)
    values: dict[str, Any] = {
        "requests": new.count,
        "error_rate": new.error_rate,
        "p95_ms": p95,
        "stable_requests": stable.count,
        "stable_error_rate": stable.error_rate,
    }
    reasons = []
    limit = analysis.max_error_rate
    # errors fail a step as soon as they alone pass the limit over min_requests requests
    if limit is not None and new.errors > limit * max(new.count, analysis.min_requests):
        reasons.append(f"error rate {new.error_rate:.1%} > {limit:.1%} ({new.errors} errors)")
    if new.count < analysis.min_requests and not reasons:
        need = f"{new.count} of {analysis.min_requests} requests"
        return Judgement(False, [f"not enough data: {need}"], values, enough=False)
    if analysis.max_p95 is not None and p95 is not None:
        bound = analysis.max_p95.total_seconds() * 1000
        if p95 > bound:
            reasons.append(f"p95 {p95:.0f}ms > {bound:.0f}ms")
    return Judgement(not reasons, reasons, values)
