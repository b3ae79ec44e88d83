"""Signals: the values a rule alert is judged on when no check result feeds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Signal:
    """What one rule (``requests:`` today, ``slo:`` later) measured at ``taken_at``.

    ``values`` are the fields its ``when`` reads (e.g. ``error_rate``, ``p95_ms``);
    ``error`` says why nothing could be measured (a source that failed), and then the rule's
    condition counts as false, as for a probe that could not measure.
    """

    rule: str
    taken_at: datetime
    values: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    target: str | None = None  # what was measured, for the alert's details (a source, a window)
