"""``/status.atom``: an Atom feed (RFC 4287) of incidents and maintenance notices.

Entries: each incident episode of the last 30 days (critical and high alerts; one entry that is
updated when it resolves), each public incident (`golive incident`) with its status updates, and each maintenance occurrence the page shows (past, in progress,
upcoming). Entry ids are ``urn:uuid:`` names derived from the project and what the entry is
about, so they survive restarts and a changed host name. Public with the status page, else it
needs a viewer like the badges. Built once a minute per app.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request, Response

from golive.incidents.public import PublicIncident, public_incidents
from golive.store.uptime import alert_transitions
from golive.web.auth import get_runtime
from golive.web.memo import Memo
from golive.web.pages.days import EPISODE_DAYS, INCIDENT_SEVERITIES, Incident, episodes
from golive.web.pages.framework import duration, require_viewer, utc
from golive.web.pages.notices import UPCOMING, Notice, notices

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
MAX_ENTRIES = 100


@dataclass(frozen=True)
class Entry:
    key: str  # what the entry is about, unique within the project
    title: str
    updated: datetime
    published: datetime
    content: str


def build() -> APIRouter:
    router = APIRouter(tags=["status page"], include_in_schema=False)
    cache: Memo[bytes] = Memo()

    def status_feed(request: Request) -> Response:
        """Incidents and maintenance, as Atom."""
        runtime = get_runtime(request)
        loaded, now = runtime.loaded, runtime.clock.now()
        server = loaded.config.server
        if not server.status_page.public:
            require_viewer(request)
        base = (server.public_url or str(request.base_url)).rstrip("/")
        minute = now.replace(second=0, microsecond=0)

        def make() -> bytes:
            events = alert_transitions(
                runtime.store,
                since=now - timedelta(days=EPISODE_DAYS),
                severities=INCIDENT_SEVERITIES,
            )
            entries = [incident_entry(i, now) for i in episodes(events)]
            since = now - timedelta(days=EPISODE_DAYS)
            entries += [declared_entry(i) for i in public_incidents(runtime.store, since=since)]
            shown = notices(loaded.config, now)
            for notice in (*shown.active, *shown.upcoming, *shown.past):
                entries.append(notice_entry(notice))
            title = f"{server.status_page.title}: incidents and maintenance"
            return atom(loaded.config.project, title, base, entries, minute)

        body = cache.get((minute, loaded, base), make, now=runtime.clock.monotonic())
        return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "max-age=60"})

    router.add_api_route("/status.atom", status_feed, methods=["GET"])
    return router


def incident_entry(incident: Incident, now: datetime) -> Entry:
    where = f"{incident.component}, {incident.severity} severity"
    if incident.resolved_at is None:
        lasted = duration(now - incident.started_at)
        content = (
            f"{incident.title} ({where}) since {utc(incident.started_at)}: ongoing ({lasted})."
        )
        return Entry(
            f"incident:{incident.id}",
            f"Incident: {incident.title}",
            incident.started_at,
            incident.started_at,
            content,
        )
    lasted = duration(incident.resolved_at - incident.started_at)
    return Entry(
        f"incident:{incident.id}",
        f"Resolved: {incident.title}",
        incident.resolved_at,
        incident.started_at,
        f"{incident.title} ({where}) from {utc(incident.started_at)}, resolved at "
        f"{utc(incident.resolved_at)} after {lasted}.",
    )


def declared_entry(incident: PublicIncident) -> Entry:
    """A public incident: its newest status in the title, every update in the content."""
    updates = incident.updates
    lines = [f"{utc(u.at)} {u.status.capitalize()}: {u.message}" for u in reversed(updates)]
    return Entry(
        f"declared:{incident.id}",
        f"{incident.status.capitalize()}: {incident.title}",
        updates[0].at if updates else incident.opened_at,
        incident.opened_at,
        "\n".join(lines) or incident.title,
    )


def notice_entry(notice: Notice) -> Entry:
    prefix, updated = {
        "active": ("Maintenance in progress", notice.starts_at),
        "upcoming": ("Scheduled maintenance", notice.starts_at - UPCOMING),  # when it was announced
        "past": ("Maintenance completed", notice.ends_at),
    }[notice.when]
    return Entry(
        f"maintenance:{notice.window}:{notice.starts_at.isoformat()}",
        f"{prefix}: {notice.message}",
        updated,
        min(notice.starts_at, updated),
        f"{notice.message}. Affects {notice.affects_text}, from {utc(notice.starts_at)} "
        f"to {utc(notice.ends_at)}.",
    )


def atom(project: str, title: str, base: str, entries: Sequence[Entry], now: datetime) -> bytes:
    """The feed document (UTF-8, with an XML declaration), newest entries first."""
    shown = sorted(entries, key=lambda e: e.updated, reverse=True)[:MAX_ENTRIES]
    feed = ET.Element("feed", xmlns=ATOM)
    _add(feed, "id", _urn(project, "status-feed"))
    _add(feed, "title", title)
    _add(feed, "updated", _time(shown[0].updated if shown else now))
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=f"{base}/status")
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/status.atom")
    _add(ET.SubElement(feed, "author"), "name", project)
    _add(feed, "generator", "golive")
    for entry in shown:
        element = ET.SubElement(feed, "entry")
        _add(element, "id", _urn(project, entry.key))
        _add(element, "title", entry.title)
        _add(element, "updated", _time(entry.updated))
        _add(element, "published", _time(entry.published))
        ET.SubElement(element, "link", rel="alternate", type="text/html", href=f"{base}/status")
        _add(element, "content", entry.content).set("type", "text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def _urn(project: str, key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"golive:{project}:{key}").urn


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
