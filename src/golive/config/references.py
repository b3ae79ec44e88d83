"""Cross-references between sections: every name used must be defined, once.

Runs after the model validates; each problem becomes an ``Issue`` at the position of the
offending reference, with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from golive.config.root import ConfigBase
from golive.config.source import PathKey, Positions
from golive.exceptions import Issue

Ref = tuple[str, str, PathKey]  # (section the name must be in, the name, where it is used)


def check_references(config: ConfigBase, positions: Positions) -> list[Issue]:
    known = {
        "component": [c.name for c in config.components],
        "check": [c.name for c in config.checks],
        "channel": [c.name for c in config.notify.channels],
        "metrics source": [m.name for m in config.metrics],
        "slo": [s.name for s in config.slos],
        "loadtest": [t.name for t in config.loadtests],
        "backup": [b.name for b in config.backups],
        "person": [p.name for p in config.oncall.people],
        "schedule": [s.name for s in config.oncall.schedules],
        "escalation policy": [p.name for p in config.oncall.escalation_policies],
        "rollout": [r.name for r in config.rollouts],
        "maintenance window": [m.name for m in config.maintenance],
        "flag": [f.name for f in config.flags],
        "alert": [a.name for a in config.alerts],
        "gate item": [g.name for g in config.gate],
        "region": list(config.workers.regions),
    }
    issues = list(_duplicates(config, known, positions))
    for section, name, path in _references(config):
        names = known[section]
        if name not in names:
            issues.append(Issue(_unknown(section, name, names), positions.value(path)))
    issues.extend(_dependency_cycles(config, positions))
    issues.extend(_smoke_kinds(config, positions))
    issues.extend(_analysis_queries(config, positions))
    issues.extend(_quorums(config, positions))
    return issues


def _analysis_queries(config: ConfigBase, positions: Positions) -> Iterator[Issue]:
    """``analysis.queries`` are PromQL: only a ``prometheus_query`` source answers them."""
    kinds = {m.name: m.kind for m in config.metrics}
    for i, rollout in enumerate(config.rollouts):
        analysis = rollout.analysis
        kind = kinds.get(analysis.requests or "")
        if analysis.queries is not None and kind is not None and kind != "prometheus_query":
            yield Issue(
                f"analysis.queries are PromQL, but metrics source {analysis.requests} is"
                f" {kind}: name a prometheus_query source, or drop `queries`",
                positions.value(("rollouts", i, "analysis", "queries")),
            )


def _quorums(config: ConfigBase, positions: Positions) -> Iterator[Issue]:
    """A check without ``regions:`` runs in every region of ``workers.regions``: its quorum
    is checked against those (a check that names its regions is checked on its own)."""
    regions = len(config.workers.regions)
    for i, check in enumerate(config.checks):
        if check.quorum is not None and not check.regions and check.quorum > max(regions, 1):
            yield Issue(
                f"quorum ({check.quorum}) is more than workers.regions ({regions})",
                positions.value(("checks", i, "quorum")),
            )


def _smoke_kinds(config: ConfigBase, positions: Positions) -> Iterator[Issue]:
    """A rollout's ``smoke:`` checks run against each new backend: only an http or tcp
    check has a host:port to replace by the backend's."""
    kinds = {c.name: c.kind for c in config.checks}
    for i, rollout in enumerate(config.rollouts):
        for j, name in enumerate(rollout.smoke):
            kind = kinds.get(name)
            if kind is not None and kind not in ("http", "tcp"):
                yield Issue(
                    f"check {name} is a {kind} check: only http and tcp checks can smoke a"
                    " pool (their host:port is replaced by each new backend's)",
                    positions.value(("rollouts", i, "smoke", j)),
                )


_SECTION_PATHS: dict[str, PathKey] = {
    "component": ("components",),
    "check": ("checks",),
    "channel": ("notify", "channels"),
    "metrics source": ("metrics",),
    "slo": ("slos",),
    "loadtest": ("loadtests",),
    "backup": ("backups",),
    "person": ("oncall", "people"),
    "schedule": ("oncall", "schedules"),
    "escalation policy": ("oncall", "escalation_policies"),
    "rollout": ("rollouts",),
    "maintenance window": ("maintenance",),
    "flag": ("flags",),
    "alert": ("alerts",),
    "gate item": ("gate",),
    "region": ("workers", "regions"),
}


def _duplicates(
    config: ConfigBase, known: dict[str, list[str]], positions: Positions
) -> Iterator[Issue]:
    for section, names in known.items():
        prefix = _SECTION_PATHS[section]
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                at = (*prefix, index) if section == "region" else (*prefix, index, "name")
                yield Issue(f"duplicate {section} name '{name}'", positions.value(at))
            seen.add(name)


def _unknown(section: str, name: str, names: list[str]) -> str:
    hint = difflib.get_close_matches(name, names, n=1)
    if hint:
        return f"unknown {section} '{name}'; did you mean '{hint[0]}'?"
    listed = ", ".join(names) if names else "none are defined"
    return f"unknown {section} '{name}' (known: {listed})"


def _each(section: str, names: Iterable[str], *path: str | int) -> Iterator[Ref]:
    for index, name in enumerate(names):
        yield section, name, (*path, index)


def _references(config: ConfigBase) -> Iterator[Ref]:
    for i, check in enumerate(config.checks):
        if check.component is not None:
            yield "component", check.component, ("checks", i, "component")
        yield from _each("check", check.depends_on, "checks", i, "depends_on")
        yield from _each("region", check.regions, "checks", i, "regions")
    for i, backup in enumerate(config.backups):
        if backup.region is not None:
            yield "region", backup.region, ("backups", i, "region")
    for i, window in enumerate(config.maintenance):
        yield from _each("component", window.components, "maintenance", i, "components")
        yield from _each("check", window.checks, "maintenance", i, "checks")
    for i, route in enumerate(config.notify.routes):
        yield from _each("channel", route.to, "notify", "routes", i, "to")
        if route.escalation is not None:
            yield "escalation policy", route.escalation, ("notify", "routes", i, "escalation")
    for i, slo in enumerate(config.slos):
        sli, at = slo.sli, ("slos", i, "sli")
        if sli.check is not None:
            yield "check", sli.check, (*at, "check")
        if sli.requests is not None:
            yield "metrics source", sli.requests, (*at, "requests")
        if sli.ratio is not None:
            yield "check", sli.ratio.check, (*at, "ratio", "check")
    for i, alert in enumerate(config.alerts):
        for section, value in (
            ("check", alert.check),
            ("metrics source", alert.requests),
            ("slo", alert.slo),
        ):
            if value is not None:
                key = {"check": "check", "metrics source": "requests", "slo": "slo"}[section]
                yield section, value, ("alerts", i, key)
    yield from _oncall_references(config)
    for i, item in enumerate(config.gate):
        yield from _each("check", item.checks or [], "gate", i, "checks")
        if item.loadtest is not None:
            yield "loadtest", item.loadtest, ("gate", i, "loadtest")
        if item.backup is not None:
            yield "backup", item.backup, ("gate", i, "backup")
    for i, rollout in enumerate(config.rollouts):
        yield from _each("check", rollout.smoke, "rollouts", i, "smoke")
        yield from _each("channel", rollout.notify or [], "rollouts", i, "notify")
        if rollout.analysis.requests is not None:
            yield (
                "metrics source",
                rollout.analysis.requests,
                ("rollouts", i, "analysis", "requests"),
            )


def _oncall_references(config: ConfigBase) -> Iterator[Ref]:
    oncall = config.oncall
    for i, schedule in enumerate(oncall.schedules):
        yield from _each("person", schedule.rotation, "oncall", "schedules", i, "rotation")
        for j, override in enumerate(schedule.overrides):
            yield "person", override.person, ("oncall", "schedules", i, "overrides", j, "person")
    for i, policy in enumerate(oncall.escalation_policies):
        for j, step in enumerate(policy.steps):
            for k, target in enumerate(step.notify):
                kind, _, name = target.partition(":")
                at = ("oncall", "escalation_policies", i, "steps", j, "notify", k)
                yield kind, name, at
    for period in ("daily", "weekly"):
        report: Any = getattr(config.reports, period)
        if report is not None:
            yield from _each("channel", report.to, "reports", period, "to")


def _dependency_cycles(config: ConfigBase, positions: Positions) -> Iterator[Issue]:
    graph = {c.name: list(c.depends_on) for c in config.checks}
    index = {c.name: i for i, c in enumerate(config.checks)}
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = 1
        for dep in graph.get(name, []):
            if state.get(dep) == 1:
                return [*trail, name, dep]
            if dep in graph and dep not in state:
                found = visit(dep, [*trail, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in graph:
        if name not in state:
            cycle = visit(name, [])
            if cycle:
                start = cycle.index(cycle[-1])
                loop = " → ".join(cycle[start:])
                at = positions.value(("checks", index[name], "depends_on"))
                yield Issue(f"checks depend on each other in a loop: {loop}", at)
