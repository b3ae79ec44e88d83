"""evaluate(): enabled, environments, roles, constraints and the sticky split; never raises."""

from __future__ import annotations

from typing import Any

import pytest

from golive.flags import Constraint, FlagDefinition, evaluate
from golive.flags.evaluate import bucket

IDS = [f"user-{n}" for n in range(100_000)]


@pytest.mark.parametrize("share", [1.0, 10.0, 25.0, 50.0, 90.0])
def test_a_rollout_turns_the_flag_on_for_its_share_of_100000_users(share: float) -> None:
    flag = FlagDefinition("pwa", enabled=True, rollout=share)
    on = sum(evaluate(flag, {"user_id": user}).value for user in IDS)
    assert abs(on / len(IDS) * 100 - share) < 1.0


def test_a_user_keeps_their_answer_and_a_wider_rollout_only_adds_users() -> None:
    narrow = FlagDefinition("pwa", enabled=True, rollout=20)
    wide = FlagDefinition("pwa", enabled=True, rollout=40)
    first = {u for u in IDS[:5000] if evaluate(narrow, {"user_id": u}).value}
    again = {u for u in IDS[:5000] if evaluate(narrow, {"user_id": u}).value}
    wider = {u for u in IDS[:5000] if evaluate(wide, {"user_id": u}).value}
    assert first == again
    assert first < wider


def test_the_bucket_is_unleash_normalised_from_the_flag_name_and_user() -> None:
    # Unleash's spec 03: groupId AB12A at 50% has user 122 in and user 155 out
    assert bucket("AB12A", "122") <= 50 < bucket("AB12A", "155")
    flag = FlagDefinition("AB12A", enabled=True, rollout=50)
    assert evaluate(flag, {"userId": "122"}).reason == "SPLIT"
    assert evaluate(flag, {"userId": "122"}).value is True
    assert evaluate(flag, {"userId": "155"}).value is False


def test_a_disabled_flag_is_off_whatever_the_context() -> None:
    flag = FlagDefinition("x", enabled=False)
    result = evaluate(flag, {"user_id": "1", "role": "ADMIN"})
    assert (result.value, result.reason) == (False, "DISABLED")


def test_an_untargeted_full_flag_is_static() -> None:
    result = evaluate(FlagDefinition("x", enabled=True), {})
    assert (result.value, result.reason) == (True, "STATIC")


def test_roles_and_environments_target() -> None:
    flag = FlagDefinition(
        "dash", enabled=True, roles=("ADMIN", "SUPPORT"), environments=("production",)
    )
    admin = evaluate(flag, {"roles": ["USER", "ADMIN"], "environment": "production"})
    assert (admin.value, admin.reason) == (True, "TARGETING_MATCH")
    assert evaluate(flag, {"role": "USER", "environment": "production"}).value is False
    staging = evaluate(flag, {"role": "ADMIN", "environment": "staging"})
    assert (staging.value, staging.reason) == (False, "DEFAULT")
    assert "staging" in staging.detail


def test_constraints_read_the_context_and_its_properties() -> None:
    flag = FlagDefinition(
        "beta",
        enabled=True,
        constraints=(
            Constraint("plan", "IN", ("pro", "team")),
            Constraint("age_days", "NUM_GTE", ("30",)),
            Constraint("email", "STR_ENDS_WITH", ("@PARKWISE.APP",), case_insensitive=True),
        ),
    )
    context: dict[str, Any] = {
        "plan": "pro",
        "properties": {"age_days": 45, "email": "a@parkwise.app"},
    }
    assert evaluate(flag, context).value is True
    assert evaluate(flag, {**context, "plan": "free"}).value is False
    assert evaluate(flag, {"plan": "pro", "properties": {"age_days": "soon"}}).value is False


def test_a_partial_rollout_without_a_user_is_off_by_default() -> None:
    result = evaluate(FlagDefinition("x", enabled=True, rollout=50), {"role": "ADMIN"})
    assert (result.value, result.reason) == (False, "DEFAULT")


@pytest.mark.parametrize("context", [42, "user-1", ["a"], {"roles": object(), "user_id": object()}])
def test_a_context_of_any_shape_never_raises(context: Any) -> None:
    result = evaluate(FlagDefinition("x", enabled=True, rollout=50, roles=("A",)), context)
    assert result.value is False
    assert result.reason in ("ERROR", "DEFAULT")
