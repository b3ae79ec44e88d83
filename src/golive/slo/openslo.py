"""OpenSLO v1 export and import of ``slos:`` and their ``burn_rate: multiwindow`` alert rules.

Export writes, per SLO, an ``SLI`` (a ``ratioMetric`` whose metric source has ``type: golive``
and our SLI as its ``spec``), an ``SLO`` (rolling ``timeWindow``, ``Occurrences`` budgeting,
one objective) and, per multiwindow rule, an ``AlertPolicy`` with one ``burnrate`` condition
per row of the workbook table. OpenSLO v1 has no "long AND short window" condition, so the
long window is the ``lookbackWindow`` and the short one rides in the annotation
``golive/short-window``. Import reads those back; anything golive cannot measure (another
metric source, thresholdMetric, calendar windows, timeslice budgets, burn-rate conditions that
are not the table) is an error naming the document's line.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from golive.config.slo import AlertRule, Sli, Slo
from golive.config.units import parse_duration
from golive.exceptions import ConfigError, Issue, Location
from golive.slo.budget import burn_rules, duration_text

API = "openslo/v1"
SOURCE = "golive"
SHORT = "golive/short-window"


def export(slos: Iterable[Slo], rules: Iterable[AlertRule], *, service: str) -> str:
    """The OpenSLO v1 documents of ``slos`` and their multiwindow ``rules``, as YAML."""
    policies: dict[str, list[AlertRule]] = {}
    for rule in rules:
        if rule.slo is not None and rule.burn_rate == "multiwindow":
            policies.setdefault(rule.slo, []).append(rule)
    documents: list[dict[str, Any]] = []
    for slo in slos:
        good, total = ({"metricSource": {"type": SOURCE, "spec": sli_dict(slo.sli)}} for _ in "gt")
        ratio = {"counter": True, "good": good, "total": total}
        documents.append(_doc("SLI", f"{slo.name}-sli", {"ratioMetric": ratio}))
        own = policies.get(slo.name, [])
        spec: dict[str, Any] = {
            **({"description": slo.description} if slo.description else {}),
            "service": service,
            "indicatorRef": f"{slo.name}-sli",
            "timeWindow": [{"duration": duration_text(slo.window), "isRolling": True}],
            "budgetingMethod": "Occurrences",
            "objectives": [{"displayName": slo.name, "target": round(slo.objective, 10)}],
        }
        if own:
            spec["alertPolicies"] = [rule.name for rule in own]
        documents.append(_doc("SLO", slo.name, spec))
        documents.extend(_policy(rule, slo.window) for rule in own)
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)


def sli_dict(sli: Sli) -> dict[str, Any]:
    """An SLI as it is written in golive.yaml."""
    found = sli.model_dump(mode="python", exclude_defaults=True, by_alias=True)
    below = (found.get("good") or {}).get("latency_below")
    if isinstance(below, timedelta):
        found["good"]["latency_below"] = duration_text(below)
    return found


def _doc(kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"apiVersion": API, "kind": kind, "metadata": {"name": name, **metadata}, "spec": spec}


def _policy(rule: AlertRule, window: timedelta) -> dict[str, Any]:
    conditions = [
        {
            "kind": "AlertCondition",
            "metadata": {
                "name": f"{rule.name}-{row.kind}-{duration_text(row.long)}",
                "annotations": {SHORT: duration_text(row.short)},
            },
            "spec": {
                "severity": row.kind,
                "condition": {
                    "kind": "burnrate",
                    "op": "gt",
                    "threshold": row.factor,
                    "lookbackWindow": duration_text(row.long),
                    "alertAfter": duration_text(rule.for_),
                },
            },
        }
        for row in burn_rules(window)
    ]
    labels = {"severity": rule.severity, **rule.labels}
    spec = {"alertWhenBreaching": True, "alertWhenResolved": True, "conditions": conditions}
    return _doc("AlertPolicy", rule.name, spec, labels=labels)


# -- import ----------------------------------------------------------------------------------


def parse(text: str, file: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(slos, alerts)``: the ``slos:`` and ``alerts:`` entries of OpenSLO v1 ``text``.
    Raises ConfigError listing everything that cannot map, with ``file:line``."""
    try:
        nodes = list(yaml.compose_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(file, mark.line + 1, mark.column + 1) if mark else None
        raise ConfigError([Issue(f"not YAML: {exc}", where)]) from exc
    found = _Import(file)
    for node in nodes:
        if node is None:
            continue
        found.document(yaml.safe_load(yaml.serialize(node)), node.start_mark.line + 1)
    return found.result()


class _Import:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.issues: list[Issue] = []
        self.slis: dict[str, dict[str, Any]] = {}
        self.slos: list[tuple[int, dict[str, Any]]] = []
        self.policies: dict[str, tuple[int, dict[str, Any]]] = {}

    def fail(self, line: int, message: str) -> None:
        self.issues.append(Issue(message, Location(self.file, line, 1)))

    def document(self, doc: Any, line: int) -> None:
        if not isinstance(doc, dict) or doc.get("apiVersion") != API:
            self.fail(line, f"not an OpenSLO v1 document (apiVersion must be {API})")
            return
        kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
        spec = doc.get("spec") or {}
        if kind == "SLI":
            sli = self.sli(spec, line)
            if sli is not None:
                self.slis[str(name)] = sli
        elif kind == "SLO":
            self.slos.append((line, doc))
        elif kind == "AlertPolicy":
            self.policies[str(name)] = (line, doc)
        elif kind not in ("Service", "AlertNotificationTarget", "DataSource"):
            self.fail(line, f"kind {kind!r} has no golive equivalent")

    def sli(self, spec: dict[str, Any], line: int) -> dict[str, Any] | None:
        ratio = spec.get("ratioMetric")
        if not isinstance(ratio, dict):
            self.fail(line, "only ratioMetric SLIs map to golive (thresholdMetric does not)")
            return None
        source = (ratio.get("good") or ratio.get("total") or {}).get("metricSource") or {}
        if source.get("type") != SOURCE or not isinstance(source.get("spec"), dict):
            self.fail(
                line,
                f"metric source type {source.get('type')!r} cannot map: golive measures its own"
                f" checks and request sources (type: {SOURCE}, spec: a golive SLI)",
            )
            return None
        return dict(source["spec"])

    def result(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        slos, alerts = [], []
        for line, doc in self.slos:
            entry = self.slo(doc, line)
            if entry is None:
                continue
            slos.append(entry)
            for ref in doc["spec"].get("alertPolicies") or []:
                policy_name = (
                    ref if isinstance(ref, str) else (ref.get("metadata") or {}).get("name")
                )
                if policy_name not in self.policies:
                    self.fail(line, f"alert policy {policy_name!r} is not in the file")
                    continue
                rule = self.policy(entry, *self.policies[policy_name])
                if rule is not None:
                    alerts.append(rule)
        if self.issues:
            raise ConfigError(self.issues)
        return slos, alerts

    def slo(self, doc: dict[str, Any], line: int) -> dict[str, Any] | None:
        name, spec = doc["metadata"].get("name"), doc.get("spec") or {}
        before = len(self.issues)
        windows = spec.get("timeWindow") or [{"duration": "30d", "isRolling": True}]
        if len(windows) != 1 or not windows[0].get("isRolling", False):
            self.fail(line, f"SLO {name}: only one rolling timeWindow maps to golive")
        if spec.get("budgetingMethod", "Occurrences") != "Occurrences":
            self.fail(line, f"SLO {name}: golive budgets by Occurrences, not timeslices")
        objectives = spec.get("objectives") or []
        if len(objectives) != 1 or "target" not in objectives[0]:
            self.fail(line, f"SLO {name}: exactly one objective with a target maps to golive")
        sli = self.slis.get(str(spec.get("indicatorRef")))
        if sli is None and isinstance(spec.get("indicator"), dict):
            sli = self.sli(spec["indicator"].get("spec") or {}, line)
        elif sli is None:
            self.fail(
                line, f"SLO {name}: its SLI ({spec.get('indicatorRef')!r}) is not in the file"
            )
        if len(self.issues) > before or sli is None:
            return None
        entry: dict[str, Any] = {
            "name": name,
            "objective": f"{float(objectives[0]['target']) * 100:g}%",
            "window": windows[0]["duration"],
            "sli": sli,
        }
        if spec.get("description"):
            entry["description"] = spec["description"]
        try:
            Slo.model_validate(entry)
        except ValueError as exc:
            self.fail(line, f"SLO {name}: {exc}")
            return None
        return entry

    def policy(self, slo: dict[str, Any], line: int, doc: dict[str, Any]) -> dict[str, Any] | None:
        window = Slo.model_validate(slo).window
        expected = {(row.kind, row.factor, row.long, row.short) for row in burn_rules(window)}
        seen, for_ = set(), None
        for item in (doc.get("spec") or {}).get("conditions") or []:
            meta, spec = item.get("metadata") or {}, item.get("spec") or {}
            cond = spec.get("condition") or {}
            try:
                seen.add(
                    (
                        spec.get("severity"),
                        float(cond["threshold"]),
                        parse_duration(cond.get("lookbackWindow")),
                        parse_duration((meta.get("annotations") or {}).get(SHORT)),
                    )
                )
                for_ = parse_duration(cond.get("alertAfter") or "0s")
            except (KeyError, TypeError, ValueError):
                seen.add(("unreadable", 0.0, timedelta(0), timedelta(0)))
        name = doc["metadata"].get("name")
        if seen != expected:
            self.fail(
                line,
                f"alert policy {name}: only the multiwindow burn-rate table maps to golive"
                " (burn_rate: multiwindow: page 14.4x 1h/5m and 6x 6h/30m, ticket 3x 1d/2h and"
                " 1x 3d/6h, scaled to the SLO's window)",
            )
            return None
        labels = dict(doc["metadata"].get("labels") or {})
        rule: dict[str, Any] = {"name": name, "slo": slo["name"], "burn_rate": "multiwindow"}
        if "severity" in labels:
            rule["severity"] = labels.pop("severity")
        if for_:
            rule["for"] = duration_text(for_)
        if labels:
            rule["labels"] = labels
        return rule


def render(slos: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> str:
    """The imported entries as a golive.yaml fragment."""
    parts = {"slos": slos} | ({"alerts": alerts} if alerts else {})
    return yaml.safe_dump(parts, sort_keys=False, allow_unicode=True)
