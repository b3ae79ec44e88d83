"""Headless Chromium for browser tests, through Playwright's sync API.

Chromium is Debian's (``devkit/system.sh`` installs it at ``/usr/bin/chromium``); Playwright
cannot download its own browser here. Each ``launch`` gets a fresh user-data directory:
Playwright makes a new temporary profile per launch (and refuses a ``--user-data-dir`` flag).

    with launch_browser(tmp_dir) as browser:
        page = browser.new_page()
        ...
        screenshot(page, "status")      # -> tests/screenshots/status.png
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "tests" / "screenshots"
TIMEOUT_MS = 10_000  # default for every Playwright action and navigation
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """A headless Chromium with a fresh profile; closed on exit."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run devkit/system.sh (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS), timeout=30_000
        )
        try:
            yield browser
        finally:
            browser.close()


def new_context(
    browser: Browser, *, bypass_csp: bool = False, dark: bool = False
) -> BrowserContext:
    """A fresh context (no cookies, no storage) with bounded timeouts; ``dark`` asks pages
    for their dark theme (``prefers-color-scheme: dark``)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        bypass_csp=bypass_csp,
        locale="en-GB",
        color_scheme="dark" if dark else "light",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def screenshot(page: Page, name: str, directory: Path = SCREENSHOTS) -> Path:
    """Write a full-page PNG of ``page`` to ``directory/name.png`` and return its path."""
    stem = name.removesuffix(".png")
    if not _NAME.fullmatch(stem):
        raise ValueError(f"not a plain file name: {name!r}")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
