"""A secret stays out of a check's evidence in every encoding the target may echo it in:
percent-encoded (path and query style), form-encoded, JSON-escaped, base64 in Basic auth."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
from aiohttp import web

from golive.clock import ManualClock
from golive.engine import run_checks
from tests.devkit.engine import config

SECRET = 'sk_live 123&x/"q'  # a space, '&', '/' and '"': every one is encoded somewhere


@pytest.fixture
async def echo() -> AsyncIterator[str]:
    """Redirects /start to a path and query that carry its raw query; echoes it all back."""

    async def start(request: web.Request) -> web.Response:
        raw = unquote_plus(request.query_string)
        location = f"/landed/{quote(raw, safe='')}?again={quote_plus(raw)}"
        raise web.HTTPFound(location)

    async def landed(request: web.Request) -> web.Response:
        seen = {
            "query": request.query_string,
            "again": request.query.get("again", ""),
            "raw_path": request.raw_path,
            "authorization": request.headers.get("Authorization", ""),
        }
        return web.Response(
            text=json.dumps(seen),
            content_type="application/json",
            headers={"X-Seen": request.raw_path},
        )

    app = web.Application()
    app.router.add_get("/start", start)
    app.router.add_get("/landed/{tail:.*}", landed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_secret_that_needs_encoding_is_redacted_in_every_form(
    tmp_path: Path, echo: str
) -> None:
    loaded = config(
        tmp_path,
        f"""
    - name: api
      http:
        url: "http://{echo}/start?api_key=${{env:QTOKEN}}"
        follow_redirects: true
      expect: ["status == 500"]
    """,
        environ={"QTOKEN": SECRET},
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.fields["status"] == 200, result.error
    assert "sk_live" not in json.dumps(result.as_dict())
    assert "sk_live" not in repr(result.evidence())


async def test_a_password_in_a_secret_url_is_redacted_from_echoed_basic_auth(
    tmp_path: Path, echo: str
) -> None:
    password = 'pa ss&/"word'
    url = f"http://probe:{quote(password, safe='')}@{echo}/landed/x"
    loaded = config(
        tmp_path,
        """
    - name: api
      http: {url: "${env:QURL}"}
      expect: ["status == 500"]
    """,
        environ={"QURL": url},
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.fields["status"] == 200, result.error
    basic = base64.b64encode(f"probe:{password}".encode()).decode()
    text = json.dumps(result.as_dict())
    assert basic not in text
    assert "pa ss" not in text and "pa%20ss" not in text
