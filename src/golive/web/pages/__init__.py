"""Server-rendered pages: the public status page (``/status``), its Atom feed
(``/status.atom``), SVG badges (``/badge/{check}/...``) and the static files (``/static``).

``framework`` is what every HTML route shares (``Pages``, ``render``, ``PAGE_CSP``, static
URLs, who is looking); ``golive.web.memo`` the cache of expensive reads; the dashboard
(``pages.dashboard``) builds on both. ``create_app`` makes one ``Pages`` per app
(``app.state.pages``), mounts ``static_files()`` and includes ``routers()``.
"""

from __future__ import annotations

from fastapi import APIRouter

from golive.web.memo import Memo
from golive.web.pages import badges, dashboard, feed, incident_link, status
from golive.web.pages.framework import (
    PAGE_CSP,
    Pages,
    html_response,
    login_redirect,
    page_principal,
    render,
    require_viewer,
    static_files,
)
from golive.web.pages.summary import GLYPHS, STATE_TEXT, StatusData

__all__ = [
    "PAGE_CSP",
    "Memo",
    "Pages",
    "StatusData",
    "environment",
    "html_response",
    "login_redirect",
    "page_principal",
    "render",
    "require_viewer",
    "routers",
    "static_files",
]


def environment() -> Pages:
    """The template environment of one app, with the status vocabulary as globals
    (``state_text``, ``glyphs``: the words and signs of up/degraded/down/maintenance/unknown)."""
    pages = Pages()
    pages.env.globals.update(state_text=STATE_TEXT, glyphs=GLYPHS)
    return pages


def routers(data: StatusData) -> list[APIRouter]:
    """Fresh routers for one app; the status page reads through ``data`` (its caches)."""
    return [
        *dashboard.routers(),
        status.build(data),
        feed.build(),
        badges.build(),
        incident_link.build(),
    ]
