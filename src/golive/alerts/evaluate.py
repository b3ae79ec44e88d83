"""The alert state machine: check statuses and results in, alert changes and events out.

``evaluate`` is a pure function the serve loop calls after each batch of results or signals; it
reads no clock (``now`` is an argument) and writes nothing (``store.alerts.save_evaluation``
does).

States: **pending** → **firing** → **resolved**.

- *Implicit alert of a check* (name = check name, ``rule`` None, severity, labels, component
  and runbook from the check): pending while the check fails but is not DOWN yet
  (``consecutive_failures >= 1``), firing once the check is DOWN, resolved when it is no longer
  failing. A check without a status yet leaves its alert as it is.
- *Rule alert* (``alerts:`` with ``check:`` and ``when:``): the condition is evaluated over the
  fields of the check's latest result. True → pending since that result was taken; still true
  in a result taken ``for`` or more later → firing (``for: 0`` fires at once). False → resolved.
  A condition that cannot be evaluated counts as false; its error goes in the alert's details
  and, unless the probe itself failed to measure, in ``Evaluation.problems``. Times come from
  results, so evaluating the same result twice decides the same; no result for the check
  leaves the alert as it is.
- *Signal alert* (``alerts:`` with ``requests:``, or ``slo:`` burn rates): like a rule alert, over
  the ``values`` of the rule's latest ``Signal`` (``golive.records.Signal``, by rule name),
  with the signal's ``taken_at`` as the result's time; a signal with an ``error`` (the source
  could not measure) resolves the alert with that error in its details. No signal for the
  rule (e.g. just after a restart) leaves the alert as it is. Labels and runbook are the
  rule's own; it has no check, so it is never inhibited by a dependency.
- A pending alert that recovers before firing is *cleared*: the row becomes ``resolved`` with
  ``firing_since`` null, and no event is recorded (nobody was told, nobody needs an all-clear).
- Going straight to firing (``fail_after: 1``, ``for: 0``) records only "firing".
- An active alert the config no longer defines (check or rule removed, labels changed) is
  resolved with ``reason: "removed"``.
- A resolved alert loses its silence, inhibition and acknowledgement, so a new episode starts
  unacknowledged. The evaluator never writes ``last_notified_at`` (the notifier's column).

Holds (see ``golive.alerts.holds``): active alerts still change state while silenced, under
maintenance or inhibited; the hold is only recorded in ``silenced_by`` (``silence:ID`` or
``maintenance:NAME``) and ``inhibited_by`` (the root-cause check).

**The contract with the notifier** (``alert_events`` rows; ``routed_at`` null until routed):

- ``transition`` is "pending", "firing" or "resolved"; one row per transition, written in the
  same transaction as the alert change. "pending" is history only: do not notify it.
- ``payload``: fingerprint, name, rule, check, component, severity, labels, state, since (ISO
  time the state began), started_at (ISO start of the episode; with the fingerprint it names
  the episode), summary, details {target, error, failed, values}, runbook,
  silenced_by, inhibited_by, affected (for a root cause: the checks whose active alerts it
  inhibits right now), acknowledged_by, reason (null, "unsilenced", "uninhibited" or "removed").
- Skip an event whose payload has ``silenced_by`` or ``inhibited_by`` set. When a still-firing
  alert stops being held, a new "firing" event says so (``reason`` "unsilenced" or
  "uninhibited"): announce it then.
- A "resolved" payload never carries a hold (an inactive alert is not held), so an alert that
  was announced always gets its all-clear; skip "resolved" for episodes never notified (the
  notifier compares ``alerts.last_notified_at``, which only it writes, with the end of the
  previous episode).
- Do not repeat an acknowledged alert (``alerts.acknowledged_by`` set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from golive.alerts.describe import payload
from golive.alerts.holds import Holds
from golive.alerts.rules import AlertSpec, alert_specs
from golive.alerts.verdicts import Verdict, check_verdict, rule_verdict, signal_verdict
from golive.config import LoadedConfig
from golive.engine.results import CheckResult
from golive.records import (
    AlertView,
    CheckStatus,
    Evaluation,
    Signal,
    SilenceView,
    Transition,
    TransitionKind,
)


@dataclass(frozen=True)
class _Step:
    alert: AlertView
    transition: TransitionKind
    runbook: str | None
    reason: str | None = None


def evaluate(
    config: LoadedConfig,
    statuses: Mapping[str, CheckStatus],
    latest: Mapping[str, CheckResult],
    current: Mapping[str, AlertView],
    silences: Sequence[SilenceView],
    now: datetime,
    signals: Mapping[str, Signal] | None = None,
) -> Evaluation:
    """Decide every alert of ``config`` at ``now``.

    ``current`` holds the stored alerts by fingerprint (resolved ones may be left out: they
    count as inactive); ``silences`` may include inactive ones; ``signals`` holds the latest
    signal of each rule not fed by a check, by rule name. Returns the alerts that changed and
    the transitions to record.
    """
    signals = signals or {}
    holds = Holds(config, statuses, silences, now)
    changed: list[AlertView] = []
    steps: list[_Step] = []
    active: list[AlertView] = []
    opened: set[str] = set()
    problems: list[str] = []
    known: set[str] = set()
    for spec in alert_specs(config):
        known.add(spec.fingerprint)
        stored = current.get(spec.fingerprint)
        prev = stored if stored is not None and stored.active else None
        if spec.check is None:
            verdict, problem = signal_verdict(spec, signals.get(spec.name), prev, now)
        elif spec.condition is None:
            verdict = check_verdict(
                spec, statuses.get(spec.check), latest.get(spec.check), prev, now
            )
            problem = None
        else:
            verdict, problem = rule_verdict(spec, latest.get(spec.check), prev, now)
        if problem:
            problems.append(problem)
        new, transition = _advance(spec, prev, verdict, now)
        if new is None:
            continue
        reason = None
        if new.active:
            new = replace(
                new, silenced_by=holds.silenced_by(new), inhibited_by=holds.inhibited_by(new.check)
            )
            active.append(new)
            if prev is None:
                opened.add(new.fingerprint)
                if stored is not None:  # the notifier's column stays as the notifier left it
                    new = replace(new, last_notified_at=stored.last_notified_at)
            elif transition is None and _unheld(prev, new):
                transition = "firing"
                reason = "unsilenced" if prev.silenced_by else "uninhibited"
        if stored is None or replace(new, updated_at=stored.updated_at) != stored:
            changed.append(replace(new, updated_at=now))
        if transition is not None:
            steps.append(_Step(new, transition, spec.runbook, reason))
    for fingerprint, stored in current.items():
        if fingerprint not in known and stored.active:
            gone = _resolved(stored, f"{stored.name} is no longer in the configuration", now)
            changed.append(replace(gone, updated_at=now))
            if stored.state == "firing":
                steps.append(_Step(gone, "resolved", None, "removed"))
    affected: dict[str, set[str]] = {}
    for alert in active:
        if alert.inhibited_by is not None and alert.check is not None:
            affected.setdefault(alert.inhibited_by, set()).add(alert.check)
    events = tuple(
        Transition(
            step.alert.fingerprint,
            step.transition,
            now,
            payload(
                step.alert,
                runbook=step.runbook,
                affected=sorted(affected.get(step.alert.check or "", ())),
                reason=step.reason,
            ),
        )
        for step in steps
    )
    return Evaluation(now, tuple(changed), events, frozenset(opened), tuple(problems))


def _unheld(prev: AlertView, new: AlertView) -> bool:
    """A still-firing alert that was held back and no longer is: announce it now."""
    return prev.state == new.state == "firing" and prev.held and not new.held


def _advance(
    spec: AlertSpec, prev: AlertView | None, verdict: Verdict | None, now: datetime
) -> tuple[AlertView | None, TransitionKind | None]:
    """The alert after ``verdict`` (``prev`` is the active alert or None) and its transition."""
    if verdict is None:
        return prev, None
    if verdict.state == "inactive":
        if prev is None:
            return None, None
        resolved = _resolved(_from_spec(spec, prev), verdict.summary, now, verdict.details)
        return resolved, ("resolved" if prev.state == "firing" else None)
    alert = replace(
        _from_spec(spec, prev),
        state=verdict.state,
        pending_since=verdict.pending_since,
        firing_since=verdict.firing_since,
        resolved_at=None,
        summary=verdict.summary,
        details=verdict.details,
    )
    return alert, (None if prev is not None and prev.state == verdict.state else verdict.state)


def _from_spec(spec: AlertSpec, prev: AlertView | None) -> AlertView:
    """The config's view of the alert, keeping what others wrote (acknowledged, notified)."""
    base = AlertView(
        fingerprint=spec.fingerprint,
        name=spec.name,
        rule=spec.rule,
        check=spec.check,
        component=spec.component,
        severity=spec.severity,
        labels=dict(spec.labels),
    )
    if prev is None:
        return base
    return replace(
        prev,
        name=base.name,
        rule=base.rule,
        check=base.check,
        component=base.component,
        severity=base.severity,
        labels=base.labels,
    )


def _resolved(
    alert: AlertView, summary: str, now: datetime, info: dict[str, Any] | None = None
) -> AlertView:
    return replace(
        alert,
        state="resolved",
        resolved_at=now,
        summary=summary,
        details=alert.details if info is None else info,
        silenced_by=None,
        inhibited_by=None,
        acknowledged_by=None,
        acknowledged_at=None,
    )
