"""``/status``: the status page. Public when ``server.status_page.public`` is true (the default),
else for signed-in users only (others are sent to ``/login?next=/status``).

Anonymous requests share one rendered (and gzipped) page, redone when the cached view changes (at most every
``summary.VIEW_TTL`` seconds); a signed-in user gets the same view rendered for them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.web.auth import get_runtime
from golive.web.pages.framework import (
    RenderedPage,
    is_anonymous,
    login_redirect,
    page_principal,
    pages_of,
    render,
)
from golive.web.pages.summary import StatusData


def build(data: StatusData) -> APIRouter:
    router = APIRouter(tags=["status page"], include_in_schema=False)

    async def status_page(request: Request) -> Response:
        """The status page (HTML)."""
        runtime = get_runtime(request)
        public = runtime.loaded.config.server.status_page.public
        if not public and page_principal(request) is None:
            return login_redirect(request)
        # the cached answer is served on the event loop; reading and rendering go to a thread
        # (one at a time: the others answer from the page it replaces)
        view = await data.acurrent(runtime)
        if not (public and is_anonymous(request)):
            return await run_in_threadpool(render, request, "status.html", view=view)
        pages = pages_of(request)

        def rendered() -> RenderedPage:
            return RenderedPage.of(pages.render_text(request, "status.html", view=view))

        cached = await data.page.aget(view, rendered, now=runtime.clock.monotonic())
        return cached.response(request)

    router.add_api_route("/status", status_page, methods=["GET"], response_class=HTMLResponse)
    return router
