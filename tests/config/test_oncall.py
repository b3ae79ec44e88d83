"""``oncall:`` mistakes are located errors: unknown names, overlapping overrides, bounds."""

from __future__ import annotations

from collections.abc import Callable

from golive.config import LoadedConfig

HEAD = """\
version: 1
project: shop
notify:
  channels:
    - {name: ops-slack, url: "json://127.0.0.1:9/ops"}
oncall:
  people:
    - {name: alice}
    - {name: bob}
"""


def test_the_reference_oncall_section_loads(load: Callable[..., LoadedConfig]) -> None:
    loaded = load(
        HEAD
        + """\
  schedules:
    - name: primary
      timezone: America/New_York
      rotation: [alice, bob]
      start: 2026-10-26
      handoff: monday 09:00
      overrides:
        - {person: bob, from: "2026-12-24T00:00", to: "2026-12-26T00:00"}
"""
    )
    assert loaded.config.oncall.schedules[0].overrides[0].person == "bob"


def test_a_rotation_naming_an_unknown_person_is_located(errors: Callable[..., list[str]]) -> None:
    text = HEAD + "  schedules:\n    - {name: p, rotation: [alice, bobb], start: 2026-10-26}\n"
    assert errors(text) == ["11:35: unknown person 'bobb'; did you mean 'bob'?"]


def test_overlapping_overrides_are_located_at_the_later_one(
    errors: Callable[..., list[str]],
) -> None:
    text = HEAD + (
        "  schedules:\n"
        "    - name: p\n"
        "      rotation: [alice]\n"
        "      start: 2026-10-26\n"
        "      overrides:\n"
        '        - {person: bob, from: "2026-12-24T00:00", to: "2026-12-26T00:00"}\n'
        '        - {person: alice, from: "2026-12-25T12:00", to: "2026-12-27T00:00"}\n'
    )
    assert errors(text) == [
        "16:33: override overlaps overrides[0] (bob 2026-12-24 00:00 → 2026-12-26 00:00);"
        " who is on call would be ambiguous"
    ]


def test_an_override_that_ends_before_it_starts_is_located(
    errors: Callable[..., list[str]],
) -> None:
    text = HEAD + (
        "  schedules:\n"
        "    - name: p\n"
        "      rotation: [alice]\n"
        "      start: 2026-10-26\n"
        "      overrides:\n"
        '        - {person: bob, from: "2026-12-26T00:00", to: "2026-12-24T00:00"}\n'
    )
    assert errors(text) == ["15:55: override ends at 2026-12-24 00:00:00 before it starts"]


def test_a_start_on_another_weekday_than_the_handoff_is_located(
    errors: Callable[..., list[str]],
) -> None:
    text = HEAD + "  schedules:\n    - {name: p, rotation: [alice], start: 2026-10-27}\n"
    assert errors(text) == ["11:43: start 2026-10-27 is a tuesday but the handoff is on mondays"]


def test_a_shift_shorter_than_an_hour_is_refused(errors: Callable[..., list[str]]) -> None:
    text = HEAD + (
        "  schedules:\n    - {name: p, rotation: [alice], start: 2026-10-26,"
        " shift: 30m, handoff: '09:00'}\n"
    )
    assert errors(text) == ["11:62: a shift lasts at least 1h"]


def test_a_policy_naming_unknown_targets_is_located(errors: Callable[..., list[str]]) -> None:
    text = HEAD + (
        "  escalation_policies:\n"
        "    - name: primary\n"
        "      steps:\n"
        '        - {notify: ["schedule:nope", "person:carol", "channel:ops-slak"]}\n'
    )
    assert errors(text) == [
        "13:21: unknown schedule 'nope' (known: none are defined)",
        "13:38: unknown person 'carol' (known: alice, bob)",
        "13:54: unknown channel 'ops-slak'; did you mean 'ops-slack'?",
    ]


def test_a_policy_repeating_without_bound_is_refused(errors: Callable[..., list[str]]) -> None:
    text = HEAD + (
        "  escalation_policies:\n"
        "    - name: primary\n"
        "      steps: [{notify: [person:alice]}]\n"
        "      repeat: 1000\n"
    )
    (message,) = errors(text)
    assert message.startswith("13:15: ") and "10" in message
