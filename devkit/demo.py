"""`make demo`: ParkWise with its real PostgreSQL, Redis, TLS proxy and DNS, probed by golive.

Everything runs on free 127.0.0.1 ports with state under .golive/demo/. The demo runs
`golive check` once, then `golive serve`; it stops Redis and shows the notification golive
sends to a local webhook, then brings Redis back for the all-clear. In a terminal it then keeps
everything running until Ctrl-C so you can poke at it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from devkit.certs import make_ca, make_cert
from devkit.ports import free_port, wait_for_port
from devkit.receivers import WebhookReceiver
from devkit.servers import DnsServer, NginxServer, PostgresServer, RedisServer

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "examples" / "parkwise" / "golive.yaml"
STATE = ROOT / ".golive" / "demo"
GOLIVE = ROOT / ".venv" / "bin" / "golive"

TLS_PROXY = """
server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ proxy_pass http://127.0.0.1:{app_port}; }}
}}
"""


def say(text: str) -> None:
    print(f"\033[1;36m==>\033[0m {text}", flush=True)


def start_parkwise(stack: ExitStack, env: dict[str, str], port: int) -> None:
    log = (STATE / "parkwise.log").open("w")
    stack.callback(log.close)
    process = subprocess.Popen(
        [sys.executable, "-m", "parkwise"],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "examples" / "parkwise")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    stack.callback(_stop, process)
    wait_for_port(port, timeout=30, proc=process, log=STATE / "parkwise.log")


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


def main() -> int:
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    with ExitStack() as stack:
        say("starting PostgreSQL, Redis and a DNS server on free loopback ports")
        postgres = stack.enter_context(PostgresServer.start(STATE / "postgres"))
        database_url = postgres.create_database("parkwise")
        redis = stack.enter_context(RedisServer.start(STATE / "redis"))
        dns = stack.enter_context(
            DnsServer.start(STATE / "dns", {"parkwise.golive.test": ["127.0.0.1"]})
        )
        app_port, tls_port = free_port(), free_port()
        say(f"starting ParkWise on http://127.0.0.1:{app_port}")
        start_parkwise(
            stack,
            {
                "PARKWISE_DATABASE_URL": database_url,
                "PARKWISE_REDIS_URL": redis.url,
                "PARKWISE_PORT": str(app_port),
            },
            app_port,
        )
        say(
            f"starting an nginx TLS proxy on https://localhost:{tls_port} (certificate from a demo CA)"
        )
        ca = make_ca(STATE / "certs")
        cert = make_cert(STATE / "certs", "parkwise", ca=ca)
        site = TLS_PROXY.format(
            port=tls_port, cert=cert.chain_path, key=cert.key_path, app_port=app_port
        )
        stack.enter_context(NginxServer.start(STATE / "nginx", site, ports=[tls_port]))

        hook = WebhookReceiver()
        hook.start()
        stack.callback(hook.stop)
        listen = f"127.0.0.1:{free_port()}"
        env = {
            "PARKWISE_URL": f"http://127.0.0.1:{app_port}",
            "PARKWISE_PORT": str(app_port),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "PARKWISE_TLS_PORT": str(tls_port),
            "PARKWISE_CA_FILE": str(ca.cert_path),
            "PARKWISE_DNS": f"127.0.0.1:{dns.port}",
            "PARKWISE_ALERTS_URL": hook.url("/golive"),
            "GOLIVE_LISTEN": listen,
        }
        say("every dependency is up: golive checks them all once")
        golive("check", env=env)

        say(f"starting golive serve (API on http://{listen}); notifications go to a local webhook")
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
        serve_log = (STATE / "serve.log").open("w")
        stack.callback(serve_log.close)
        server = subprocess.Popen(
            [str(GOLIVE), "serve", "-c", str(CONFIG)],
            env={**os.environ, **env},
            stdout=serve_log,
            stderr=subprocess.STDOUT,
        )
        stack.callback(_stop, server)
        api = Api(listen, token)
        wait(
            lambda: api.states() and all(s == "up" for s in api.states().values()),
            "every check UP",
            60,
        )
        say("all checks UP: " + ", ".join(sorted(api.states())))

        say("now Redis goes away — watch the webhook")
        redis.stop()
        wait(lambda: len(hook.requests) >= 1, "a notification", 60)
        show(hook, 0)
        wait(lambda: api.states().get("redis") == "down", "redis DOWN", 30)
        print(
            f"   golive status: redis={api.states()['redis']}, api-health={api.states()['api-health']}"
            " (held: it depends on redis, so only the root cause is announced)",
            flush=True,
        )

        say("Redis comes back — and so does the all-clear")
        seen = len(hook.requests)
        redis = stack.enter_context(RedisServer.start(STATE / "redis2", port=redis.port))
        wait(lambda: len(hook.requests) > seen, "the resolved notification", 60)
        show(hook, seen)

        print(
            f"\nParkWise:  http://127.0.0.1:{app_port}/health   (metrics: /metrics)\n"
            f"golive API: http://{listen}/api/checks   with  Authorization: Bearer {token}\n"
            f"golive metrics: http://{listen}/metrics (same token) · log: {STATE / 'serve.log'}\n"
            f"Evidence:  {CONFIG.parent / '.golive' / 'golive.db'} (SQLite)\n",
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
