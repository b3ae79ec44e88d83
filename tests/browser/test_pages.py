"""The status page, the login and the dashboard in a real (headless) Chromium against a real
``golive serve``. Screenshots go to ``tests/screenshots/`` for a person to look at."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from devkit.browser import screenshot
from tests.browser.conftest import DASHBOARD, Served, log_in

STATE_WAIT_S = 20.0  # the check runs every second; its state changes within a few


@pytest.fixture
def check_up(golive: Served) -> Iterator[None]:
    """The ``api`` check passes when the test starts and again after it, whatever it did."""
    golive.down.unlink(missing_ok=True)
    yield
    golive.down.unlink(missing_ok=True)


def wait_for_overall(page: Page, golive: Served, text: str) -> None:
    """Reload ``/status`` until its headline reads ``text`` (bounded)."""
    deadline = time.monotonic() + STATE_WAIT_S
    headline = page.locator("h1#overall")
    while True:
        page.goto(golive.url("/status"))
        if headline.inner_text().strip() == text:
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"/status still says {headline.inner_text()!r}, not {text!r}, "
                f"after {STATE_WAIT_S:.0f} s"
            )
        page.wait_for_timeout(500)


def test_anonymous_visitors_reach_the_status_page_and_badges_but_not_the_dashboard(
    page: Page, golive: Served, check_up: None
) -> None:
    answer = page.goto(golive.url("/status"))
    assert answer is not None and answer.status == 200
    expect(page).to_have_title(re.compile("Shop status"))
    component = page.locator('li.component[data-component="API"]')
    expect(component).to_be_visible()
    expect(component.get_by_role("heading", name="API")).to_be_visible()
    expect(component.locator("ol.bars")).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe (Atom)")).to_be_visible()
    wait_for_overall(page, golive, "All systems operational")
    screenshot(page, "status")

    badge = page.goto(golive.url("/badge/api/status.svg"))
    assert badge is not None and badge.status == 200
    assert badge.headers["content-type"].startswith("image/svg+xml")
    feed = page.request.get(golive.url("/status.atom"))
    assert feed.status == 200 and "<feed" in feed.text()

    for private in ("/", "/checks/api"):
        page.goto(golive.url(private))
        expect(page).to_have_url(re.compile(r"/login\?next="))
        expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_user_logs_in_and_out(page: Page, golive: Served) -> None:
    page.goto(golive.url("/login"))
    expect(page.get_by_role("heading", name="golive")).to_be_visible()
    screenshot(page, "login")

    page.get_by_label("Name").fill("otto")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong name or password.")

    log_in(page, golive, "otto")
    expect(page.get_by_role("heading", name="Checks", exact=True)).to_be_visible()
    expect(page.get_by_text("otto (operator)")).to_be_visible()
    expect(page.get_by_role("link", name="api", exact=True)).to_be_visible()
    screenshot(page, "dashboard")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["golive_session"]["httpOnly"] and cookies["golive_session"]["sameSite"] == "Lax"

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(golive.url("/login"))
    assert "golive_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(golive.url("/"))
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_the_status_page_turns_red_when_a_check_fails_and_green_again(
    page: Page, golive: Served, check_up: None
) -> None:
    wait_for_overall(page, golive, "All systems operational")
    component = page.locator('li.component[data-component="API"]')
    expect(component).to_have_attribute("data-state", "up")

    golive.down.touch()
    wait_for_overall(page, golive, "Major outage")
    expect(component).to_have_attribute("data-state", "down")
    expect(page.locator("section.banner")).to_have_class(re.compile(r"\bstate-down\b"))
    screenshot(page, "status-down")

    golive.down.unlink()
    wait_for_overall(page, golive, "All systems operational")
    expect(component).to_have_attribute("data-state", "up")


def test_the_status_page_has_no_csp_violations(page: Page, golive: Served) -> None:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    for path in ("/status", "/login"):
        page.goto(golive.url(path))
        page.wait_for_load_state("networkidle")
    assert violations == []

    # The listener does catch one: an inline script is exactly what the policy forbids.
    page.goto(golive.url("/status"))
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }"
    )
    for _ in range(50):  # console messages arrive asynchronously: up to 5 s
        if violations:
            break
        page.wait_for_timeout(100)
    assert violations, "an inline script ran without a CSP report: is the listener deaf?"
    assert page.evaluate("() => window.inlineRan === undefined")


REFRESH_WAIT_MS = 25_000  # the overview's table refreshes every 10 s


def csp_errors(page: Page) -> list[str]:
    """CSP violations reported on ``page`` from now on (the list fills as they come)."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return found


def test_the_dashboard_pages_have_no_csp_violations(page: Page, golive: Served) -> None:
    violations = csp_errors(page)
    log_in(page, golive, "ada")
    shown = {  # the fixture's data is on the pages, not their empty states
        "/sources": "edge",
        "/slos/errors": "edge",
        "/loadtests": "asked 20.0/s",
        "/oncall": "alice",
        golive.incident_path: "Slow bookings",
    }
    for path in (*DASHBOARD, "/tokens", "/users", golive.incident_path):
        answer = page.goto(golive.url(path))
        assert answer is not None and answer.status == 200, path
        if path in shown:
            expect(page.locator("body")).to_contain_text(shown[path])
        page.wait_for_load_state("networkidle")
        if path == "/checks/api":  # the latency chart, drawn by the vendored uPlot
            expect(page.locator("[data-latency] .uplot canvas")).to_have_count(1)
    assert violations == []


def test_the_overview_turns_red_and_green_without_a_reload(
    page: Page, golive: Served, check_up: None
) -> None:
    violations = csp_errors(page)
    log_in(page, golive, "vera")
    row = page.locator("#checks-table tr", has=page.get_by_role("link", name="api", exact=True))
    expect(row.locator(".pill")).to_contain_text("Operational", timeout=REFRESH_WAIT_MS)
    page.evaluate("() => { window.notReloaded = true; }")

    golive.down.touch()
    expect(row.locator(".pill")).to_contain_text("Outage", timeout=REFRESH_WAIT_MS)
    expect(row.locator("svg.sparkline")).to_have_attribute("aria-label", re.compile("failed"))
    screenshot(page, "dashboard-down")
    golive.down.unlink()
    expect(row.locator(".pill")).to_contain_text("Operational", timeout=REFRESH_WAIT_MS)
    assert page.evaluate("() => window.notReloaded === true")  # the table came by fetch
    assert violations == []


def test_an_operator_silences_a_check_from_its_page(page: Page, golive: Served) -> None:
    log_in(page, golive, "otto")
    page.get_by_role("link", name="api", exact=True).click()
    expect(page).to_have_url(golive.url("/checks/api"))
    expect(page.get_by_role("heading", name="Silence")).to_be_visible()
    page.get_by_label("For").select_option("2h")
    page.get_by_label("Reason").fill("browser test: deploying the API")
    page.get_by_role("button", name="Silence api").click()
    expect(page).to_have_url(golive.url("/checks/api"))
    expect(page.get_by_text(re.compile(r"Silenced api until .* UTC \(silence "))).to_be_visible()
    screenshot(page, "check-silenced")


def test_a_viewer_cannot_silence(page: Page, golive: Served) -> None:
    log_in(page, golive, "vera")
    page.goto(golive.url("/checks/api"))
    expect(page.get_by_role("heading", name="api")).to_be_visible()
    expect(page.get_by_role("heading", name="Silence")).to_have_count(0)
    expect(page.get_by_role("button", name="Silence api")).to_have_count(0)

    # Posting the form anyway, with the viewer's own valid CSRF token, is refused.
    token = page.locator('form.logout input[name="csrf_token"]').get_attribute("value")
    assert token
    answer = page.request.post(
        golive.url("/checks/api/silence"),
        form={"csrf_token": token, "duration": "1h", "reason": "not allowed"},
        headers={"Origin": golive.base},
        max_redirects=0,
    )
    assert answer.status == 403, answer.text()
    assert "this page needs the operator role" in answer.text()
