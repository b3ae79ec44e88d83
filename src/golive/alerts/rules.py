"""Which alerts a configuration defines: the implicit alert of every check, every ``alerts:``
rule on a check, every ``requests:`` rule (judged on a ``Signal`` the metrics service
computes over the rule's ``over:`` window), and the page and ticket alerts of every ``slo:``
rule with ``burn_rate: multiwindow`` (judged on the burn rates the SLO service signals, see
``golive.slo.burn``). An ``slo:`` rule with ``when`` is reported as not supported.

An alert is identified by its ``fingerprint``: a hash of its kind (``check`` for the implicit
alert of a check, ``rule`` for an ``alerts:`` rule), its name and its labels. Positions in the
config play no part, so the same alert keeps its identity across restarts and reorderings;
changing an alert's labels makes it a new alert (the old one resolves as removed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from golive.config import LoadedConfig
from golive.probes.expect import Expectation, compile_expression
from golive.slo.burn import BurnAlert, burn_alerts

SLO_WHEN = "an SLO rule alerts on `burn_rate: multiwindow`; `when` on an SLO is not supported"


def fingerprint(kind: str, name: str, labels: Mapping[str, str]) -> str:
    """The stable identity of an alert: sha256 of kind, name and sorted labels (32 hex chars)."""
    material = json.dumps(
        [kind, name, sorted((str(k), str(v)) for k, v in labels.items())],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, eq=False)
class AlertSpec:
    """One alert the configuration defines (not its current state)."""

    fingerprint: str
    name: str
    rule: str | None  # None for a check's implicit alert
    check: str | None  # None for a rule fed by signals (``requests:``)
    component: str | None
    severity: str
    labels: dict[str, str] = field(default_factory=dict)
    runbook: str | None = None
    fail_after: int = 1
    for_: timedelta = timedelta(0)
    condition: Expectation | None = None
    requests: str | None = None  # the metrics source of a ``requests:`` rule
    over: timedelta | None = None  # the window its signal is computed over
    slo: str | None = None  # the SLO of a burn-rate alert


DEFAULT_OVER = timedelta(minutes=5)  # a ``requests:`` rule without ``over:``
BACKUP_FIELDS = {
    "rpo_breached": "double: 1 when the newest verified backup is older than rpo (or none is)",
    "drill_failed": "double: 1 when the last restore drill failed",
    "rto_breached": "double: 1 when the last drill's restore took longer than rto",
}
BACKUP_BROKEN = "rpo_breached + drill_failed + rto_breached > 0"


def backup_alert_name(backup: str) -> str:
    """The alert of a backup's promises; the colon keeps it apart from any check or rule."""
    return f"backup:{backup}"  # a ``requests:`` rule without ``over:``


REGION_FIELDS = {"workers_alive": "double: the region's workers that beat recently"}
REGION_DOWN = "workers_alive < 1"


def region_alert_name(region: str) -> str:
    """The alert of a region without a live worker (``workers.regions``)."""
    return f"region:{region}"


_cache: list[tuple[LoadedConfig, tuple[AlertSpec, ...]]] = []  # the last config's specs


def alert_specs(config: LoadedConfig) -> tuple[AlertSpec, ...]:
    """The implicit alert of each check, then each rule in config order (an ``slo:`` rule as
    its page and ticket alerts).

    A rule's labels are its check's labels overlaid with its own, and its component, and
    runbook unless it has one, come from its check, so silences and routes by label or
    component catch both. Computed once per loaded config (a reload is a new object).
    """
    if _cache and _cache[0][0] is config:
        return _cache[0][1]
    specs = tuple(_build(config))
    _cache[:] = [(config, specs)]
    return specs


def _build(config: LoadedConfig) -> list[AlertSpec]:
    specs = [
        AlertSpec(
            fingerprint=fingerprint("check", check.name, check.labels),
            name=check.name,
            rule=None,
            check=check.name,
            component=check.component,
            severity=check.severity,
            labels=dict(check.labels),
            runbook=check.runbook,
            fail_after=check.fail_after,
        )
        for check in config.config.checks
    ]
    checks = {check.name: check for check in config.config.checks}
    burns: dict[str, list[BurnAlert]] = {}
    for burn in burn_alerts(config.config.slos, config.config.alerts):
        burns.setdefault(burn.rule, []).append(burn)
    for rule in config.config.alerts:
        specs.extend(_burn_spec(burn) for burn in burns.get(rule.name, ()))
        check = checks.get(rule.check) if rule.check is not None else None
        condition = config.conditions.get(rule.name)
        if condition is not None and rule.requests is not None:
            specs.append(
                AlertSpec(
                    fingerprint=fingerprint("rule", rule.name, rule.labels),
                    name=rule.name,
                    rule=rule.name,
                    check=None,
                    component=None,
                    severity=rule.severity,
                    labels=dict(rule.labels),
                    runbook=rule.runbook,
                    for_=rule.for_,
                    condition=condition,
                    requests=rule.requests,
                    over=rule.over or DEFAULT_OVER,
                )
            )
            continue
        if check is None or condition is None:
            continue
        labels = {**check.labels, **rule.labels}
        specs.append(
            AlertSpec(
                fingerprint=fingerprint("rule", rule.name, labels),
                name=rule.name,
                rule=rule.name,
                check=check.name,
                component=check.component,
                severity=rule.severity,
                labels=labels,
                runbook=rule.runbook or check.runbook,
                fail_after=check.fail_after,
                for_=rule.for_,
                condition=condition,
            )
        )
    specs.extend(_backup_spec(b.name) for b in config.config.backups if b.rpo or b.rto or b.verify)
    if config.config.workers.probing:
        specs.extend(_region_spec(region) for region in config.config.workers.regions)
    return specs


def _region_spec(region: str) -> AlertSpec:
    """A region's alert: firing while none of its workers beats (its checks then have no
    runs from there), judged on the signal the region service sends under its name."""
    return _service_spec("region", region, region_alert_name(region), REGION_DOWN, REGION_FIELDS)


def _backup_spec(backup: str) -> AlertSpec:
    """A backup's alert: firing while it breaks its ``rpo``, its ``rto`` or its last drill
    failed, judged on the signal the backup service sends under its name."""
    return _service_spec("backup", backup, backup_alert_name(backup), BACKUP_BROKEN, BACKUP_FIELDS)


def _service_spec(
    kind: str, subject: str, name: str, expression: str, fields: Mapping[str, str]
) -> AlertSpec:
    """The high-severity alert a serve service raises about one ``subject`` of its ``kind``
    (labelled ``kind=subject``), named and ruled ``name``, firing while ``expression`` over
    its signal's ``fields`` holds."""
    labels = {kind: subject}
    return AlertSpec(
        fingerprint=fingerprint(kind, subject, labels),
        name=name,
        rule=name,
        check=None,
        component=None,
        severity="high",
        labels=labels,
        condition=compile_expression(expression, fields),
    )


def _burn_spec(burn: BurnAlert) -> AlertSpec:
    """The page or ticket alert of a ``burn_rate: multiwindow`` rule, judged on the signal
    the SLO service sends under its name (``golive.slo.burn``)."""
    return AlertSpec(
        fingerprint=fingerprint("rule", burn.name, burn.labels),
        name=burn.name,
        rule=burn.rule,
        check=None,
        component=None,
        severity=burn.severity,
        labels=dict(burn.labels),
        runbook=burn.runbook,
        for_=burn.for_,
        condition=compile_expression(burn.when, burn.fields),
        slo=burn.slo,
    )


def unsupported_rules(config: LoadedConfig) -> list[str]:
    """``"NAME: reason"`` for each rule golive does not evaluate: an ``slo:`` rule with
    ``when`` instead of ``burn_rate: multiwindow``."""
    return [
        f"{rule.name}: {SLO_WHEN} (slo: {rule.slo})"
        for rule in config.config.alerts
        if rule.slo is not None and rule.burn_rate is None
    ]
