"""Burn-rate alerts of ``slo:`` rules with ``burn_rate: multiwindow``.

One rule gives two alerts, judged on the SLO's burn rates (one signal each, from
``signals``): ``<rule>-page`` when a page row of the workbook table burns over both its
windows (14.4x over 1 h and 5 m, or 6x over 6 h and 30 m of a 30-day SLO), with the rule's
severity (``high`` by default); ``<rule>-ticket`` for the ticket rows (3x over 1 d and 2 h, or
1x over 3 d and 6 h) with severity ``low``. Windows are scaled to the SLO's window
(``golive.slo.budget``). Each alert's condition is a CEL expression over ``burn_<window>``
values, so its details show which windows burned. A window without events burns 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from golive.config.slo import AlertRule, Slo
from golive.slo.budget import BurnRule, Kind, alert_windows, burn_rules, duration_text

TICKET_SEVERITY = "low"


def value_name(window: timedelta) -> str:
    """``burn_1h``, ``burn_5m``, ``burn_1008m``: the field a window's burn rate is read as."""
    return f"burn_{duration_text(window)}"


def condition(rules: Iterable[BurnRule], kind: Kind) -> str:
    """The CEL condition of the ``kind`` rows: ``(burn_1h > 14.4 && burn_5m > 14.4) || ...``."""
    return " || ".join(
        f"({value_name(r.long)} > {r.factor:g} && {value_name(r.short)} > {r.factor:g})"
        for r in rules
        if r.kind == kind
    )


@dataclass(frozen=True)
class BurnAlert:
    """One of the two alerts of a multiwindow rule, as plain data for ``golive.alerts``."""

    name: str
    rule: str
    slo: str
    kind: Kind
    severity: str
    when: str  # CEL over ``fields``
    fields: dict[str, str]
    labels: dict[str, str] = field(default_factory=dict)
    runbook: str | None = None
    for_: timedelta = timedelta(0)


def burn_alerts(slos: Iterable[Slo], rules: Iterable[AlertRule]) -> list[BurnAlert]:
    """The page and ticket alerts of every ``burn_rate: multiwindow`` rule, in config order
    (a rule naming an unknown SLO is a config error already, and is skipped here)."""
    by_name = {slo.name: slo for slo in slos}
    found = []
    for rule in rules:
        slo = by_name.get(rule.slo or "")
        if slo is None or rule.burn_rate != "multiwindow":
            continue
        table = burn_rules(slo.window)
        fields = {
            value_name(w): "double: burn rate over the window" for w in alert_windows(slo.window)
        }
        kinds: tuple[tuple[Kind, str], ...] = (("page", rule.severity), ("ticket", TICKET_SEVERITY))
        for kind, severity in kinds:
            found.append(
                BurnAlert(
                    name=f"{rule.name}-{kind}",
                    rule=rule.name,
                    slo=slo.name,
                    kind=kind,
                    severity=severity,
                    when=condition(table, kind),
                    fields=fields,
                    labels={"slo": slo.name, "burn": kind, **rule.labels},
                    runbook=rule.runbook,
                    for_=rule.for_,
                )
            )
    return found
