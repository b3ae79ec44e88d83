"""`make demo`: ParkWise with its real PostgreSQL, Redis, TLS proxy and DNS, probed by golive.

Everything runs on free 127.0.0.1 ports with state under .golive/demo/. The demo runs
`golive check` once, then `golive serve`; it stops Redis and shows the notification golive
sends to a local webhook, then brings Redis back for the all-clear, and runs a short
`golive loadtest peak` (its SLA table; the gate's load-test item reads it) and `golive slo`
(SLOs from the health check's runs and ParkWise's scraped request histograms). Then `golive gate`: NO-GO
while ParkWise has no security headers, GO once they are on and the human item is signed. In a
terminal it then keeps everything running until Ctrl-C so you can poke at it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from devkit.parkwise_stack import ParkwiseStack
from devkit.ports import free_port
from devkit.receivers import WebhookReceiver
from devkit.servers import RedisServer

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "parkwise" / "golive.yaml"
STATE = ROOT / ".golive" / "demo"
GOLIVE = ROOT / ".venv" / "bin" / "golive"


def say(text: str) -> None:
    print(f"\033[1;36m==>\033[0m {text}", flush=True)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def golive(*args: str, env: dict[str, str]) -> int:
    command = [str(GOLIVE), *args, "-c", str(CONFIG)]
    print(f"\n$ golive {' '.join(args)} -c {CONFIG.relative_to(ROOT)}", flush=True)
    return subprocess.call(command, env={**os.environ, **env, "COLUMNS": "120"})


class Api:
    """The few golive API calls the demo makes."""

    def __init__(self, listen: str, token: str) -> None:
        self.base, self.token = f"http://{listen}", token

    def states(self) -> dict[str, str]:
        request = urllib.request.Request(
            f"{self.base}/api/checks", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                checks = json.load(response)["checks"]
        except OSError:
            return {}
        return {name: check["state"] for name, check in checks.items()}


def wait(condition: Callable[[], object], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise SystemExit(
        f"demo: gave up waiting for {what} after {timeout:.0f}s (see {STATE / 'serve.log'})"
    )


def show(hook: WebhookReceiver, index: int) -> None:
    body = hook.requests[index].body
    print("\n   \033[1mwebhook received:\033[0m " + str(body.get("title", "")), flush=True)
    for line in str(body.get("message", "")).splitlines():
        print(f"   │ {line}", flush=True)
    print(flush=True)


def _ping_url(env: dict[str, str]) -> str:
    """The job's ping URL, made anew (golive keeps only its hash; a demo run before this one
    made one already, so `rotate` rather than `url`)."""
    return subprocess.run(
        [str(GOLIVE), "heartbeat", "rotate", "expire-bookings", "-c", str(CONFIG)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _cron_job(env: dict[str, str], url: str) -> subprocess.Popen[bytes]:
    """A stand-in for cron: every 20 s, the job runs under `golive ping` (start, exit, log);
    the URL comes in GOLIVE_PING_URL, as a crontab line would set it."""
    job = f"{GOLIVE} ping expire-bookings -c {CONFIG} -- echo expired 0 bookings"
    return subprocess.Popen(
        ["sh", "-c", f"while true; do {job}; sleep 20; done"],
        env={**os.environ, **env, "GOLIVE_PING_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=(STATE / "job.log").open("wb"),
    )


def pages(hook: WebhookReceiver, person: str) -> list[dict[str, str]]:
    return [r.body for r in hook.requests if r.path == f"/page/{person}"]


def incident_step(park: ParkwiseStack, env: dict[str, str]) -> None:
    """The database goes: an incident opens, Dana is paged, nobody answers, Sam is paged, and
    Sam acknowledges from the link in the page."""
    say("now the database goes away — an incident opens and the on-call person is paged")
    hook = park.hook
    park.postgres.stop()
    wait(lambda: pages(hook, "dana"), "Dana's page", 90)
    print("   page to dana: " + pages(hook, "dana")[0]["title"], flush=True)
    say("nobody answers within 20 s — the escalation pages Sam")
    wait(lambda: pages(hook, "sam"), "Sam's page", 90)
    page = pages(hook, "sam")[0]
    for line in str(page["message"]).splitlines():
        print(f"   │ {line}", flush=True)
    [link] = re.findall(r"Acknowledge: (\S+)", str(page["message"]))
    say("Sam clicks Acknowledge in the page (no login): the escalation stops")
    with urllib.request.urlopen(urllib.request.Request(link, method="POST", data=b"")) as answer:
        print(f"   the link answered {answer.status}", flush=True)
    [number] = re.findall(r"^Incident #(\d+)", str(page["message"]), re.MULTILINE)
    golive("incident", "show", number, env=env)


def main() -> int:
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    (CONFIG.parent / ".golive" / "golive.db").unlink(missing_ok=True)
    with ExitStack() as stack:
        say(
            "starting ParkWise with PostgreSQL, Redis, an nginx TLS proxy and DNS on free loopback ports"
        )
        park = stack.enter_context(ParkwiseStack.start(STATE))
        listen = f"127.0.0.1:{free_port()}"
        env = {**park.golive_env(), "GOLIVE_LISTEN": listen}
        say(
            f"ParkWise is on http://127.0.0.1:{park.app_port} — golive checks every dependency once"
        )
        golive("check", env=env)

        say(f"starting golive serve (API on http://{listen}); notifications go to a local webhook")
        password = secrets.token_urlsafe(12)
        subprocess.run(
            [
                str(GOLIVE),
                "user",
                "add",
                "demo",
                "--role",
                "admin",
                "--password-stdin",
                "-c",
                str(CONFIG),
            ],
            input=password + "\n",
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        token = subprocess.run(
            [
                str(GOLIVE),
                "token",
                "create",
                "--role",
                "admin",
                "--name",
                "demo",
                "-c",
                str(CONFIG),
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        ping_url = _ping_url(env)
        with (STATE / "serve.log").open("w") as serve_log:
            server = subprocess.Popen(
                [str(GOLIVE), "serve", "-c", str(CONFIG)],
                env={**os.environ, **env},
                stdout=serve_log,
                stderr=subprocess.STDOUT,
            )
        stack.callback(_stop, server)
        say("a cron-like job pings golive: `golive ping expire-bookings -- ...` every 20s")
        stack.callback(_stop, _cron_job(env, ping_url))
        api, hook = Api(listen, token), park.hook
        wait(
            lambda: api.states() and all(s == "up" for s in api.states().values()),
            "every check UP",
            60,
        )
        say("all checks UP: " + ", ".join(sorted(api.states())))

        say("now Redis goes away — watch the webhook")
        park.redis.stop()
        wait(lambda: len(hook.requests) >= 1, "a notification", 60)
        show(hook, 0)
        wait(lambda: api.states().get("redis") == "down", "redis DOWN", 30)
        states = api.states()
        print(
            f"   golive now: redis={states['redis']}, api-health={states['api-health']} — api-health"
            " depends on redis, so its alert is held and only the root cause is announced",
            flush=True,
        )

        say("Redis comes back — and so does the all-clear")
        seen = len(hook.requests)
        park.redis = stack.enter_context(RedisServer.start(STATE / "redis2", port=park.redis.port))
        wait(lambda: len(hook.requests) > seen, "the resolved notification", 60)
        show(hook, seen)

        say("a short load test of ParkWise: 8 requests/s for 5 s, judged against its SLA")
        golive("loadtest", "peak", "--rate", "8/s", "--duration", "5s", env=env)
        say("the SLOs, measured: the health check's runs and ParkWise's own request histograms")
        golive("slo", env=env)

        say("are we ready to go live? ParkWise runs without its security headers")
        golive("gate", env=env)
        say("turn the headers on and sign the human item")
        park.start_app(headers=True)
        subprocess.run(
            [
                str(GOLIVE),
                "gate",
                "sign",
                "Incident response plan reviewed",
                "--by",
                "ops-lead",
                "--note",
                "reviewed in the demo",
                "-c",
                str(CONFIG),
            ],
            env={**os.environ, **env},
            check=True,
        )
        say(
            "back up ParkWise's database and prove the backup restores (a drill in a scratch database)"
        )
        golive("backup", "run", "main-db", env=env)
        golive("backup", "verify", "main-db", env=env)
        golive("gate", env=env)

        incident_step(park, env)

        print(
            f"\nDashboard:  http://{listen}/   (log in as demo / {password})\n"
            f"Status:     http://{listen}/status   (public)\n"
            f"ParkWise:   http://127.0.0.1:{park.app_port}/health   (metrics: /metrics)\n"
            f"golive API: http://{listen}/api/checks   with  Authorization: Bearer {token}\n"
            f"golive metrics: http://{listen}/metrics (same token) · log: {STATE / 'serve.log'}\n"
            f"Evidence:   {CONFIG.parent / '.golive' / 'golive.db'} (SQLite)\n",
            flush=True,
        )
        if sys.stdin.isatty():
            say("everything stays up until you press Ctrl-C")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                print()
        say("stopping the demo servers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
