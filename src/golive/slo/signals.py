"""What burn alerts are judged on: the burn rate over each alert window of their SLO, measured
from the store (one read per SLO), as the values of the signal the SLO service sends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from golive.config.slo import AlertRule, Slo
from golive.slo.budget import duration_text
from golive.slo.burn import BurnAlert, burn_alerts, value_name
from golive.slo.sli import Reader
from golive.slo.status import SloStatus, evaluate


def burn_values(status: SloStatus) -> dict[str, float]:
    """The burn rate over each alert window, by field name (no events: 0)."""
    return {value_name(w): (rate or 0.0) for w, rate in status.burn.items()}


@dataclass(frozen=True)
class Measured:
    """What one burn alert is judged on now (a ``Signal`` in the alert state machine)."""

    alert: str
    taken_at: datetime
    values: dict[str, float]
    error: str | None
    target: str


def measured(alerts: Iterable[BurnAlert], statuses: dict[str, SloStatus]) -> list[Measured]:
    """The values of each alert from its SLO's status (an SLO without request data: error)."""
    found = []
    for alert in alerts:
        status = statuses[alert.slo]
        error = status.note if status.unmeasurable else None
        found.append(
            Measured(
                alert.name,
                status.at,
                burn_values(status),
                error,
                f"slo {status.name} ({status.sli}, {duration_text(status.window)})",
            )
        )
    return found


def measure(
    slos: Iterable[Slo], rules: Iterable[AlertRule], reader: Reader, now: datetime
) -> list[Measured]:
    """What every burn alert of the config is judged on at ``now`` (each SLO read once)."""
    slos = list(slos)
    alerts = burn_alerts(slos, rules)
    wanted = {alert.slo for alert in alerts}
    statuses = {s.name: evaluate(s, reader, now) for s in slos if s.name in wanted}
    return measured(alerts, statuses)
