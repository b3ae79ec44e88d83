"""SVG badges in the flat style of shields.io, to embed in READMEs and wikis:

- ``/badge/{check}/status.svg``: the check's state (up, degraded, down, maintenance, unknown);
- ``/badge/{check}/uptime-30d.svg``: its uptime over the last 30 days (hour rollups).

Public when the status page is; otherwise they need a viewer (a token, or a signed-in user).
An unknown check answers a 404 that is still an SVG ("not found"). Clients may cache a badge
for a minute. Text is measured with an approximate Verdana 11px width table, as shields does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html import escape

from fastapi import APIRouter, Request, Response

from golive.store import history
from golive.store.alerts import list_alerts
from golive.store.uptime import check_totals
from golive.web.auth import get_runtime
from golive.web.pages.framework import percent, require_viewer
from golive.web.pages.summary import State, state_of
from golive.web.runtime import Runtime

SVG = "image/svg+xml; charset=utf-8"
UPTIME_WINDOW = timedelta(days=30)
LABEL_COLOUR = "#555"
# white text has a contrast of at least 4.5:1 on each of these
COLOURS: dict[str, str] = {
    "up": "#1a7f37",
    "degraded": "#9a6700",
    "down": "#cf222e",
    "maintenance": "#0969da",
    "unknown": "#6e7781",
}
_NARROW = {"f": 4.0, "i": 3.1, "j": 3.5, "l": 3.1, "r": 4.7, "t": 4.4, "I": 4.6, " ": 3.9}
_NARROW |= {".": 3.9, ",": 3.9, ":": 4.4, ";": 4.4, "!": 4.5, "'": 3.0, "|": 4.8, "-": 4.8}
_WIDE = {"m": 10.7, "w": 9.0, "M": 9.9, "W": 10.9, "%": 12.0, "@": 11.0, "_": 7.0}


def text_width(text: str) -> float:
    """Approximate width in pixels of ``text`` in Verdana 11px."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += _NARROW[char]
        elif char in _WIDE:
            width += _WIDE[char]
        elif char.isupper():
            width += 7.5
        elif char.isdigit():
            width += 7.0
        else:
            width += 6.6
    return width


@dataclass(frozen=True)
class Badge:
    label: str
    value: str
    colour: str

    def svg(self) -> str:
        left = round(text_width(self.label) + 10)
        right = round(text_width(self.value) + 10)
        total = left + right
        label, value = escape(self.label), escape(self.value)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
            f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
            '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
            'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
            f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
            f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{LABEL_COLOUR}"/>'
            f'<rect x="{left}" width="{right}" height="20" fill="{self.colour}"/>'
            f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
            '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,'
            'sans-serif" text-rendering="geometricPrecision" font-size="11">'
            f"{_text(left / 2, label)}{_text(left + right / 2, value)}</g></svg>"
        )


def _text(x: float, text: str) -> str:
    return (
        f'<text aria-hidden="true" x="{x:g}" y="15" fill="#010101" fill-opacity=".3">{text}</text>'
        f'<text x="{x:g}" y="14">{text}</text>'
    )


def uptime_colour(uptime: float | None) -> str:
    if uptime is None:
        return COLOURS["unknown"]
    if uptime >= 0.999:
        return COLOURS["up"]
    if uptime >= 0.99:
        return "#4d7c0f"
    if uptime >= 0.95:
        return COLOURS["degraded"]
    return COLOURS["down"]


def build() -> APIRouter:
    router = APIRouter(tags=["badges"], include_in_schema=False)

    def status_badge(request: Request, check: str) -> Response:
        """The state of ``check`` as a badge."""
        runtime = _allowed(request)
        if not _configured(runtime, check):
            return _not_found(runtime)
        state = _state(runtime, check)
        return _answer(runtime, Badge(check, state, COLOURS[state]))

    def uptime_badge(request: Request, check: str) -> Response:
        """The uptime of ``check`` over 30 days as a badge."""
        runtime = _allowed(request)
        if not _configured(runtime, check):
            return _not_found(runtime)
        now = runtime.clock.now()
        runs, failures = check_totals(runtime.store, check, start=now - UPTIME_WINDOW, end=now)
        uptime = (runs - failures) / runs if runs else None
        return _answer(runtime, Badge("uptime 30d", percent(uptime), uptime_colour(uptime)))

    router.add_api_route("/badge/{check}/status.svg", status_badge, methods=["GET"])
    router.add_api_route("/badge/{check}/uptime-30d.svg", uptime_badge, methods=["GET"])
    return router


def _allowed(request: Request) -> Runtime:
    """The runtime, once the request may see badges (401 like the API's ``Viewer`` if not)."""
    runtime = get_runtime(request)
    if not runtime.loaded.config.server.status_page.public:
        require_viewer(request)
    return runtime


def _configured(runtime: Runtime, check: str) -> bool:
    return any(c.name == check for c in runtime.loaded.config.checks)


def _state(runtime: Runtime, check: str) -> State:
    status = runtime.statuses().get(check)
    if status is None:
        status = history.check_states(runtime.store, [check]).get(check)
    alerting = bool(list_alerts(runtime.store, state=("pending", "firing"), check=check, limit=1))
    return state_of(status, check in runtime.maintenance(), alerting)


def _answer(runtime: Runtime, badge: Badge, *, status_code: int = 200) -> Response:
    scope = "public" if runtime.loaded.config.server.status_page.public else "private"
    return Response(
        badge.svg(),
        status_code=status_code,
        media_type=SVG,
        headers={"Cache-Control": f"{scope}, max-age=60"},
    )


def _not_found(runtime: Runtime) -> Response:
    return _answer(runtime, Badge("badge", "not found", COLOURS["unknown"]), status_code=404)
