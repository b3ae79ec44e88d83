"""`make demo-scale`: golive on several "machines", all on this one.

PostgreSQL (the shared store), Redis (the Celery broker), ParkWise behind an nginx that can cut
one region off, a worker per region (`golive worker --region east|west`) and two
`golive serve --role all` replicas. It shows quorum holding back a one-region failure (west
cannot reach ParkWise: its probes are refused, the check stays UP, no page), then kills the
leading replica with SIGKILL as ParkWise starts failing everywhere, and shows the hand-over time
and that the page arrived once. Everything is under .golive/demo-scale/ and is stopped at the
end (about a minute).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from devkit.nginx import NginxServer
from devkit.ports import free_port
from devkit.postgres import PostgresServer
from devkit.receivers import WebhookReceiver
from devkit.redis_server import RedisServer
from devkit.replicas import GOLIVE, Replicas, dedup_keys, wait_for
from devkit.rollout_stack import ROOT, start_parkwise

FOLDER = ROOT / ".golive" / "demo-scale"
TTL = 3.0

# nginx in front of ParkWise: a probe from region west is refused while the file `west-down`
# exists (its route to ParkWise is cut), every probe while `all-down` exists.
EDGE = """
    map $http_user_agent $from_west {{ "~region west" 1; default 0; }}
    log_format probes '$status "$http_user_agent"';
    server {{
        listen 127.0.0.1:{port};
        access_log {folder}/edge.log probes;
        location / {{
            set $cut "$from_west";
            if (-f {folder}/west-down) {{ set $cut "${{cut}}w"; }}
            if ($cut = "1w") {{ return 503; }}
            if (-f {folder}/all-down) {{ return 503; }}
            proxy_pass http://{parkwise};
        }}
    }}
"""

CONFIG = """\
version: 1
project: parkwise
store: "{{store}}"
server: {{{{listen: "127.0.0.1:{{port}}"}}}}
workers: {{{{broker: "{broker}", regions: [east, west]}}}}
checks:
  - name: api-health
    http: {{{{url: "http://127.0.0.1:{edge}/health"}}}}
    expect: [status == 200]
    every: 2s
    timeout: 1s
    fail_after: 2
    regions: [east, west]
    quorum: 2
    severity: critical
notify:
  channels: [{{{{name: pager, url: "{{hook}}"}}}}]
  routes: [{{{{match: {{{{severity: critical}}}}, to: [pager]}}}}]
  group_wait: 0s
"""


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def status(config: Path) -> None:
    print(f"$ golive status -c {config.relative_to(ROOT)}", flush=True)
    subprocess.run([*GOLIVE, "status", "-c", str(config)], check=False)


def pages(hook: WebhookReceiver) -> list[str]:
    return [str(r.body.get("title", "")) for r in hook.requests if isinstance(r.body, dict)]


def main() -> int:
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    with ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer.start(FOLDER / "postgres"))
        redis = stack.enter_context(RedisServer.start(FOLDER / "redis"))
        parkwise, address = start_parkwise(FOLDER, "1.0.0")
        stack.callback(lambda: (parkwise.terminate(), parkwise.wait(10)))
        edge_port = free_port()
        edge = EDGE.format(port=edge_port, folder=FOLDER, parkwise=address)
        stack.enter_context(NginxServer.start(FOLDER / "nginx", edge, ports=[edge_port]))
        hook = WebhookReceiver()
        hook.start()
        stack.callback(hook.stop)
        url = postgres.create_database("golive").replace("postgresql://", "postgresql+psycopg://")
        config = CONFIG.format(broker=redis.url, edge=edge_port)
        replicas = Replicas(FOLDER / "replicas", url, hook, config=config, ttl=TTL)
        stack.callback(replicas.stop_all)
        say("two workers (east, west) and two `golive serve --role all` replicas")
        a, b = replicas.start("a", "b")
        workers = [worker(region, a.config, stack) for region in ("east", "west")]
        leader = replicas.leader()
        print(f"replica a pid {a.pid}, b pid {b.pid}: {leader.name} leads (lease ttl {TTL:g} s)")
        wait_for(lambda: replicas.state("api-health") == "up", 60, "api-health up")
        status(leader.config)

        say("west loses its route to ParkWise: one region of two, quorum 2 holds the page back")
        (FOLDER / "west-down").touch()
        seen = len(_probes())
        time.sleep(6)  # three intervals: west fails each run, east does not
        for region in ("east", "west"):
            answers = [code for code, agent in _probes()[seen:] if f"region {region}" in agent]
            print(f"probes from {region}: {len(answers)}, answered {sorted(set(answers))}")
        status(leader.config)
        print(f"pages so far: {len(hook.requests)} (none: one region of two is not a quorum)")
        (FOLDER / "west-down").unlink()

        say("ParkWise down from everywhere, and the leading replica killed with SIGKILL")
        (FOLDER / "all-down").touch()
        wait_for(lambda: _failing(replicas), 60, "api-health's first failure")
        killed_at = time.monotonic()  # before its alert fires: the new leader pages
        leader.process.send_signal(signal.SIGKILL)
        new, took = replicas.handover(leader)
        print(
            f"killed {leader.name}; {new.name} leads {took:.1f} s later (bound {TTL * 4 / 3:g} s)"
        )
        wait_for(lambda: len(hook.requests) >= 1, 60, "the page")
        print(f"page received {time.monotonic() - killed_at:.1f} s after the kill: {pages(hook)}")
        (FOLDER / "all-down").unlink()
        wait_for(lambda: len(hook.requests) >= 2, 60, "the resolution")
        wait_for(replicas.settled, 60, "an empty outbox")
        keys = dedup_keys(hook)
        doubled = len(keys) - len(set(keys))
        print(f"notifications: {len(keys)}, doubled: {doubled} ({json.dumps(pages(hook))})")
        status(new.config)

        say("where to look")
        print(f"  dashboards: http://{_listen(a.config)}/  and  http://{_listen(b.config)}/")
        folder = FOLDER.relative_to(ROOT)
        print(f"  logs: {folder}/replicas/*/serve.log and {folder}/worker-*.log")
        print(f"  who leads: golive status -c {new.config.relative_to(ROOT)}")
        del workers  # stopped on the way out, with everything else
        return 0 if doubled == 0 else 1


def worker(region: str, config: Path, stack: ExitStack) -> subprocess.Popen[bytes]:
    """`golive worker --region REGION` on ``config`` (a replica's: the same store and broker)."""
    log = FOLDER / f"worker-{region}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*GOLIVE, "worker", "-c", str(config), "--region", region],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stack.callback(lambda: (process.terminate(), process.wait(20)))
    return process


def _failing(replicas: Replicas) -> bool:
    """api-health still UP with one failed verdict stored (``fail_after: 2``)."""
    status = replicas.status("api-health")
    return status is not None and status.state == "up" and status.consecutive_failures >= 1


def _probes() -> list[tuple[str, str]]:
    """(status, user agent) of each request nginx logged, oldest first."""
    log = FOLDER / "edge.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [(line.partition(" ")[0], line.partition(" ")[2]) for line in lines]


def _listen(config: Path) -> str:
    for line in config.read_text().splitlines():
        if "listen:" in line:
            return line.split('"')[1]
    return "?"


if __name__ == "__main__":
    sys.exit(main())
