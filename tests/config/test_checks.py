"""A check's timing and its runbook: defaults that fit `every`, links that are only links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from golive.config import LoadedConfig
from golive.config.units import link_problem

Errors = Callable[..., list[str]]
Load = Callable[..., LoadedConfig]


def check_with(options: str) -> str:
    return f"""\
    version: 1
    project: shop
    checks:
      - name: web
        http: {{url: "http://127.0.0.1:1/"}}
        {options}
    """


def test_a_check_every_second_needs_no_timeout(load: Load) -> None:
    (check,) = load(check_with("every: 1s")).config.checks
    assert check.timeout == timedelta(seconds=1)


def test_the_timeout_is_ten_seconds_when_every_is_longer(load: Load) -> None:
    (check,) = load(check_with("every: 5m")).config.checks
    assert check.timeout == timedelta(seconds=10)


def test_the_timeout_defaults_to_ten_seconds_with_the_default_every(load: Load) -> None:
    (check,) = load(check_with("severity: high")).config.checks
    assert (check.every, check.timeout) == (timedelta(seconds=60), timedelta(seconds=10))


def test_an_explicit_timeout_within_every_is_kept(load: Load) -> None:
    (check,) = load(check_with("every: 2s\n        timeout: 2s")).config.checks
    assert check.timeout == timedelta(seconds=2)


def test_an_explicit_timeout_longer_than_every_is_an_error_at_the_timeout(errors: Errors) -> None:
    text = check_with("every: 1s\n        timeout: 5s")
    assert errors(text) == [
        "7:14: checks[web].timeout: timeout (5s) must not be longer than every (1s)"
    ]


def test_a_javascript_runbook_is_a_config_error(errors: Errors) -> None:
    assert errors(check_with('runbook: "javascript:alert(1)"')) == [
        "6:14: checks[web].runbook: expected an http(s) URL or a relative path, got"
        " 'javascript:alert(1)'"
    ]


def test_a_javascript_runbook_on_an_alert_is_a_config_error(errors: Errors) -> None:
    text = """\
    version: 1
    project: shop
    alerts:
      - {name: busy, requests: app, when: rate > 1, runbook: "data:text/html,<b>x</b>"}
    """
    (found,) = errors(text)
    assert found.startswith("4:58: alerts[busy].runbook: expected an http(s) URL")


@pytest.mark.parametrize(
    "runbook",
    [
        "https://wiki.example/runbooks/outage",
        "http://127.0.0.1:8000/runbook#db",
        "runbooks/service-outage.md",
        "../ops/runbook.md",
        "/srv/runbooks/db.md",
        "runbook.md#step-2",
    ],
)
def test_http_urls_and_paths_are_runbooks(runbook: str, load: Load) -> None:
    (check,) = load(check_with(f'runbook: "{runbook}"')).config.checks
    assert check.runbook == runbook


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "http:/no-host",
        "https://",
        "",
    ],
)
def test_anything_else_is_not_a_link(link: str) -> None:
    assert link_problem(link) is not None
