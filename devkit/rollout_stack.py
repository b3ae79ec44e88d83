"""Pieces of a rollout under test: ParkWise processes of two versions, an nginx edge whose
upstream file golive owns, a haproxy with its runtime API, both logging JSON per request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from devkit.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
LOG_FORMAT = (
    'log_format golive escape=json \'{"time":"$time_iso8601","method":"$request_method",'
    '"uri":"$uri","status":$status,"request_time":$request_time,'
    '"upstream_addr":"$upstream_addr","upstream_response_time":"$upstream_response_time",'
    '"bytes":$body_bytes_sent}\';'
)
HAPROXY_LOG = '{"status":%ST,"uri":"%HP","upstream_addr":"%si:%sp","upstream_response_ms":%Tr}'


def start_parkwise(folder: Path, version: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """One ParkWise process (SQLite in ``folder``); ``env`` sets ``PARKWISE_<KEY>``."""
    port = free_port()
    folder = folder / f"parkwise-{port}"
    folder.mkdir(parents=True)
    log = folder / "parkwise.log"
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "examples" / "parkwise"),
        "PARKWISE_DATA_DIR": str(folder),
        "PARKWISE_PORT": str(port),
        "PARKWISE_VERSION": version,
        **{f"PARKWISE_{k.upper()}": v for k, v in env.items()},
    }
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "parkwise"], env=environ, stdout=out, stderr=out
        )
    wait_for_port(port, timeout=30, proc=proc, log=log)
    return proc, f"127.0.0.1:{port}"


def edge_http(port: int, upstream_file: Path, log: Path) -> str:
    """nginx's http body: the golive log format, the owned upstream file, one proxy server."""
    return (
        f"    {LOG_FORMAT}\n    include {upstream_file};\n"
        f"    server {{\n        listen 127.0.0.1:{port};\n"
        f"        access_log {log} golive;\n"
        "        location / {\n            proxy_pass http://parkwise;\n"
        "            proxy_http_version 1.1;\n"
        '            proxy_set_header Connection "";\n        }\n    }\n'
    )


def start_haproxy(
    folder: Path, stable: list[str], new: list[str]
) -> tuple[subprocess.Popen[bytes], int, Path, Path]:
    """haproxy 2.6 with backend ``parkwise`` (new servers at weight 0): (proc, port, socket, log)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = "\n".join(
        f"    server s{i} {addr} weight {1 if addr in stable else 0}"
        for i, addr in enumerate([*stable, *new])
    )
    (folder / "haproxy.cfg").write_text(
        f"global\n    stats socket {folder}/admin.sock mode 600 level admin\n"
        "    log stdout format raw local0\n"
        "defaults\n    mode http\n    log global\n    timeout connect 2s\n"
        "    timeout client 30s\n    timeout server 30s\n"
        f"frontend edge\n    bind 127.0.0.1:{port}\n    log-format '{HAPROXY_LOG}'\n"
        "    default_backend parkwise\n"
        f"backend parkwise\n    balance roundrobin\n{servers}\n"
    )
    log = folder / "access.json.log"
    with log.open("ab") as out, (folder / "haproxy.err").open("ab") as errors:
        proc = subprocess.Popen(
            ["/usr/sbin/haproxy", "-f", str(folder / "haproxy.cfg"), "-db"],
            stdout=out,
            stderr=errors,
        )
    wait_for_port(port, timeout=15, proc=proc, log=folder / "haproxy.err")
    return proc, port, folder / "admin.sock", log
