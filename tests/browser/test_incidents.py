"""A public incident in a real Chromium: opened with the CLI, updated from the dashboard by an
operator, and read on the rendered /status page by an anonymous visitor."""

from __future__ import annotations

import os
import subprocess
import time

from playwright.sync_api import Page, expect

from devkit.browser import screenshot
from tests.browser.conftest import GOLIVE, Served, log_in

SHOWN_WAIT_S = 20.0  # the status page's view is kept a few seconds


def test_a_public_incident_and_its_updates_show_on_the_status_page(
    page: Page, golive: Served
) -> None:
    config = golive.log.parent / "golive.yaml"
    opened = subprocess.run(
        [
            *GOLIVE,
            "incident",
            "open",
            "Payments are failing",
            "--sev",
            "SEV1",
            "--component",
            "API",
            "--public",
            "--json",
            "-c",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert opened.returncode == 0, opened.stdout + opened.stderr

    log_in(page, golive, "otto")
    page.goto(golive.url("/incidents"))
    page.get_by_role("link", name="Payments are failing").click()
    page.get_by_label("Public status").select_option("identified")
    page.get_by_label("Message for users").fill("A card provider times out; we are switching")
    page.get_by_role("button", name="Post on /status").click()
    expect(page.get_by_text("Status page updated.")).to_be_visible()

    visitor = page.context.browser.new_context()  # type: ignore[union-attr]
    anonymous = visitor.new_page()
    section = anonymous.locator("section[aria-labelledby=incidents-declared]")
    deadline = time.monotonic() + SHOWN_WAIT_S
    while True:
        anonymous.goto(golive.url("/status"))
        if section.count() and "switching" in section.inner_text():
            break
        assert time.monotonic() < deadline, "the public incident did not reach /status"
        anonymous.wait_for_timeout(500)
    expect(section.locator(".item-title")).to_contain_text("Identified Payments are failing")
    expect(section.get_by_text("A card provider times out; we are switching")).to_be_visible()
    expect(section.locator("ol.updates li")).to_have_count(2)  # investigating, identified
    screenshot(anonymous, "status-incident")
    visitor.close()
