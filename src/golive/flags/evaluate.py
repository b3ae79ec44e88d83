"""``evaluate(flag, context)``: enabled, environments, roles, constraints, then a sticky
percentage that puts a user in the same bucket as Unleash does
(``murmurhash3_x86_32(f"{group}:{user}", seed 0) % 100 + 1``). It never raises: a context it
cannot read gives the flag off with reason ``ERROR``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mmh3

from golive.flags.model import Constraint, Evaluation, FlagDefinition, Reason

USER_KEYS = ("user_id", "userId", "targetingKey", "targeting_key")


def bucket(group: str, user: str) -> int:
    """The user's bucket, 1 to 100, exactly as Unleash's ``normalizedNumber``."""
    return int(mmh3.hash(f"{group}:{user}", 0, signed=False)) % 100 + 1


def user_of(context: Mapping[str, Any]) -> str | None:
    for key in USER_KEYS:
        value = context.get(key)
        if value is not None and value != "":
            return str(value)
    return None


def evaluate(flag: FlagDefinition, context: Mapping[str, Any] | None = None) -> Evaluation:
    """The flag's value for ``context`` (keys: ``user_id``, ``role`` or ``roles``,
    ``environment``, anything else a constraint names, also under ``properties``)."""
    try:
        return _evaluate(flag, {} if context is None else context)
    except Exception as exc:  # a context of any shape must not break the caller's app
        return Evaluation(
            flag.name, False, "ERROR", f"cannot read the context: {exc}", None, "PARSE_ERROR"
        )


def _evaluate(flag: FlagDefinition, context: Mapping[str, Any]) -> Evaluation:
    if not isinstance(context, Mapping):
        return Evaluation(
            flag.name, False, "ERROR", "the context is not a mapping", None, "PARSE_ERROR"
        )
    if not flag.enabled:
        return Evaluation(flag.name, False, "DISABLED", "the flag is disabled")
    if flag.environments:
        environment = context.get("environment")
        if environment not in flag.environments:
            return Evaluation(
                flag.name, False, "DEFAULT", f"environment {environment!r} is not targeted"
            )
    if flag.roles:
        roles = _roles(context)
        if not roles & set(flag.roles):
            return Evaluation(flag.name, False, "DEFAULT", "no targeted role")
    for constraint in flag.constraints:
        if not matches(constraint, context):
            return Evaluation(
                flag.name,
                False,
                "DEFAULT",
                f"constraint {constraint.field} {constraint.operator} failed",
            )
    if flag.rollout >= 100:
        reason: Reason = "TARGETING_MATCH" if flag.targeted else "STATIC"
        return Evaluation(flag.name, True, reason, "on for everyone targeted")
    if flag.rollout <= 0:
        return Evaluation(flag.name, False, "SPLIT", "rollout is 0%", "off")
    user = user_of(context)
    if user is None:
        return Evaluation(flag.name, False, "DEFAULT", "a partial rollout needs a user id")
    number = bucket(flag.group or flag.name, user)
    on = number <= flag.rollout
    return Evaluation(
        flag.name,
        on,
        "SPLIT",
        f"bucket {number} of 100, rollout {flag.rollout:g}%",
        "on" if on else "off",
    )


def _roles(context: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    role = context.get("role")
    if isinstance(role, str):
        found.add(role)
    roles = context.get("roles")
    if isinstance(roles, str):
        found.add(roles)
    elif isinstance(roles, list | tuple | set | frozenset):
        found.update(str(r) for r in roles)
    return found


def _field(context: Mapping[str, Any], name: str) -> Any:
    if name in context:
        return context[name]
    if name == "userId":
        return user_of(context)
    properties = context.get("properties")
    if isinstance(properties, Mapping):
        return properties.get(name)
    return None


def matches(constraint: Constraint, context: Mapping[str, Any]) -> bool:
    """Whether the context meets the constraint (a missing field meets only ``NOT_IN``)."""
    value = _field(context, constraint.field)
    operator = constraint.operator
    if operator == "NOT_IN":
        result = value is None or str(value) not in constraint.values
    elif value is None:
        result = False
    elif operator == "IN":
        result = str(value) in constraint.values
    elif operator.startswith("STR_"):
        result = _string(operator, str(value), constraint)
    elif operator.startswith("NUM_"):
        result = _number(operator, value, constraint.values)
    else:
        return False  # an unknown operator never matches, inverted or not
    return result != constraint.inverted


def _string(operator: str, text: str, constraint: Constraint) -> bool:
    values = constraint.values
    if constraint.case_insensitive:
        text = text.lower()
        values = tuple(v.lower() for v in values)
    if operator == "STR_CONTAINS":
        return any(v in text for v in values)
    if operator == "STR_STARTS_WITH":
        return any(text.startswith(v) for v in values)
    if operator == "STR_ENDS_WITH":
        return any(text.endswith(v) for v in values)
    return False


def _number(operator: str, value: Any, values: tuple[str, ...]) -> bool:
    try:
        left = float(value)
        right = float(values[0])
    except (TypeError, ValueError, IndexError):
        return False
    if operator == "NUM_EQ":
        return left == right
    if operator == "NUM_GT":
        return left > right
    if operator == "NUM_GTE":
        return left >= right
    if operator == "NUM_LT":
        return left < right
    if operator == "NUM_LTE":
        return left <= right
    return False
