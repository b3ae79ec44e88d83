"""golive's evaluator against Unleash's published client-specification vectors: the same user
lands in the same bucket, and constraints decide the same way.

Each Unleash strategy becomes one golive flag (strategies of a feature are OR-ed, as in Unleash);
a test whose feature uses a strategy or operator golive does not support is counted as skipped,
and the test fails if fewer than the vectors golive claims are run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mmh3
import pytest

from golive.flags.evaluate import bucket, evaluate
from golive.flags.model import Constraint, FlagDefinition

VECTORS = Path(__file__).parent / "unleash"
SUPPORTED_OPERATORS = {
    "IN", "NOT_IN", "STR_CONTAINS", "STR_STARTS_WITH", "STR_ENDS_WITH",
    "NUM_EQ", "NUM_GT", "NUM_GTE", "NUM_LT", "NUM_LTE",
}  # fmt: skip


def strategy_flag(feature: dict[str, Any], strategy: dict[str, Any]) -> FlagDefinition | None:
    """One Unleash strategy as a golive flag, or None when golive has no equivalent."""
    parameters = strategy.get("parameters") or {}
    constraints = []
    for c in strategy.get("constraints") or []:
        if c["operator"] not in SUPPORTED_OPERATORS:
            return None
        values = c.get("values") or ([c["value"]] if "value" in c else [])
        constraints.append(
            Constraint(
                field=c["contextName"],
                operator=c["operator"],
                values=tuple(str(v) for v in values),
                inverted=bool(c.get("inverted", False)),
                case_insensitive=bool(c.get("caseInsensitive", False)),
            )
        )
    rollout, group = 100.0, None
    name = strategy["name"]
    if name == "gradualRolloutUserId":
        rollout, group = float(parameters["percentage"]), parameters.get("groupId")
        # this strategy is off without a user even at 100%; golive's rollout needs a user only
        # below 100%, so the vector's rule is spelled as "userId contains ''" (it is present)
        constraints.append(Constraint(field="userId", operator="STR_CONTAINS", values=("",)))
    elif name == "flexibleRollout":
        if parameters.get("stickiness", "default") not in ("default", "userId"):
            return None
        rollout, group = float(parameters["rollout"]), parameters.get("groupId")
    elif name == "userWithId":
        ids = tuple(i.strip() for i in parameters["userIds"].split(","))
        constraints.append(Constraint(field="userId", operator="IN", values=ids))
    elif name != "default":
        return None
    return FlagDefinition(
        name=feature["name"],
        enabled=feature["enabled"],
        rollout=rollout,
        constraints=tuple(constraints),
        group=group or feature["name"],
    )


def vectors() -> list[Any]:
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        spec = json.loads(path.read_text())
        features = {f["name"]: f for f in spec["state"]["features"]}
        for test in spec.get("tests", []):
            feature = features.get(test["toggleName"])
            cases.append(pytest.param(feature, test, id=f"{path.stem}:{test['description']}"))
    return cases


@pytest.mark.parametrize(("feature", "test"), vectors())
def test_golive_decides_like_unleash(feature: dict[str, Any] | None, test: dict[str, Any]) -> None:
    if feature is None:  # an unknown flag is off
        assert test["expectedResult"] is False
        return
    strategies = feature.get("strategies") or [{"name": "default"}]
    flags = [strategy_flag(feature, s) for s in strategies]
    if any(f is None for f in flags):
        pytest.skip("a strategy or operator golive does not support")
    context = test["context"]
    sticky_on_session = "userId" not in context and "sessionId" in context
    if sticky_on_session and any(s["name"] == "flexibleRollout" for s in strategies):
        pytest.skip("golive's rollout is sticky on the user id only, not on sessionId")
    value = any(evaluate(f, context).value for f in flags if f is not None)
    assert value is test["expectedResult"], test["description"]


def test_most_unleash_vectors_are_in_reach() -> None:
    runnable = [
        p
        for p in vectors()
        if p.values[0] is None
        or all(
            strategy_flag(p.values[0], s)
            for s in p.values[0].get("strategies") or [{"name": "default"}]
        )
    ]
    assert len(runnable) >= 60, len(runnable)


def test_buckets_match_murmurhash3_reference_values() -> None:
    # MurmurHash3 x86_32, seed 0, from the algorithm's reference implementation (SMHasher):
    # "" → 0, "Hello, world!" → 0xc0363e43, "The quick brown fox..." → 0x2e4ff723
    assert mmh3.hash("", 0, signed=False) == 0
    assert mmh3.hash("The quick brown fox jumps over the lazy dog", 0, signed=False) == 0x2E4FF723
    assert mmh3.hash("Hello, world!", 0, signed=False) == 0xC0363E43
    # Unleash's normalisation of "groupId:userId": 1 + hash % 100
    assert bucket("AB12A", "122") == mmh3.hash("AB12A:122", 0, signed=False) % 100 + 1
