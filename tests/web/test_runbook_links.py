"""A runbook is a link on a check's page only when it is an http(s) URL or a path."""

from __future__ import annotations

import dataclasses

import pytest

from golive.web.pages.framework import Pages
from tests.devkit.web import FakeRuntime, MakeClient, signed_in


def with_runbook(runtime: FakeRuntime, runbook: str) -> None:
    """The ``db`` check with ``runbook`` as it is, unvalidated (as from an older config)."""
    config = runtime.loaded.config
    checks = [
        c.model_copy(update={"runbook": runbook}) if c.name == "db" else c for c in config.checks
    ]
    runtime.loaded = dataclasses.replace(
        runtime.loaded, config=config.model_copy(update={"checks": checks})
    )


def test_a_javascript_runbook_is_shown_as_text_not_as_a_link(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    with_runbook(runtime, "javascript:alert(1)")
    page = signed_in(make_client, runtime, "vic", "viewer").get("/checks/db").text
    assert "javascript:alert(1)" in page
    assert 'href="javascript' not in page


def test_an_https_runbook_is_a_link(make_client: MakeClient, runtime: FakeRuntime) -> None:
    with_runbook(runtime, "https://wiki.example/db")
    page = signed_in(make_client, runtime, "vic", "viewer").get("/checks/db").text
    assert '<a href="https://wiki.example/db" rel="noopener noreferrer">' in page


@pytest.mark.parametrize(
    ("value", "href"),
    [
        ("https://wiki.example/db", "https://wiki.example/db"),
        ("runbooks/db.md", "runbooks/db.md"),
        ("javascript:alert(1)", ""),
        ("data:text/html,x", ""),
        (None, ""),
    ],
)
def test_the_link_filter_keeps_only_safe_hrefs(value: str | None, href: str) -> None:
    assert Pages().env.filters["link"](value) == href
