"""The status page: access, component states, 90-day uptime bars, incidents, maintenance,
its CSP and the static files it (and the dashboard) load.

The helpers at the top are shared with ``test_feed`` and ``test_badges``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from golive.records import Bucket
from golive.store.tables_monitor import Rollup
from golive.web.pages import PAGE_CSP
from golive.web.pages.framework import STATIC
from golive.web.pages.summary import VIEW_TTL
from tests.devkit.web import (
    NOW,
    FakeRuntime,
    MakeClient,
    TestClient,
    bearer,
    check_status,
    make_private,
    seed_incident,
    seed_rollup,
    write_status_config,
)

# -- shared with test_feed.py and test_badges.py -----------------------------------------------


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_status_config(tmp_path / "golive.yaml")


# -- reading the page ---------------------------------------------------------------------------


class StatusPage(HTMLParser):
    """The parts of the page the tests look at: components with their state and bars."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.components: dict[str, dict[str, Any]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._current: dict[str, Any] | None = None
        self._hidden: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        classes = (a.get("class") or "").split()
        if tag == "li" and "data-component" in a:
            self._current = {"state": a["data-state"], "bars": []}
            self.components[a["data-component"] or ""] = self._current
        elif tag == "li" and "bar" in classes and self._current is not None:
            self._current["bars"].append({"classes": classes, "title": a["title"], "text": ""})
        elif tag == "span" and "visually-hidden" in classes:
            self._hidden = []

    def handle_data(self, data: str) -> None:
        if self._hidden is not None:
            self._hidden.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden is not None:
            if self._current is not None and self._current["bars"]:
                self._current["bars"][-1]["text"] = "".join(self._hidden)
            self._hidden = None

    def bar(self, component: str, title_start: str) -> dict[str, Any]:
        found = [
            b for b in self.components[component]["bars"] if b["title"].startswith(title_start)
        ]
        assert len(found) == 1, (title_start, found)
        return found[0]


def section(html: str, heading: str) -> str:
    """The text from the ``<h2>`` ``heading`` to the next ``<h2>``."""
    match = re.search(
        rf"<h2 id=\"[\w-]+\">{re.escape(heading)}</h2>(.*?)(?:<h2 |</main>)", html, re.S
    )
    assert match, heading
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def page(client: TestClient) -> tuple[str, StatusPage]:
    answer = client.get("/status")
    assert answer.status_code == 200, answer.text
    return answer.text, StatusPage(answer.text)


# -- tests --------------------------------------------------------------------------------------


def test_the_status_page_is_public_when_configured(client: TestClient) -> None:
    answer = client.get("/status")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    html = answer.text
    assert '<html lang="en">' in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    assert "Shop status" in html
    assert list(StatusPage(html).components) == ["API", "Database"]
    assert answer.headers["content-encoding"] == "gzip"  # compressed once, served many times
    plain = client.get("/status", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == html


def test_it_needs_a_login_when_not_public(
    make_client: MakeClient, runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    make_private(runtime)
    client = make_client()

    answer = client.get("/status", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fstatus"

    signed_in = client.get("/status", headers=bearer(tokens["viewer"]))
    assert signed_in.status_code == 200
    assert list(StatusPage(signed_in.text).components) == ["API", "Database"]


def test_each_component_shows_its_worst_check(client: TestClient, runtime: FakeRuntime) -> None:
    runtime.live = {
        "api-health": check_status("api-health", "up"),
        "checkout": check_status("checkout", "down", consecutive_failures=3),
        "db": check_status("db", "up", last_ok=False, consecutive_failures=1),  # not DOWN yet
    }
    html, parsed = page(client)
    assert parsed.components["API"]["state"] == "down"
    assert parsed.components["Database"]["state"] == "degraded"
    assert '<h1 id="overall">Partial outage</h1>' in html
    assert re.search(r"checkout</span>\s*<span class=\"pill state-down pill-small\">", html)

    runtime.live["checkout"] = check_status("checkout", "up")
    runtime.windows = {"db": "upgrade"}  # maintenance beats the failing db
    runtime.clock.advance(VIEW_TTL)  # the view is kept for VIEW_TTL seconds
    html, parsed = page(client)
    assert parsed.components["API"]["state"] == "up"
    assert parsed.components["Database"]["state"] == "maintenance"
    assert '<h1 id="overall">Under maintenance</h1>' in html

    runtime.live["api-health"] = check_status("api-health", "down")
    runtime.windows = {}
    runtime.live["db"] = check_status("db", "down")
    runtime.clock.advance(VIEW_TTL)
    html, parsed = page(client)
    assert '<h1 id="overall">Major outage</h1>' in html

    runtime.live = {}  # nothing measured yet, nothing stored
    runtime.clock.advance(VIEW_TTL)
    html, parsed = page(client)
    assert {c["state"] for c in parsed.components.values()} == {"unknown"}
    assert '<h1 id="overall">No status yet</h1>' in html


def test_uptime_bars_show_ninety_days_with_text(client: TestClient, runtime: FakeRuntime) -> None:
    store = runtime.store
    day = datetime(2026, 11, 1, tzinfo=UTC)
    seed_rollup(store, "api-health", day.replace(hour=10), runs=100, failures=1)
    seed_rollup(store, "checkout", day.replace(hour=11), runs=300, failures=0)
    # 20 Oct 23:00 and 21 Oct 00:00 fall on two UTC days
    seed_rollup(store, "api-health", datetime(2026, 10, 20, 23, tzinfo=UTC), runs=10, failures=1)
    seed_rollup(store, "api-health", datetime(2026, 10, 21, 0, tzinfo=UTC), runs=10, failures=0)
    seed_rollup(store, "api-health", NOW.replace(hour=9), runs=60, failures=6)  # today
    seed_rollup(store, "api-health", datetime(2026, 8, 4, 12, tzinfo=UTC), runs=10, failures=10)
    with store.engine.begin() as connection:  # minute rollups are not read
        minute = {"resolution": "minute", "latency_sum_ms": 0.0, "latency_max_ms": 0.0}
        row = {"check": "api-health", "bucket": day, "runs": 5, "failures": 5}
        connection.execute(insert(Rollup), {**row, **minute, "latency_hist": []})

    html, parsed = page(client)

    for component in ("API", "Database"):
        bars = parsed.components[component]["bars"]
        assert len(bars) == 90
        assert bars[0]["title"].startswith("5 Aug 2026: ")  # 89 days ago, oldest first
        assert bars[-1]["title"].startswith("2 Nov 2026: ")
        assert all(bar["text"] == bar["title"] for bar in bars)  # text for screen readers too
    # runs-weighted over the component's checks: 1 failure in 400 runs
    assert parsed.bar("API", "1 Nov 2026")["title"] == "1 Nov 2026: 99.75% uptime, no incidents"
    assert "u-99" in parsed.bar("API", "1 Nov 2026")["classes"]
    assert parsed.bar("API", "20 Oct 2026")["title"] == "20 Oct 2026: 90.00% uptime, no incidents"
    assert "u-90" in parsed.bar("API", "20 Oct 2026")["classes"]
    assert parsed.bar("API", "21 Oct 2026")["title"] == "21 Oct 2026: 100% uptime, no incidents"
    assert parsed.bar("API", "2 Nov 2026")["title"] == "2 Nov 2026: 90.00% uptime, no incidents"
    # 8 failures in 480 runs over the 90 days
    assert "98.33% uptime" in html


def test_today_counts_the_open_hour_not_stored_yet(
    client: TestClient, runtime: FakeRuntime
) -> None:
    seed_rollup(runtime.store, "api-health", NOW.replace(hour=9), runs=60, failures=0)
    runtime.unsaved = [Bucket("api-health", "hour", NOW.replace(minute=0), runs=40, failures=10)]

    _, parsed = page(client)

    assert parsed.bar("API", "2 Nov 2026")["title"] == "2 Nov 2026: 90.00% uptime, no incidents"


def test_a_day_without_data_says_so(client: TestClient, runtime: FakeRuntime) -> None:
    seed_rollup(runtime.store, "api-health", datetime(2026, 11, 1, 8, tzinfo=UTC), 60, 0)

    html, parsed = page(client)

    bar = parsed.bar("API", "31 Oct 2026")
    assert bar["title"] == "31 Oct 2026: no data"
    assert bar["text"] == "31 Oct 2026: no data"
    assert "u-none" in bar["classes"]
    assert all(b["title"].endswith(": no data") for b in parsed.components["Database"]["bars"])
    assert "u-99" in parsed.bar("API", "1 Nov 2026")["classes"]
    assert '<span class="bars-total">no data</span>' in html  # Database over 90 days


def test_an_incident_appears_on_its_day(client: TestClient, runtime: FakeRuntime) -> None:
    store = runtime.store
    seed_incident(store, "e1", datetime(2026, 10, 30, 8, tzinfo=UTC), lasted=timedelta(minutes=30))
    seed_incident(store, "e2", NOW - timedelta(hours=2), check="checkout", severity="critical")
    seed_incident(store, "e3", datetime(2026, 10, 29, 8, tzinfo=UTC), severity="medium")
    seed_incident(
        store, "e4", datetime(2026, 10, 28, 3, 5, tzinfo=UTC), check="db", component="Database",
        lasted=timedelta(minutes=20), held_by="maintenance:nightly",
    )  # fmt: skip

    html, parsed = page(client)

    day = parsed.bar("API", "30 Oct 2026")
    assert day["title"] == "30 Oct 2026: no data, 1 incident: api-health is down"
    assert "has-incident" in day["classes"]
    today = parsed.bar("API", "2 Nov 2026")
    assert today["title"] == "2 Nov 2026: no data, 1 incident: checkout is down"
    assert parsed.bar("API", "29 Oct 2026")["title"] == "29 Oct 2026: no data"  # medium
    assert parsed.bar("Database", "28 Oct 2026")["title"] == "28 Oct 2026: no data"  # planned
    active = section(html, "Active incidents")
    assert "Critical checkout is down · API" in active
    assert "Ongoing since 2026-11-02 10:00 UTC (2h)" in active
    assert "api-health is down" in html
    assert "2026-10-30 08:00 UTC – resolved 2026-10-30 08:30 UTC (lasted 30m)" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", html)
    )


def test_active_maintenance_is_announced(client: TestClient, runtime: FakeRuntime) -> None:
    runtime.live = {name: check_status(name, "up") for name in ("api-health", "checkout", "db")}
    runtime.windows = {"db": "upgrade"}

    html, parsed = page(client)

    assert '<h1 id="overall">Under maintenance</h1>' in html
    assert parsed.components["Database"]["state"] == "maintenance"
    now = section(html, "Maintenance in progress")
    assert "Database upgrade to version 17 · Database" in now
    assert "In progress since 2026-11-02 11:30 UTC until 2026-11-02 13:30 UTC" in now
    upcoming = section(html, "Scheduled maintenance")
    assert "Nightly backups · Database" in upcoming
    assert "Starts 2026-11-03 03:00 UTC and ends 2026-11-03 04:00 UTC" in upcoming
    history = section(html, "History")
    assert "From 2026-11-02 03:00 UTC to 2026-11-02 04:00 UTC" in history
    assert "From 2026-10-20 03:00 UTC" in history  # what ended within 14 days
    assert "From 2026-10-19 03:00 UTC" not in history


def test_the_page_is_kept_for_a_few_seconds(client: TestClient, runtime: FakeRuntime) -> None:
    runtime.live = {"checkout": check_status("checkout", "up")}
    assert page(client)[1].components["API"]["state"] == "up"

    runtime.live = {"checkout": check_status("checkout", "down")}
    assert page(client)[1].components["API"]["state"] == "up"
    runtime.clock.advance(VIEW_TTL)
    assert page(client)[1].components["API"]["state"] == "down"


def test_pages_have_a_csp_without_unsafe_inline(client: TestClient, tokens: dict[str, str]) -> None:
    for answer in (client.get("/status"), client.get("/status", headers=bearer(tokens["viewer"]))):
        csp = answer.headers["content-security-policy"]
        assert csp == PAGE_CSP
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        # nothing the CSP would block: no style attributes, inline scripts or handlers
        for tag, attrs in StatusPage(answer.text).tags:
            assert "style" not in attrs, tag
            assert not [name for name in attrs if name.startswith("on")], tag
            if tag == "script":
                assert attrs.get("src", "").startswith("/static/"), attrs
        assert "<style" not in answer.text


def test_static_vendor_files_are_served(client: TestClient) -> None:
    files = {
        "vendor/htmx.min.js": "javascript",
        "vendor/uPlot.iife.min.js": "javascript",
        "vendor/uPlot.min.css": "text/css",
        "golive.css": "text/css",
        "golive.js": "javascript",
    }
    for path, media_type in files.items():
        answer = client.get(f"/static/{path}")
        assert answer.status_code == 200, path
        assert media_type in answer.headers["content-type"]
        assert answer.content == (STATIC / path).read_bytes()
        assert answer.headers["cache-control"] == "public, max-age=300"
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/vendor/htmx.min.js").text.startswith("var htmx=")
    readme = (STATIC / "vendor" / "README.md").read_text()
    assert "htmx.org" in readme and "4.0.1" in readme and "BSD-0-Clause" in readme
    assert "uplot" in readme and "1.6.32" in readme and "MIT" in readme

    html = client.get("/status").text
    linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(linked) == 3  # icon, stylesheet, script
    for url in linked:
        assert re.search(r"\?v=[0-9a-f]{12}$", url)
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404
