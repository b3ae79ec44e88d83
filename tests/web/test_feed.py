"""``/status.atom``: incidents and maintenance notices as a valid Atom feed."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.devkit.web import (
    NOW,
    FakeRuntime,
    MakeClient,
    TestClient,
    bearer,
    make_private,
    seed_event,
    seed_incident,
    write_status_config,
)

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return write_status_config(tmp_path / "golive.yaml")


def entries(client: TestClient) -> dict[str, ET.Element]:
    """The feed's entries by title."""
    answer = client.get("/status.atom")
    assert answer.status_code == 200
    feed = ET.fromstring(answer.content)
    return {e.findtext(f"{A}title", ""): e for e in feed.iter(f"{A}entry")}


def rfc3339(text: str | None) -> datetime:
    assert text and text.endswith("Z"), text
    return datetime.fromisoformat(text)


def test_the_feed_is_valid_atom(client: TestClient, runtime: FakeRuntime) -> None:
    store = runtime.store
    seed_incident(store, "e1", NOW - timedelta(days=3), lasted=timedelta(minutes=45))
    seed_incident(store, "e2", NOW - timedelta(hours=1), check="checkout", severity="critical")
    seed_incident(store, "e3", NOW - timedelta(days=1), severity="low")
    seed_incident(store, "e4", NOW - timedelta(days=40), lasted=timedelta(hours=1))  # too old

    answer = client.get("/status.atom")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert answer.headers["cache-control"] == "max-age=60"
    assert answer.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(answer.content)
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated"):  # RFC 4287 4.1.1: exactly one each
        assert len(feed.findall(f"{A}{required}")) == 1, required
    assert feed.findtext(f"{A}id", "").startswith("urn:uuid:")
    assert feed.findtext(f"{A}author/{A}name") == "shop"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {
        "alternate": "http://testserver/status",
        "self": "http://testserver/status.atom",
    }

    found = feed.findall(f"{A}entry")
    ids = [e.findtext(f"{A}id") for e in found]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("urn:uuid:") for i in ids)
    updated = [rfc3339(e.findtext(f"{A}updated")) for e in found]
    assert updated == sorted(updated, reverse=True)
    assert rfc3339(feed.findtext(f"{A}updated")) == updated[0]
    for entry in found:
        for required in ("id", "title", "updated", "content"):
            assert len(entry.findall(f"{A}{required}")) == 1, required
        assert entry.find(f"{A}content").get("type") == "text"  # type: ignore[union-attr]

    titles = [e.findtext(f"{A}title") for e in found]
    assert "Resolved: api-health is down" in titles
    assert "Incident: checkout is down" in titles
    assert "Maintenance in progress: Database upgrade to version 17" in titles
    assert "Scheduled maintenance: Nightly backups" in titles
    assert titles.count("Maintenance completed: Nightly backups") == 14
    assert len(titles) == 2 + 1 + 1 + 14  # no low-severity alert, nothing older than 30 days
    resolved = next(e for e in found if e.findtext(f"{A}title") == "Resolved: api-health is down")
    assert resolved.findtext(f"{A}content") == (
        "api-health is down (API, high severity) from 2026-10-30 12:00 UTC, "
        "resolved at 2026-10-30 12:45 UTC after 45m."
    )


def test_an_incident_keeps_its_entry_when_it_resolves(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    started = NOW - timedelta(hours=1)
    seed_incident(runtime.store, "e1", started)
    ongoing = entries(make_client())["Incident: api-health is down"]

    seed_event(runtime.store, "e1", NOW - timedelta(minutes=5), "resolved", started=started)
    resolved = entries(make_client())["Resolved: api-health is down"]

    assert resolved.findtext(f"{A}id") == ongoing.findtext(f"{A}id")
    assert rfc3339(resolved.findtext(f"{A}updated")) > rfc3339(ongoing.findtext(f"{A}updated"))
    assert resolved.findtext(f"{A}published") == ongoing.findtext(f"{A}published")


def test_the_feed_shows_no_alert_details(client: TestClient, runtime: FakeRuntime) -> None:
    seed_incident(runtime.store, "e1", NOW - timedelta(hours=1))
    seed_event(
        runtime.store, "e1", NOW - timedelta(minutes=30), "firing", started=NOW - timedelta(hours=1),
        summary="api-health is DOWN: http://monitor:hunter2@10.0.0.7/health", reason="unsilenced",
    )  # fmt: skip

    text = client.get("/status.atom").text

    assert "hunter2" not in text and "10.0.0.7" not in text
    assert text.count("api-health is down") == 2  # one entry: title and content


def test_the_feed_needs_a_viewer_when_not_public(
    make_client: MakeClient, runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    make_private(runtime)
    client = make_client()

    assert client.get("/status.atom").status_code == 401
    answer = client.get("/status.atom", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    assert ET.fromstring(answer.content).tag == f"{A}feed"
