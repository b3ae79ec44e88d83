"""Detection latency: a target goes down; how long until a webhook receives the alert.

One target (devkit nginx) answers ``GET /health`` with 200. Watching it side by side:

* golive: ``golive serve -c golive.yaml`` (the CLI, as a subprocess) with one HTTP check
  ``every: 1s``, ``timeout: 1s``, ``fail_after: 2``, ``expect: [status == 200]``,
  ``severity: critical``, routed to a ``json://`` channel with ``group_wait: 0s``;
* Prometheus: Debian's ``prometheus-blackbox-exporter`` (``http_2xx``), ``prometheus``
  (1 s scrape and evaluation, alert ``probe_success == 0`` ``for: 1s``) and
  ``prometheus-alertmanager`` (``group_wait: 0s``, ``group_interval: 1s``, webhook).

Both notify the same local webhook receiver (aiohttp on 127.0.0.1, ``bench/_webhook.py``).
Each repeat waits until both systems see the target healthy, makes nginx answer 503 (a
config reload) at T0, records when each webhook first receives a firing notification
(latency = arrival − T0), restores the target and waits until both have recovered.
Reports every repeat, the median/min/max per side and the ratio golive / Prometheus.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _stats import jsonable
from _webhook import Message, WebhookReceiver
from probes import ROOT, err, out, progress
from rich.table import Table

if TYPE_CHECKING:
    from devkit.servers import NginxServer, Server

BENCH_DIR = Path(__file__).resolve().parent
GOLIVE = ROOT / ".venv" / "bin" / "golive"
HEALTHY_BODY = '{"status":"healthy"}'
BINARIES = {
    "prometheus": ("prometheus", "/usr/bin/prometheus"),
    "alertmanager": ("prometheus-alertmanager", "/usr/bin/prometheus-alertmanager"),
    "blackbox_exporter": ("prometheus-blackbox-exporter", "/usr/bin/prometheus-blackbox-exporter"),
}
POLL_S = 0.05


# --------------------------------------------------------------------------- the target


def target_conf(port: int, healthy: bool) -> str:
    answer = f"return 200 '{HEALTHY_BODY}';" if healthy else "return 503 'down';"
    return (
        "server {\n"
        f"    listen 127.0.0.1:{port};\n"
        "    location = /health {\n"
        "        default_type application/json;\n"
        f"        {answer}\n"
        "    }\n"
        "}\n"
    )


@contextmanager
def target(base: Path) -> Iterator[NginxServer]:
    from devkit.servers import NginxServer, free_port

    port = free_port()
    server = NginxServer.start(base / "nginx", target_conf(port, True), ports=[port])
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- golive


@dataclass
class Golive:
    config: Path
    db: Path
    proc: subprocess.Popen[bytes]
    log: Path
    check: str

    def state(self) -> tuple[str, str] | None:
        """(state, since) of the check as `golive serve` last stored it; None before that."""
        if not self.db.exists():
            return None
        try:
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=1) as db:
                row = db.execute(
                    "SELECT state, since FROM check_state WHERE name = ?", (self.check,)
                ).fetchone()
        except sqlite3.Error:
            return None
        return (str(row[0]), str(row[1])) if row else None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def golive_config(target_port: int, hook_url: str, web_port: int, check: str) -> str:
    return f"""version: 1
project: bench-detection
store: "sqlite:///golive.db"
server: {{listen: "127.0.0.1:{web_port}"}}
checks:
  - name: {check}
    every: 1s
    timeout: 1s
    fail_after: 2
    severity: critical
    http: {{url: "http://127.0.0.1:{target_port}/health"}}
    expect: ["status == 200"]
notify:
  channels:
    - {{name: hook, url: "{hook_url}"}}
  routes:
    - {{match: {{severity: critical}}, to: [hook]}}
  group_wait: 0s
"""


@contextmanager
def golive(base: Path, target_port: int, hook_port: int, check: str) -> Iterator[Golive]:
    from devkit.servers import free_port

    base.mkdir(parents=True, exist_ok=True)
    config = base / "golive.yaml"
    config.write_text(
        golive_config(target_port, f"json://127.0.0.1:{hook_port}/golive", free_port(), check)
    )
    validated = subprocess.run(
        [str(GOLIVE), "validate", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=base,
        check=False,
    )
    if validated.returncode != 0:
        raise RuntimeError(
            f"golive validate refused the config:\n{validated.stdout}{validated.stderr}"
        )
    log = base / "golive-serve.log"
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [str(GOLIVE), "serve", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=base,
        )
    side = Golive(config, base / "golive.db", proc, log, check)
    try:
        yield side
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def golive_kind(message: Message) -> str:
    """'resolved' or 'firing' for a golive notification (an Apprise json:// body)."""
    body = message.json()
    text = message.body.lower()
    if isinstance(body, dict):
        title = str(body.get("title", ""))
        if title.startswith("[RESOLVED]"):
            return "resolved"
        if title.startswith("[FIRING]"):
            return "firing"
        kind = str(body.get("type", "")).lower()
        if kind == "success":
            return "resolved"
        if kind in ("failure", "warning"):
            return "firing"
        text = f"{body.get('title', '')} {body.get('message', '')}".lower()
    if any(word in text for word in ("resolved", "recovered", " is up", "back up")):
        return "resolved"
    return "firing"


# --------------------------------------------------------------------------- Prometheus


@dataclass
class Prometheus:
    prometheus_port: int
    alertmanager_port: int
    exporter_port: int
    servers: list[Server] = field(default_factory=list)

    def _get(self, port: int, path: str, **params: str) -> Any:
        url = f"http://127.0.0.1:{port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.loads(answer.read())

    def probe_success(self) -> float | None:
        try:
            data = self._get(self.prometheus_port, "/api/v1/query", query="probe_success")
        except (OSError, ValueError):
            return None
        result = data.get("data", {}).get("result", [])
        return float(result[0]["value"][1]) if result else None

    def alerts(self) -> list[str]:
        """States of Prometheus's active alerts (pending / firing)."""
        try:
            data = self._get(self.prometheus_port, "/api/v1/alerts")
        except (OSError, ValueError):
            return ["unknown"]
        return [str(a.get("state")) for a in data.get("data", {}).get("alerts", [])]

    def active_since(self) -> str | None:
        """``activeAt`` of the first active alert (when it went pending), if any."""
        try:
            data = self._get(self.prometheus_port, "/api/v1/alerts")
        except (OSError, ValueError):
            return None
        alerts = data.get("data", {}).get("alerts", [])
        return str(alerts[0]["activeAt"]) if alerts else None

    def alertmanager_active(self) -> int:
        try:
            data = self._get(self.alertmanager_port, "/api/v2/alerts", active="true")
        except (OSError, ValueError):
            return -1
        return len(data)


def binary(name: str) -> str | None:
    command, path = BINARIES[name]
    from shutil import which

    return which(command) or (path if os.access(path, os.X_OK) else None)


def version(path: str) -> str:
    done = subprocess.run(
        [path, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


@contextmanager
def prometheus_stack(
    base: Path, target_port: int, hook_url: str, rule_for: str
) -> Iterator[Prometheus]:
    from devkit.ports import wait_for_port
    from devkit.process import Server, spawn
    from devkit.servers import free_port

    paths = {name: binary(name) for name in BINARIES}
    missing = [BINARIES[n][0] for n, p in paths.items() if p is None]
    if missing:
        raise RuntimeError(
            f"not installed: {' '.join(missing)} (bash devkit/system.sh {' '.join(missing)})"
        )
    base.mkdir(parents=True, exist_ok=True)
    side = Prometheus(free_port(), free_port(), free_port())

    (base / "blackbox.yml").write_text(
        "modules:\n"
        "  http_2xx:\n"
        "    prober: http\n"
        "    timeout: 1s\n"
        "    http:\n"
        "      valid_status_codes: [200]\n"
        "      preferred_ip_protocol: ip4\n"
    )
    (base / "alertmanager.yml").write_text(
        "route:\n"
        "  receiver: hook\n"
        "  group_by: [alertname]\n"
        "  group_wait: 0s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: hook\n"
        "    webhook_configs:\n"
        f"      - url: {hook_url}\n"
        "        send_resolved: true\n"
    )
    (base / "rules.yml").write_text(
        "groups:\n"
        "  - name: bench\n"
        "    interval: 1s\n"
        "    rules:\n"
        "      - alert: TargetDown\n"
        '        expr: probe_success{job="blackbox"} == 0\n'
        f"        for: {rule_for}\n"
        "        labels: {severity: critical}\n"
    )
    (base / "prometheus.yml").write_text(
        "global:\n"
        "  scrape_interval: 1s\n"
        "  scrape_timeout: 1s\n"
        "  evaluation_interval: 1s\n"
        f"rule_files: [{base / 'rules.yml'}]\n"
        "alerting:\n"
        "  alertmanagers:\n"
        f"    - static_configs: [{{targets: ['127.0.0.1:{side.alertmanager_port}']}}]\n"
        "scrape_configs:\n"
        "  - job_name: blackbox\n"
        "    metrics_path: /probe\n"
        "    params: {module: [http_2xx]}\n"
        f"    static_configs: [{{targets: ['http://127.0.0.1:{target_port}/health']}}]\n"
        "    relabel_configs:\n"
        "      - {source_labels: [__address__], target_label: __param_target}\n"
        "      - {source_labels: [__param_target], target_label: instance}\n"
        f"      - {{target_label: __address__, replacement: '127.0.0.1:{side.exporter_port}'}}\n"
    )
    commands = {
        "blackbox_exporter": (
            [
                paths["blackbox_exporter"],
                f"--config.file={base / 'blackbox.yml'}",
                f"--web.listen-address=127.0.0.1:{side.exporter_port}",
            ],
            side.exporter_port,
        ),
        "alertmanager": (
            [
                paths["alertmanager"],
                f"--config.file={base / 'alertmanager.yml'}",
                f"--storage.path={base / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{side.alertmanager_port}",
                "--cluster.listen-address=",
            ],
            side.alertmanager_port,
        ),
        "prometheus": (
            [
                paths["prometheus"],
                f"--config.file={base / 'prometheus.yml'}",
                f"--storage.tsdb.path={base / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{side.prometheus_port}",
            ],
            side.prometheus_port,
        ),
    }
    try:
        for name, (cmd, port) in commands.items():
            log = base / f"{name}.log"
            proc = spawn([str(c) for c in cmd], log, cwd=base)
            side.servers.append(Server(proc, base, log))
            wait_for_port(port, timeout=60, proc=proc, log=log)
        yield side
    finally:
        for server in reversed(side.servers):
            server.stop()


def alertmanager_kind(message: Message) -> str:
    body = message.json()
    if isinstance(body, dict) and body.get("status") in ("firing", "resolved"):
        return str(body["status"])
    return "other"


# --------------------------------------------------------------------------- both systems


@dataclass
class Systems:
    nginx: NginxServer
    golive: Golive | None
    prometheus: Prometheus | None


@contextmanager
def systems(
    base: Path,
    hook: WebhookReceiver,
    use_golive: bool,
    use_prometheus: bool,
    args: argparse.Namespace,
    check_name: str,
) -> Iterator[Systems]:
    """A fresh target, Prometheus stack and golive serve (each stopped on the way out).
    The check's name sets its phase in golive's schedule (a hash), so it is new each time."""
    with ExitStack() as stack:
        nginx = stack.enter_context(target(base))
        found = Systems(nginx, None, None)
        if use_prometheus:
            p = found.prometheus = stack.enter_context(
                prometheus_stack(
                    base / "prometheus",
                    nginx.ports[0],
                    hook.url("alertmanager"),
                    args.prometheus_for,
                )
            )
            progress(
                f"target :{nginx.ports[0]}, prometheus :{p.prometheus_port}, "
                f"alertmanager :{p.alertmanager_port}, blackbox_exporter :{p.exporter_port}"
            )
        if use_golive:
            g = found.golive = stack.enter_context(
                golive(base / "golive", nginx.ports[0], hook.port, check_name)
            )
            progress(f"target :{nginx.ports[0]}, golive serve pid {g.proc.pid}")
        yield found


# --------------------------------------------------------------------------- one repeat


@dataclass
class Repeat:
    repeat: int
    t0_wall: str
    down_reload_s: float  # SIGHUP to "nginx answers 503": T0 is the end of it
    golive_s: float | None = None  # webhook arrival − T0
    prometheus_s: float | None = None
    golive_down_since_s: float | None = None  # the stored DOWN state's `since` − T0
    prometheus_pending_since_s: float | None = None  # the alert's `activeAt` − T0
    golive_resolved_s: float | None = None  # resolved webhook − restore
    prometheus_resolved_s: float | None = None
    golive_check: str | None = None  # its name sets its phase in golive's schedule
    golive_messages: list[dict[str, Any]] = field(default_factory=list)
    prometheus_messages: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.golive_s is None or not self.prometheus_s:
            return None
        return self.golive_s / self.prometheus_s


def wall_seconds(stamp: str) -> float:
    """Epoch seconds of an ISO-8601 time (golive's store, Prometheus's API); naive = UTC."""
    text = stamp.strip().replace("Z", "+00:00")
    if "." in text:  # Go prints up to 9 fractional digits; Python takes at most 6
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6]}{zone}"
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def wait_until(what: str, condition: Callable[[], bool], timeout: float) -> float:
    """Poll ``condition``; return the seconds it took; RuntimeError after ``timeout``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL_S)
    return time.monotonic() - started


def describe(
    messages: Sequence[Message], since: float, kind: Callable[[Message], str]
) -> list[dict[str, Any]]:
    return [{"after_s": m.arrived - since, "kind": kind(m), "body": m.body[:500]} for m in messages]


def run_repeat(
    n: int,
    args: argparse.Namespace,
    nginx: NginxServer,
    hook: WebhookReceiver,
    g: Golive | None,
    p: Prometheus | None,
    golive_notifies: bool,
    rng: random.Random,
) -> Repeat:
    port = nginx.ports[0]

    def healthy() -> bool:
        if g is not None:
            if not g.alive():
                raise RuntimeError(f"golive serve exited\n{g.log_tail()}")
            state = g.state()
            if state is None or state[0] != "up":
                return False
        return p is None or (
            p.probe_success() == 1.0 and not p.alerts() and p.alertmanager_active() == 0
        )

    waited = wait_until("both systems to see the target healthy", healthy, args.healthy_timeout)
    progress(f"repeat {n}: both healthy (after {waited:.1f}s); settling")
    time.sleep(args.settle + rng.uniform(0, 1))  # a random phase against both probe clocks

    # ---- T0: the target goes down --------------------------------------------------------
    signalled = time.monotonic()
    nginx.reload(target_conf(port, False))
    t0 = time.monotonic()
    t0_wall = time.time()
    result = Repeat(n, datetime.now(UTC).isoformat(timespec="milliseconds"), t0 - signalled)
    result.golive_check = g.check if g is not None else None
    progress(f"repeat {n}: target answers 503 (T0); waiting for the webhooks")
    deadline_golive = t0 + (args.detect_timeout if golive_notifies else 0.0)
    deadline = t0 + args.detect_timeout
    last_api_poll = 0.0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if g is not None:
            if result.golive_down_since_s is None:
                state = g.state()
                if state is not None and state[0] == "down":
                    result.golive_down_since_s = wall_seconds(state[1]) - t0_wall
            if result.golive_s is None:
                fired = [m for m in hook.messages("golive", t0) if golive_kind(m) == "firing"]
                if fired:
                    result.golive_s = fired[0].arrived - t0
        if p is not None:
            if result.prometheus_pending_since_s is None and now - last_api_poll >= 0.1:
                last_api_poll = now
                since = p.active_since()
                if since is not None:
                    result.prometheus_pending_since_s = wall_seconds(since) - t0_wall
            if result.prometheus_s is None:
                fired = [
                    m for m in hook.messages("alertmanager", t0) if alertmanager_kind(m) == "firing"
                ]
                if fired:
                    result.prometheus_s = fired[0].arrived - t0
        golive_done = g is None or (
            result.golive_down_since_s is not None
            and (result.golive_s is not None or now >= deadline_golive)
        )
        prometheus_done = p is None or (
            result.prometheus_s is not None and result.prometheus_pending_since_s is not None
        )
        if golive_done and prometheus_done:
            break
        time.sleep(POLL_S / 5)
    if g is not None and result.golive_s is None:
        result.notes.append(
            "golive: no webhook within "
            f"{args.detect_timeout:g}s" + ("" if golive_notifies else " (not waited for)")
        )
    if p is not None and result.prometheus_s is None:
        result.notes.append(f"prometheus: no webhook within {args.detect_timeout:g}s")

    # ---- restore and wait for both to recover -------------------------------------------
    nginx.reload(target_conf(port, True))
    restored = time.monotonic()
    progress(f"repeat {n}: target restored; waiting for recovery")
    want_golive_resolved = result.golive_s is not None

    def recovered() -> bool:
        if g is not None and result.golive_resolved_s is None and want_golive_resolved:
            done = [m for m in hook.messages("golive", restored) if golive_kind(m) == "resolved"]
            if done:
                result.golive_resolved_s = done[0].arrived - restored
        if p is not None and result.prometheus_resolved_s is None:
            done = [
                m
                for m in hook.messages("alertmanager", restored)
                if alertmanager_kind(m) == "resolved"
            ]
            if done:
                result.prometheus_resolved_s = done[0].arrived - restored
        resolved_g = (not want_golive_resolved) or result.golive_resolved_s is not None
        resolved_p = p is None or result.prometheus_resolved_s is not None
        return resolved_g and resolved_p and healthy()

    try:
        wait_until("both systems to recover and send resolved", recovered, args.recover_timeout)
    except RuntimeError:
        if want_golive_resolved and result.golive_resolved_s is None:
            result.notes.append(f"golive: no resolved webhook within {args.recover_timeout:g}s")
            wait_until("both systems to recover", healthy, args.recover_timeout)
        else:
            raise
    time.sleep(1.0)  # late duplicates land in this repeat's record, not the next one's
    if g is not None:
        result.golive_messages = describe(hook.messages("golive", t0), t0, golive_kind)
    if p is not None:
        result.prometheus_messages = describe(
            hook.messages("alertmanager", t0), t0, alertmanager_kind
        )
    return result


# --------------------------------------------------------------------------- output


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def summary(values: Sequence[float | None]) -> dict[str, float | int | None]:
    got = [v for v in values if v is not None]
    if not got:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": len(got), "median": statistics.median(got), "min": min(got), "max": max(got)}


def results_table(repeats: Sequence[Repeat], golive_label: str) -> Table:
    table = Table(title="detection latency: target answers 503 at T0 → first firing webhook")
    table.add_column("repeat")
    table.add_column(f"golive webhook s{golive_label}", justify="right")
    table.add_column("Prometheus webhook s", justify="right")
    table.add_column("golive / Prometheus", justify="right")
    table.add_column("golive DOWN since s", justify="right")
    table.add_column("Prometheus pending since s", justify="right")
    table.add_column("resolved webhook s (golive / Prom)", justify="right")
    for i, r in enumerate(repeats):
        table.add_row(
            f"#{r.repeat}",
            secs(r.golive_s),
            secs(r.prometheus_s),
            "—" if r.ratio is None else f"{r.ratio:.2f}×",
            secs(r.golive_down_since_s),
            secs(r.prometheus_pending_since_s),
            f"{secs(r.golive_resolved_s)} / {secs(r.prometheus_resolved_s)}",
            end_section=i == len(repeats) - 1,
        )
    for label in ("median", "min", "max"):
        g = summary([r.golive_s for r in repeats])[label]
        p = summary([r.prometheus_s for r in repeats])[label]
        gs = summary([r.golive_down_since_s for r in repeats])[label]
        pf = summary([r.prometheus_pending_since_s for r in repeats])[label]
        ratio = f"[bold]{g / p:.2f}×[/bold]" if label == "median" and g is not None and p else ""
        table.add_row(
            f"[bold]{label}[/bold]",
            f"[bold]{secs(g)}[/bold]",
            f"[bold]{secs(p)}[/bold]",
            ratio,
            secs(gs),
            secs(pf),
            "",
        )
    return table


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="golive vs Prometheus + blackbox_exporter + Alertmanager: detection "
        "latency (see bench/README.md)."
    )
    parser.add_argument("--repeat", type=int, default=5, help="outages to measure")
    parser.add_argument(
        "--prometheus-for",
        default="1s",
        help="`for:` of the Prometheus rule (1s ≈ golive's fail_after: 2 at every: 1s)",
    )
    parser.add_argument(
        "--only", choices=("golive", "prometheus"), default=None, help="run one side only"
    )
    parser.add_argument("--detect-timeout", type=float, default=30.0, help="per outage, s")
    parser.add_argument("--recover-timeout", type=float, default=60.0, help="per recovery, s")
    parser.add_argument("--healthy-timeout", type=float, default=90.0, help="before each outage")
    parser.add_argument("--settle", type=float, default=2.0, help="healthy time before T0, s")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random T0 phase")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep one set of processes for every repeat (default: fresh ones per repeat, so "
        "each repeat samples new probe/cycle/scrape/evaluation phases)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=BENCH_DIR / "results" / "detection.json",
        help="where to write the figures",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= 50:
        parser.error("--repeat must be from 1 to 50")
    for name in ("detect_timeout", "recover_timeout", "healthy_timeout"):
        if not 1 <= getattr(args, name) <= 600:
            parser.error(f"--{name.replace('_', '-')} must be from 1 to 600 seconds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # devkit lives at the repository root
    rng = random.Random(args.seed)
    use_golive = args.only in (None, "golive")
    use_prometheus = args.only in (None, "prometheus")
    if use_golive and not GOLIVE.exists():
        err.print(f"[red]{GOLIVE} not found: run `make` setup (uv sync) first[/red]")
        return 2
    if use_prometheus:
        missing = [BINARIES[n][0] for n in BINARIES if binary(n) is None]
        if missing:
            err.print(
                f"[red]not installed: {' '.join(missing)}[/red] "
                f"(bash devkit/system.sh {' '.join(missing)}), or pass --only golive"
            )
            return 2

    started = time.monotonic()
    repeats: list[Repeat] = []
    golive_notifies = True
    golive_status = "not run"
    failure: str | None = None
    golive_log = ""

    def check_name() -> str:
        return f"target-{rng.randrange(16**6):06x}"

    with tempfile.TemporaryDirectory(prefix="golive-detection-") as tmp, ExitStack() as outer:
        base = Path(tmp)
        hook = outer.enter_context(WebhookReceiver())
        progress(f"webhook receiver on 127.0.0.1:{hook.port}")
        shared: Systems | None = None
        try:
            if args.reuse:
                shared = outer.enter_context(
                    systems(base / "shared", hook, use_golive, use_prometheus, args, check_name())
                )
            for n in range(1, args.repeat + 1):
                with ExitStack() as inner:
                    current = shared or inner.enter_context(
                        systems(
                            base / f"repeat-{n}",
                            hook,
                            use_golive,
                            use_prometheus,
                            args,
                            check_name(),
                        )
                    )
                    try:
                        r = run_repeat(
                            n,
                            args,
                            current.nginx,
                            hook,
                            current.golive,
                            current.prometheus,
                            golive_notifies,
                            rng,
                        )
                    finally:
                        if current.golive is not None:
                            golive_log = current.golive.log_tail(60)
                repeats.append(r)
                progress(
                    f"repeat {n}: golive {secs(r.golive_s)}s, prometheus {secs(r.prometheus_s)}s"
                    + (f" ({'; '.join(r.notes)})" if r.notes else "")
                )
                if use_golive and r.golive_s is None and golive_notifies:
                    golive_notifies = False  # don't wait the full timeout again
        except RuntimeError as exc:
            failure = str(exc)
            err.print(f"[red]repeat failed:[/red] {exc}")
            if golive_log:
                err.print(f"--- golive serve log tail ---\n{golive_log}")
    if use_golive:
        if any(r.golive_s is not None for r in repeats):
            golive_status = "notified"
        elif not repeats:
            golive_status = "failed before the first outage"
        elif any(r.golive_down_since_s is not None for r in repeats):
            golive_status = "notifier not wired yet"
        else:
            golive_status = "no webhook and no DOWN state"

    if repeats:
        label = "" if golive_status in ("notified", "not run") else " (none)"
        out.print(results_table(repeats, label))
    g_sum = summary([r.golive_s for r in repeats])
    p_sum = summary([r.prometheus_s for r in repeats])
    ratio = (
        g_sum["median"] / p_sum["median"]
        if g_sum["median"] is not None and p_sum["median"]
        else None
    )
    if use_golive and golive_status == "notifier not wired yet":
        out.print(
            f"[bold yellow]golive: {golive_status}[/bold yellow] — no firing webhook "
            f"within {args.detect_timeout:g}s of T0; the table shows when golive's "
            "store had the check DOWN instead"
        )
    elif use_golive and golive_status != "notified":
        out.print(f"[bold yellow]golive: {golive_status}[/bold yellow]")
    if ratio is not None:
        colour = "green" if ratio <= 1 else "red"
        out.print(
            f"[bold {colour}]golive / Prometheus = {ratio:.2f}× "
            f"(median detection latency, lower is better for golive)[/bold {colour}]  "
            f"golive {secs(g_sum['median'])}s, Prometheus {secs(p_sum['median'])}s"
        )
    out.print(
        f"T0 = nginx answers 503 (config reload; median "
        f"{statistics.median(r.down_reload_s for r in repeats) if repeats else math.nan:.2f}s "
        f"from SIGHUP). Prometheus rule `for: {args.prometheus_for}` on a 1 s scrape and "
        "evaluation; golive `fail_after: 2` at `every: 1s`."
    )
    if failure:
        out.print(f"[red]stopped early: {failure}[/red]")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "detection",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "repeat": args.repeat,
            "prometheus_for": args.prometheus_for,
            "detect_timeout_s": args.detect_timeout,
            "recover_timeout_s": args.recover_timeout,
            "settle_s": args.settle,
            "fresh_processes_per_repeat": not args.reuse,
            "only": args.only,
            "outage": "nginx reloaded to answer 503 on /health (T0 = reload done)",
            "golive": "every 1s, timeout 1s, fail_after 2, expect status == 200, "
            "severity critical, json:// channel, group_wait 0s",
            "prometheus": "scrape_interval 1s, evaluation_interval 1s, "
            f"probe_success == 0 for {args.prometheus_for}; alertmanager group_wait 0s, "
            "group_interval 1s; blackbox http_2xx timeout 1s",
        },
        "machine": {
            "nproc": os.cpu_count(),
            "python": sys.version.split()[0],
            **{
                name: version(path)
                for name in BINARIES
                if use_prometheus and (path := binary(name)) is not None
            },
        },
        "golive_status": golive_status,
        "repeats": [asdict(r) | {"ratio": r.ratio} for r in repeats],
        "summary": {"golive": g_sum, "prometheus": p_sum, "ratio_of_medians": ratio},
        "golive_serve_log_tail": golive_log,
        "failure": failure,
        "elapsed_s": time.monotonic() - started,
    }
    args.json.write_text(json.dumps(jsonable(document), indent=2) + "\n")
    out.print(f"figures written to {args.json}")
    return 1 if failure else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        err.print(f"[red]bench failed:[/red] {exc}")
        sys.exit(1)
