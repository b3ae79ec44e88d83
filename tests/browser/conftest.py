"""A real ``golive serve`` for the browser tests, started once for the package.

Its one check, ``api`` (component API), runs ``test ! -e DOWN`` every second and is DOWN after
two failures (one probe timing out on a busy machine is no outage), so a test turns it red by
creating the file ``Served.down`` and green by removing it. Three users exist, made with
``golive user add --password-stdin``: ``otto`` (operator), ``vera`` (viewer) and ``ada``
(admin); ``log_in(page, golive, name)`` signs one in.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from devkit.browser import launch_browser
from devkit.ports import free_port, wait_for_port

GOLIVE = [sys.executable, "-m", "golive"]
PASSWORD = "correct horse battery staple"
DASHBOARD = (
    "/",
    "/checks/api",
    "/alerts",
    "/silences",
    "/notifications",
    "/gate",
    "/maintenance",
    "/backups",
    "/flags",
    "/sources",
    "/slos",
    "/slos/availability",
    "/slos/errors",
    "/incidents",
    "/oncall",
    "/loadtests",
)  # and the page of the incident the fixture opens: ``Served.incident_path``
USERS = {"otto": "operator", "vera": "viewer", "ada": "admin"}
CONFIG = """\
version: 1
project: shop
server:
  listen: "127.0.0.1:{port}"
  status_page: {{title: Shop status, public: true}}
  # one browser on 127.0.0.1 logs in for each of dozens of tests: the default 60 anonymous
  # requests a minute per IP is a human's budget, and a fast run spent it (a 429 on /login)
  rate_limits: {{per_ip: 6000/m}}
components:
  - {{name: API, description: Public REST API}}
checks:
  - {{name: api, component: API, command: {{run: "test ! -e {down}"}}, every: 1s, timeout: 1s, fail_after: 2}}
flags:
  - {{name: mobile-pwa-install, description: Offer the PWA install, enabled: true, rollout: 25%}}
metrics:
  - {{name: edge, access_log: {{path: "{access_log}", format: nginx-json}}}}
slos:
  - {{name: availability, objective: 99.9%, window: 30d, sli: {{check: api}}}}
  - {{name: errors, objective: 99%, window: 1d, sli: {{requests: edge, good: {{status_below: 500}}}}}}
loadtests:
  - name: peak
    base_url: http://127.0.0.1:{port}
    rate: 20/s
    duration: 1s
    requests: [{{name: status, class: status, path: /status}}]
    sla: {{status: {{p95: 2s}}, error_rate: 1%}}
oncall:
  people:
    - {{name: alice, notify: ["json://127.0.0.1:9/alice"]}}
    - {{name: bob, notify: ["json://127.0.0.1:9/bob"]}}
  schedules:
    - {{name: primary, timezone: UTC, rotation: [alice, bob], start: 2026-01-05, shift: 1w, handoff: monday 09:00}}
"""
ACCESS_LINE = (
    '{{"time":"{time}","method":"GET","uri":"/api/facilities","status":{status},'
    '"request_time":0.0{ms},"upstream_addr":"127.0.0.1:8000","upstream_response_time":"0.0{ms}",'
    '"bytes":512}}\n'
)


@dataclass(frozen=True)
class Served:
    base: str
    down: Path  # exists -> the check fails
    log: Path
    incident_path: str = ""  # /incidents/{id} of a private incident opened for the page tests

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for this package only (the plugin's lives for the session): Playwright's sync API
    keeps an event loop running while it lives, and the xdist worker that ran these tests goes
    on to async tests, which cannot start beside it."""
    with launch_browser() as launched:
        yield launched


@pytest.fixture(scope="package")
def golive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp("golive-browser")
    port = free_port()
    down = directory / "down"
    config = directory / "golive.yaml"
    access_log = directory / "access.log"
    now = datetime.now(UTC).replace(microsecond=0)
    access_log.write_text(
        "".join(
            ACCESS_LINE.format(
                time=(now - timedelta(seconds=90 - i)).isoformat(),
                status=500 if i % 10 == 0 else 200,
                ms=10 + i % 50,
            )
            for i in range(60)
        )
    )
    config.write_text(CONFIG.format(port=port, down=down, access_log=access_log))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name, role in USERS.items():
        added = subprocess.run(
            [*GOLIVE, "user", "add", name, "--role", role, "--password-stdin", "-c", str(config)],
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert added.returncode == 0, added.stdout + added.stderr
    log = directory / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*GOLIVE, "serve", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        wait_for_port(port, timeout=30, proc=server, log=log)
        yield Served(f"http://127.0.0.1:{port}", down, log, _pages_with_data(config, env))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _pages_with_data(config: Path, env: dict[str, str]) -> str:
    """Run the load test once (for /loadtests) and open a private incident; its page's path."""

    def golive(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*GOLIVE, *args, "-c", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    loaded = golive("loadtest", "peak", "--json")
    assert loaded.returncode in (0, 1), loaded.stdout + loaded.stderr  # PASS or FAIL: both shown
    opened = golive("incident", "open", "Slow bookings", "--sev", "SEV3", "--json")
    assert opened.returncode == 0, opened.stdout + opened.stderr
    return f"/incidents/{json.loads(opened.stdout)['id']}"


def log_in(page: Page, golive: Served, name: str) -> None:
    page.goto(golive.url("/login"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(golive.url("/"))
