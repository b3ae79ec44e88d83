"""Loading a config file: YAML → environment overrides → interpolation → model → references →
compiled expressions. Every problem found is reported together, each with file:line:col."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from golive.config.checks import CheckBase
from golive.config.errors import translate
from golive.config.gate_args import check_gate_args
from golive.config.interpolate import Interpolator
from golive.config.later_checks import StepsSpec, with_later_kinds
from golive.config.oncall import check_oncall
from golive.config.references import check_references
from golive.config.root import ConfigBase, config_model
from golive.config.secrets import Secrets
from golive.config.slo import REQUEST_STATS
from golive.config.source import PathKey, Positions, load_yaml
from golive.exceptions import ConfigError, Issue
from golive.probes.base import ProbeKind
from golive.probes.expect import Expectation, ExpressionError, compile_expression
from golive.probes.registry import builtin_kinds

DEFAULT_FILE = "golive.yaml"


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration and what came with it."""

    config: ConfigBase
    path: Path
    environment: str
    secrets: Secrets
    kinds: Mapping[str, ProbeKind[Any]]
    expectations: Mapping[str, tuple[Expectation, ...]] = field(default_factory=dict)
    conditions: Mapping[str, Expectation] = field(default_factory=dict)
    gate_args: Mapping[str, BaseModel] = field(default_factory=dict)
    gate_builtins: Mapping[str, type[BaseModel]] = field(default_factory=dict)
    positions: Positions | None = None  # where each value sits in the file, for later warnings

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def runnable_checks(self) -> list[CheckBase]:
        """The checks golive runs on a schedule today, in config order."""
        return [
            c
            for c in self.config.checks
            if self.kinds[c.kind].later is None and not self.kinds[c.kind].pushed
        ]

    def pushed_checks(self) -> list[CheckBase]:
        """The checks whose runs are reported to golive (heartbeats), in config order."""
        return [c for c in self.config.checks if self.kinds[c.kind].pushed]

    def later_checks(self) -> list[str]:
        """``name (kind: the stage that runs it)`` for each check that cannot run yet."""
        return [
            f"check {c.name} ({c.kind}: runs with the {later} stage)"
            for c in self.config.checks
            if (later := self.kinds[c.kind].later) is not None
        ]

    def relative(self, value: str) -> Path:
        """A path from the config, resolved against the config file's folder."""
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base_dir / path


def find_config(explicit: str | Path | None, environ: Mapping[str, str]) -> Path:
    """``-c FILE``, else ``GOLIVE_CONFIG``, else ``./golive.yaml``."""
    chosen = explicit or environ.get("GOLIVE_CONFIG") or DEFAULT_FILE
    path = Path(chosen)
    if not path.is_file():
        how = "-c" if explicit else ("GOLIVE_CONFIG" if environ.get("GOLIVE_CONFIG") else "default")
        raise ConfigError([Issue(f"config file not found: {path} (from {how}; use -c FILE)")])
    return path


def load_config(
    path: str | Path,
    *,
    environ: Mapping[str, str],
    env: str | None = None,
    kinds: Mapping[str, ProbeKind[Any]] | None = None,
    gate_args: Mapping[str, type[BaseModel]] | None = None,
) -> LoadedConfig:
    """Load and validate ``path``; raise ``ConfigError`` listing every problem.

    ``kinds`` are the probe kinds checks may use (the built-ins when not given) and
    ``gate_args`` the argument model of each gate built-in a ``run:`` item may name (none when
    not given: ``golive.gate.registry.argument_models()`` has golive's).
    """
    path = Path(path)
    kinds = with_later_kinds(kinds if kinds is not None else builtin_kinds())
    data, positions = load_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError([Issue("expected a mapping at the top of the file", positions.value(()))])
    environment = _choose_environment(data, positions, env or environ.get("GOLIVE_ENV"))
    data = _apply_environment(data, positions, environment)

    secrets = Secrets()
    interpolator = Interpolator({}, environ, positions, secrets)
    raw_vars = data.get("vars") or {}
    if isinstance(raw_vars, dict):
        interpolator.resolve_variables(raw_vars)
    resolved = {
        key: (value if key == "environments" else interpolator.apply(value, (key,)))
        for key, value in data.items()
    }
    if interpolator.issues:
        raise ConfigError(interpolator.issues)

    model = config_model(kinds)
    try:
        config = model.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(_redacted(translate(exc, model, resolved, positions), secrets)) from None
    issues = check_references(config, positions)
    issues.extend(check_oncall(config.oncall, positions))
    expectations, conditions = _compile_expressions(config, kinds, positions, issues)
    builtins = gate_args or {}
    arguments = check_gate_args(config, builtins, resolved, positions, issues)
    if issues:
        raise ConfigError(_redacted(issues, secrets))
    return LoadedConfig(
        config,
        path,
        environment,
        secrets,
        kinds,
        expectations,
        conditions,
        arguments,
        builtins,
        positions,
    )


def _redacted(issues: list[Issue], secrets: Secrets) -> list[Issue]:
    return [Issue(secrets.redact(i.message), i.location) for i in issues]


def _choose_environment(data: dict[str, Any], positions: Positions, chosen: str | None) -> str:
    default = str(data.get("environment") or "default")
    environments = data.get("environments") or {}
    if chosen is None or chosen == default:
        return default
    if isinstance(environments, dict) and chosen in environments:
        return chosen
    names = [default, *(environments if isinstance(environments, dict) else [])]
    hint = difflib.get_close_matches(chosen, names, n=1)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(names)})"
    raise ConfigError(
        [Issue(f"unknown environment '{chosen}'{suggestion}", positions.value(("environments",)))]
    )


def _apply_environment(
    data: dict[str, Any], positions: Positions, environment: str
) -> dict[str, Any]:
    environments = data.get("environments") or {}
    override = environments.get(environment) if isinstance(environments, dict) else None
    merged = dict(data)
    merged["environment"] = environment
    if isinstance(override, dict):
        for key, value in override.items():
            if key in ("environments", "environment"):
                at = positions.key(("environments", environment, key))
                raise ConfigError([Issue(f"an environment cannot override '{key}'", at)])
            merged[key] = _deep_merge(merged.get(key), value)
            _copy_positions(positions, ("environments", environment, key), (key,), value)
    return merged


def _deep_merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for key, value in override.items():
            result[key] = _deep_merge(base.get(key), value)
        return result
    return override


def _copy_positions(positions: Positions, source: PathKey, target: PathKey, value: Any) -> None:
    at = positions.value(source)
    if at is not None:
        positions.add(target, at.line, at.column)
    if isinstance(value, dict):
        for key, item in value.items():
            _copy_positions(positions, (*source, key), (*target, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _copy_positions(positions, (*source, index), (*target, index), item)


def _compile_expressions(
    config: ConfigBase,
    kinds: Mapping[str, ProbeKind[Any]],
    positions: Positions,
    issues: list[Issue],
) -> tuple[dict[str, tuple[Expectation, ...]], dict[str, Expectation]]:
    expectations: dict[str, tuple[Expectation, ...]] = {}
    for i, check in enumerate(config.checks):
        kind = kinds[check.kind]
        fields = kind.all_fields
        if isinstance(check.spec, StepsSpec):
            fields = {**fields, **{s.name: "map: the step's fields" for s in check.spec.steps}}
            _compile_steps(check.name, i, check.spec, kinds, positions, issues)
        sources = check.expect if check.expect is not None else list(kind.default_expect)
        compiled = []
        for j, source in enumerate(sources):
            try:
                compiled.append(compile_expression(source, fields))
            except ExpressionError as exc:
                where = positions.value(("checks", i, "expect", j))
                issues.append(Issue(f"checks[{check.name}].expect: {exc}", where))
        expectations[check.name] = tuple(compiled)
    conditions: dict[str, Expectation] = {}
    by_name = {c.name: c for c in config.checks}
    for i, alert in enumerate(config.alerts):
        if alert.when is None:
            continue
        if alert.check is not None and alert.check in by_name:
            fields = kinds[by_name[alert.check].kind].all_fields
        elif alert.requests is not None:
            fields = REQUEST_STATS
        else:
            continue
        try:
            conditions[alert.name] = compile_expression(alert.when, fields)
        except ExpressionError as exc:
            issues.append(
                Issue(f"alerts[{alert.name}].when: {exc}", positions.value(("alerts", i, "when")))
            )
    return expectations, conditions


def _compile_steps(
    check: str,
    index: int,
    spec: StepsSpec,
    kinds: Mapping[str, ProbeKind[Any]],
    positions: Positions,
    issues: list[Issue],
) -> None:
    """Each step's expectations and captures compile against its own probe kind's fields."""
    for k, step in enumerate(spec.steps):
        fields = kinds[step.kind].all_fields
        at: PathKey = ("checks", index, "steps", k)
        written = [(("expect", j), source) for j, source in enumerate(step.expect or [])]
        written += [(("capture", name), source) for name, source in step.capture.items()]
        for key, source in written:
            try:
                compile_expression(source, fields)
            except ExpressionError as exc:
                where = positions.value((*at, *key))
                issues.append(Issue(f"checks[{check}].steps[{step.name}].{key[0]}: {exc}", where))
