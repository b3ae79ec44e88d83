"""SVG badges: ``/badge/{check}/status.svg`` and ``/badge/{check}/uptime-30d.svg``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from httpx import Response

from golive.web.pages.badges import COLOURS
from tests.devkit.web import (
    NOW,
    FakeRuntime,
    MakeClient,
    TestClient,
    bearer,
    check_status,
    make_private,
    seed_rollup,
    write_status_config,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_status_config(tmp_path / "golive.yaml")


def badge(answer: Response) -> tuple[str, set[str]]:
    """The badge's title (``label: value``) and the colours it fills with."""
    assert answer.headers["content-type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(answer.content)
    assert svg.tag == f"{SVG}svg"
    title = svg.findtext(f"{SVG}title", "")
    assert svg.get("aria-label") == title and svg.get("role") == "img"
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert title == f"{texts[0]}: {texts[2]}"  # what it says is what it shows
    return title, {r.get("fill", "") for r in svg.iter(f"{SVG}rect")}


def test_a_status_badge_is_svg_and_says_the_state(client: TestClient, runtime: FakeRuntime) -> None:
    runtime.live = {
        "api-health": check_status("api-health", "up"),
        "checkout": check_status("checkout", "down"),
    }
    runtime.windows = {"db": "upgrade"}

    answer = client.get("/badge/api-health/status.svg")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=60"
    assert badge(answer) == ("api-health: up", {"#fff", "#555", COLOURS["up"], "url(#s)"})
    assert badge(client.get("/badge/checkout/status.svg"))[0] == "checkout: down"
    assert badge(client.get("/badge/db/status.svg"))[0] == "db: maintenance"
    runtime.windows = {}
    assert badge(client.get("/badge/db/status.svg"))[0] == "db: unknown"


def test_an_uptime_badge_shows_thirty_days(client: TestClient, runtime: FakeRuntime) -> None:
    seed_rollup(runtime.store, "api-health", NOW - timedelta(days=29), runs=1000, failures=1)
    seed_rollup(runtime.store, "api-health", NOW - timedelta(hours=2), runs=1000, failures=0)
    seed_rollup(runtime.store, "api-health", NOW - timedelta(days=31), runs=100, failures=100)

    answer = client.get("/badge/api-health/uptime-30d.svg")

    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=60"
    title, colours = badge(answer)
    assert title == "uptime 30d: 99.95%"
    assert COLOURS["up"] in colours
    assert badge(client.get("/badge/db/uptime-30d.svg"))[0] == "uptime 30d: no data"


def test_an_unknown_badge_is_a_404_svg(client: TestClient) -> None:
    for kind in ("status", "uptime-30d"):
        answer = client.get(f"/badge/no-such-check/{kind}.svg")
        assert answer.status_code == 404
        assert badge(answer)[0] == "badge: not found"


def test_badges_need_a_viewer_when_not_public(
    make_client: MakeClient, runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    make_private(runtime)
    client = make_client()

    assert client.get("/badge/api-health/status.svg").status_code == 401
    assert client.get("/badge/api-health/uptime-30d.svg").status_code == 401
    answer = client.get("/badge/api-health/status.svg", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, max-age=60"
