"""``flags:`` mistakes are located errors: a rollout outside 0–100 %, a constraint's bad operator
or a NUM_ operator given something that is not a number."""

from __future__ import annotations

from collections.abc import Callable

Errors = Callable[..., list[str]]


def test_a_rollout_above_100_percent_is_a_located_error(errors: Errors) -> None:
    text = (
        "version: 1\nproject: shop\nflags:\n  - name: pwa\n    enabled: true\n    rollout: 150%\n"
    )
    (message,) = errors(text)
    assert message.startswith("6:14: flags[pwa].rollout: expected a percentage")
    assert "150%" in message


def test_a_negative_rollout_is_a_located_error(errors: Errors) -> None:
    text = "version: 1\nproject: shop\nflags:\n  - name: pwa\n    rollout: -5%\n"
    (message,) = errors(text)
    assert message.startswith("5:14: flags[pwa].rollout:")


def test_a_constraint_with_an_unknown_operator_names_the_choices(errors: Errors) -> None:
    text = (
        "version: 1\nproject: shop\nflags:\n  - name: beta\n    constraints:\n"
        "      - {field: plan, operator: LIKE, values: [pro]}\n"
    )
    (message,) = errors(text)
    assert message.startswith("6:")
    assert "operator" in message and "STR_CONTAINS" in message


def test_a_number_operator_refuses_a_word(errors: Errors) -> None:
    text = (
        "version: 1\nproject: shop\nflags:\n  - name: beta\n    constraints:\n"
        "      - field: age_days\n        operator: NUM_GT\n        values: [old]\n"
    )
    (message,) = errors(text)
    assert message.startswith("6:")
    assert "NUM_GT compares numbers; 'old' is not one" in message


def test_constraints_load(load: Callable[..., object]) -> None:
    text = (
        "version: 1\nproject: shop\nflags:\n  - name: beta\n    enabled: true\n    rollout: 30%\n"
        "    constraints:\n      - {field: age_days, operator: NUM_GTE, values: [30]}\n"
    )
    loaded = load(text)
    (flag,) = loaded.config.flags  # type: ignore[attr-defined]
    assert flag.rollout == 0.3
    assert flag.constraints[0].values == ["30"]
