"""Journeys (``steps:``) against a real ParkWise process and a real cookie-setting server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from devkit.ports import free_port, wait_for_port
from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.engine.results import CheckResult
from golive.engine.run import run_checks
from golive.gate.registry import argument_models

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "spec" / "golive.reference.yaml"
PASSWORD = "pw-for-the-robot-7731"

JOURNEY = """\
version: 1
project: parkwise
vars: {{base_url: "{url}"}}
checks:
  - name: booking-journey
    steps:
      - name: login
        http: {{url: "${{base_url}}/api/login", method: POST, json: {{user: synthetic, password: "${{env:SYNTH_PASSWORD}}"}}}}
        expect: ["status == 200"]
        capture: {{token: json.token}}
      - name: book
        http:
          url: ${{base_url}}/api/bookings
          method: POST
          headers: {{Authorization: "Bearer {{{{ token }}}}"}}
          json: {{facility_id: 1, plate: "SYN-001"}}
        expect: ["status == 201"]
        capture: {{booking: json.id}}
      - name: cancel
        http: {{url: "${{base_url}}/api/bookings/{{{{ booking }}}}", method: DELETE, headers: {{Authorization: "Bearer {{{{ token }}}}"}}}}
        expect: ["status in [200, 204]"]
"""


@pytest.fixture(scope="module")
def parkwise(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One ParkWise (SQLite) for this module, its synthetic user's password ``PASSWORD``."""
    folder = tmp_path_factory.mktemp("parkwise")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKWISE_")}
    env |= {"PARKWISE_PORT": str(port), "PARKWISE_SYNTH_PASSWORD": PASSWORD}
    env["PYTHONPATH"] = str(ROOT / "examples" / "parkwise")
    log = folder / "parkwise.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "parkwise"], cwd=folder, env=env, stdout=out, stderr=out
        )
    try:
        wait_for_port(port, timeout=30, proc=proc, log=log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def load(tmp_path: Path, text: str, password: str = PASSWORD) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ={"SYNTH_PASSWORD": password}, gate_args=argument_models())


async def run(loaded: LoadedConfig, name: str) -> CheckResult:
    (result,) = await run_checks(loaded, [loaded.config.check(name)], clock=ManualClock())
    return result


async def test_a_journey_logs_in_books_and_cancels_on_parkwise(
    parkwise: str, tmp_path: Path
) -> None:
    result = await run(load(tmp_path, JOURNEY.format(url=parkwise)), "booking-journey")
    assert result.ok, result.error
    fields = result.fields
    assert fields["failed_step"] is None
    assert [fields[s]["status"] for s in ("login", "book", "cancel")] == [200, 201, 204]
    assert isinstance(fields["book"]["json"]["id"], int)  # {{ booking }} kept its type in json
    steps_ms = sum(fields[s]["latency_ms"] for s in ("login", "book", "cancel"))
    assert steps_ms <= fields["latency_ms"] == result.latency_ms
    assert result.target == "login → book → cancel"
    # the token is a secret (its capture's name says so): masked in every field stored
    assert fields["login"]["json"]["token"] == "***"
    stored = json.dumps(fields)
    assert "synthetic." not in stored and PASSWORD not in stored


async def test_the_references_journey_runs_against_parkwise(parkwise: str, tmp_path: Path) -> None:
    text = REFERENCE.read_text(encoding="utf-8").replace("http://127.0.0.1:8000", parkwise)
    result = await run(load(tmp_path, text), "booking-journey")
    assert result.ok, result.error
    assert result.fields["cancel"]["status"] == 204


async def test_a_broken_step_stops_the_journey_and_is_named(parkwise: str, tmp_path: Path) -> None:
    loaded = load(tmp_path, JOURNEY.format(url=parkwise), password="wrong-password-1234")
    result = await run(loaded, "booking-journey")
    assert not result.ok
    assert result.error == "step 'login' failed: expected status == 200: got status = 401"
    assert result.fields["failed_step"] == "login"
    assert result.fields["login"]["status"] == 401
    assert result.fields["book"] is None and result.fields["cancel"] is None
    assert "wrong-password-1234" not in json.dumps(result.fields)


async def test_a_capture_that_finds_nothing_names_the_expression_and_the_bodys_shape(
    parkwise: str, tmp_path: Path
) -> None:
    text = JOURNEY.format(url=parkwise).replace("json.token}", "json.access_token}")
    result = await run(load(tmp_path, text), "booking-journey")
    assert not result.ok
    assert result.error == (
        "step 'login' failed: capture token: json.access_token found nothing"
        " (no such key 'access_token') in a JSON body shaped {token: string}"
    )
    assert result.fields["failed_step"] == "login"


async def test_a_later_step_failing_keeps_the_earlier_steps_fields(
    parkwise: str, tmp_path: Path
) -> None:
    text = JOURNEY.format(url=parkwise).replace("facility_id: 1,", "facility_id: 999,")
    result = await run(load(tmp_path, text), "booking-journey")
    assert result.error == "step 'book' failed: expected status == 201: got status = 404"
    assert result.fields["login"]["status"] == 200
    assert result.fields["book"]["json"] == {"detail": "facility 999 not found"}
    assert result.fields["failed_step"] == "book"


@pytest.fixture
async def cookie_site() -> AsyncIterator[str]:
    """``POST /login`` sets a session cookie; ``GET /me`` answers 200 only with it."""

    async def login(request: web.Request) -> web.Response:
        response = web.json_response({"ok": True})
        response.set_cookie("session", "s-42", httponly=True)
        return response

    async def me(request: web.Request) -> web.Response:
        if request.cookies.get("session") != "s-42":
            return web.json_response({"error": "who are you?"}, status=401)
        return web.json_response({"user": "synthetic"})

    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()  # never answers: the journey's timeout must name this step
        return web.json_response({})

    app = web.Application()
    app.add_routes([web.post("/login", login), web.get("/me", me), web.get("/hang", hang)])
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        never.set()  # let a hanging handler end, or cleanup waits for it
        await runner.cleanup()


COOKIES = """\
version: 1
project: shop
checks:
  - name: session
    steps:
      - {{name: login, http: {{url: "{url}/login", method: POST}}}}
      - {{name: me, http: {{url: "{url}/me"}}, expect: ["json.user == 'synthetic'"]}}
  - name: without-login
    http: {{url: "{url}/me"}}
    expect: ["status == 401"]
"""


async def test_cookies_are_kept_across_the_steps_of_one_run_only(
    cookie_site: str, tmp_path: Path
) -> None:
    loaded = load(tmp_path, COOKIES.format(url=cookie_site))
    first, alone = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert first.ok, first.error
    assert alone.ok  # the journey's cookie went nowhere else
    again = await run(loaded, "session")  # a new run starts with an empty jar and logs in again
    assert again.ok and again.fields["me"]["json"] == {"user": "synthetic"}


async def test_a_step_that_never_answers_is_named_when_the_timeout_is_near(
    cookie_site: str, tmp_path: Path
) -> None:
    text = (
        COOKIES.format(url=cookie_site)
        .replace('/me"}, expect', '/hang"}, expect')
        .replace("  - name: session\n", "  - name: session\n    timeout: 1s\n")
    )
    loaded = load(tmp_path, text)
    result = await run(loaded, "session")
    assert result.error == "step 'me' failed: no answer within the check's 1s"
    assert result.fields["failed_step"] == "me"
    assert result.fields["login"]["status"] == 200
