"""What every HTML route shares: the Jinja2 environment, ``render``, the page CSP, static files,
who is looking (``page_principal``) and pages rendered once for many answers (``RenderedPage``).

Use from a route::

    from golive.web.pages.framework import render

    def status_page(request: Request) -> Response:
        return render(request, "status.html", data=...)

``render`` answers ``text/html`` with ``PAGE_CSP`` (scripts, styles, images and fetches from
this origin only; no inline script or style anywhere, so no ``style=`` attributes and no
``<script>`` bodies: put behaviour in a static file and data in ``data-*`` attributes). Every
template sees the context of ``Pages.context(request)``; others can be added with
``Pages.add_context``. Template globals: ``static_url(path)`` (with a content hash, so the
files can be cached for long), ``version``. Filters: ``utc``, ``utc_date``, ``percent``, ``duration``,
``link`` (an href only for http(s) URLs and paths, else "").
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

import golive
from golive.alerts.describe import span
from golive.config.units import link_problem
from golive.web.auth import Principal, current_principal, get_runtime

T = TypeVar("T")
WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HTML_TYPE = "text/html; charset=utf-8"
ContextProcessor = Callable[[Request], Mapping[str, Any]]


class Pages:
    """The template environment of one app (``app.state.pages``, built in ``create_app``)."""

    def __init__(self, *, templates: Path = TEMPLATES, static: Path = STATIC) -> None:
        self.static = static
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(("html", "xml", "svg")),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.env.globals.update(static_url=self.static_url, version=golive.__version__)
        self.env.filters.update(
            utc=utc, utc_date=utc_date, percent=percent, duration=duration, link=link
        )
        self._processors: list[ContextProcessor] = [base_context]
        self._hashes: dict[str, str] = {}

    def add_context(self, processor: ContextProcessor) -> None:
        """Add what ``processor(request)`` returns to every template's context (later
        processors win; the route's own context wins over all)."""
        self._processors.append(processor)

    def context(self, request: Request) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for processor in self._processors:
            merged.update(processor(request))
        return merged

    def render_text(self, request: Request, template: str, **context: Any) -> str:
        """The template rendered for ``request`` (e.g. an htmx fragment or a cached page)."""
        return self.env.get_template(template).render({**self.context(request), **context})

    def static_url(self, path: str) -> str:
        """``/static/PATH?v=HASH``: the hash changes with the file, so it may be cached long."""
        digest = self._hashes.get(path)
        if digest is None:
            file = (self.static / path).resolve()
            if not file.is_relative_to(self.static.resolve()) or not file.is_file():
                raise ValueError(f"no static file {path!r}")
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
            self._hashes[path] = digest
        return f"/static/{path}?v={digest}"


def pages_of(request: Request) -> Pages:
    return cast(Pages, request.app.state.pages)


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """``template`` rendered with the common context and ``context``, as an HTML response with
    the page CSP (``headers`` may add to or override it)."""
    return html_response(
        pages_of(request).render_text(request, template, **context),
        status_code=status_code,
        headers=headers,
    )


def html_response(
    body: str, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """An already rendered page, with the page CSP."""
    return HTMLResponse(
        body,
        status_code=status_code,
        headers={"Content-Security-Policy": PAGE_CSP, **(headers or {})},
    )


@dataclass(frozen=True, eq=False)
class RenderedPage:
    """A page rendered once and served many times (from a ``Memo``), kept gzipped as well so
    the compression is paid once too."""

    body: bytes  # UTF-8: encoded once, not per answer
    gzipped: bytes

    @classmethod
    def of(cls, html: str) -> RenderedPage:
        body = html.encode("utf-8")
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0))

    def response(self, request: Request) -> Response:
        """The page as an HTML response with the page CSP, gzipped if the client takes it."""
        headers = {"Content-Security-Policy": PAGE_CSP, "Vary": "Accept-Encoding"}
        if accepts_gzip(request):
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzipped, media_type=HTML_TYPE, headers=headers)
        return Response(self.body, media_type=HTML_TYPE, headers=headers)


def accepts_gzip(request: Request) -> bool:
    """Whether ``Accept-Encoding`` takes gzip (``gzip`` or ``*``, unless with ``q=0``)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        name, _, params = part.partition(";")
        if name.strip().lower() in ("gzip", "*"):
            key, _, value = params.strip().partition("=")
            try:
                return key.strip().lower() != "q" or float(value) > 0
            except ValueError:
                return False
    return False


def base_context(request: Request) -> dict[str, Any]:
    """What every template can use: ``request``, ``project``, ``site_title``, ``user`` (None
    when nobody is signed in), ``flashes`` (objects or dicts with ``level`` and ``message``)."""
    config = get_runtime(request).loaded.config
    return {
        "request": request,
        "project": config.project,
        "site_title": config.server.status_page.title,
        "user": page_principal(request),
        "flashes": [],
    }


# -- who is looking (golive.web.credentials found out: a bearer token or a session) -----------


def page_principal(request: Request) -> Principal | None:
    """Who makes this request (None for nobody)."""
    return current_principal(request)


def require_viewer(request: Request) -> Principal:
    """The principal, or a 401 like the API's ``Viewer`` (for what a browser does not
    navigate to: badges, feeds, fragments)."""
    principal = page_principal(request)
    if principal is None:
        raise HTTPException(
            status_code=401,
            detail="a valid token is required: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def login_redirect(request: Request) -> RedirectResponse:
    """303 to ``/login?next=<this path>`` (only a local path, never another site)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def is_anonymous(request: Request) -> bool:
    """No credentials and no cookies: the answer cannot depend on who asks, so a page may be
    served from a cache shared by all such requests."""
    return "authorization" not in request.headers and not request.cookies


# -- static files -----------------------------------------------------------------------------


class StaticAssets(StaticFiles):
    """``/static``: files of the package, cached a year when asked with the hash that
    ``static_url`` adds (their URL changes with their content), five minutes otherwise."""

    async def get_response(self, path: str, scope: Scope) -> Any:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = (
                "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
            )
        return response


def static_files() -> StaticAssets:
    return StaticAssets(directory=STATIC)


# -- filters ----------------------------------------------------------------------------------


def utc(moment: datetime | None) -> str:
    """``2026-11-02 12:03 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def utc_date(moment: datetime) -> str:
    """``2 Nov 2026``."""
    return f"{moment.day} {moment.strftime('%b %Y')}"


def percent(value: float | None, digits: int = 2) -> str:
    """``99.95%``; ``100%`` only when nothing failed; ``no data`` for None."""
    if value is None:
        return "no data"
    if value >= 1.0:
        return "100%"
    shown = f"{value * 100:.{digits}f}"
    if shown == f"{100:.{digits}f}":  # never round a failure up to 100%
        shown = f"{100 - 10**-digits:.{digits}f}"
    return f"{shown}%"


def link(value: str | None) -> str:
    """``value`` when it may be an ``href`` (an http(s) URL or a path), else ``""``."""
    return value if value and link_problem(value) is None else ""


def duration(delta: timedelta) -> str:
    """``1h5m`` (seconds dropped past a minute)."""
    seconds = int(delta.total_seconds())
    return span(timedelta(seconds=seconds - seconds % 60 if seconds >= 60 else seconds))
