"""axe-core (vendored, ``vendor/axe.min.js``) finds no serious or critical accessibility
violations on the public status page, the login page and every dashboard page, in the light
and the dark theme.

The pages' CSP (``script-src 'self'``) rightly blocks an injected script, so this test alone
uses a browser context with ``bypass_csp=True``; the CSP itself is tested in test_pages.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from devkit.browser import new_context
from tests.browser.conftest import DASHBOARD, Served, log_in

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(params=["light", "dark"])
def axe_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page without the CSP (so axe can be injected), in the light and the dark theme."""
    context = new_context(browser, bypass_csp=True, dark=request.param == "dark")
    try:
        yield context.new_page()
    finally:
        context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    assert results["testEngine"]["name"] == "axe-core" and results["passes"], "axe did not run"
    violations: list[dict[str, Any]] = results["violations"]
    print(
        f"{page.url}: axe {results['testEngine']['version']}: {len(results['passes'])} rules "
        f"passed, {len(violations)} violated, {len(results['incomplete'])} need review"
    )
    return violations


def describe(path: str, violation: dict[str, Any]) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
    return (
        f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    {violation['helpUrl']}\n    nodes: {', '.join(targets)}"
    )


@pytest.mark.parametrize("path", ["/status", "/login"])
def test_no_serious_or_critical_accessibility_violations(
    axe_page: Page, golive: Served, path: str
) -> None:
    answer = axe_page.goto(golive.url(path))
    assert answer is not None and answer.status == 200
    violations = axe_violations(axe_page)
    for violation in violations:  # all of them, so minor ones are seen too (pytest -s)
        print(describe(path, violation))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(describe(path, v) for v in blocking)


@pytest.mark.parametrize("path", [*DASHBOARD, "/tokens", "/users", "incident"])
def test_no_serious_or_critical_violations_on_the_dashboard(
    axe_page: Page, golive: Served, path: str
) -> None:
    path = golive.incident_path if path == "incident" else path
    log_in(axe_page, golive, "ada")  # an admin sees every page and every control
    answer = axe_page.goto(golive.url(path))
    assert answer is not None and answer.status == 200
    axe_page.wait_for_load_state("networkidle")
    violations = axe_violations(axe_page)
    for violation in violations:
        print(describe(path, violation))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, "\n".join(describe(path, v) for v in blocking)
