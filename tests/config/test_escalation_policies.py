"""Bad incident and escalation config gets one clear line with file position."""

from __future__ import annotations

from collections.abc import Callable

Errors = Callable[..., list[str]]


def test_an_escalation_policy_that_loops_without_waiting_is_refused(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    oncall:
      people: [{name: alice, notify: ["json://127.0.0.1:1/a"]}]
      escalation_policies:
        - name: default
          steps:
            - {notify: [person:alice], wait: 0s}
          repeat: 3
    """
    [line] = errors(text)
    assert line.startswith("6:")
    assert "this policy loops: its steps wait 0s in all, so its 3 repeat(s)" in line


def test_an_escalation_step_naming_an_unknown_person_says_so(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    oncall:
      people: [{name: alice, notify: ["json://127.0.0.1:1/a"]}]
      escalation_policies:
        - name: default
          steps:
            - {notify: [person:alise]}
    """
    [line] = errors(text)
    assert line.startswith("8:")
    assert "alise" in line and "alice" in line
