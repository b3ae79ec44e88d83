"""golive's own server passes golive's own gate: security headers grade A or better over HTTPS,
and its API is rate limited with standard headers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devkit.ports import free_port, wait_for_port
from devkit.process import terminate
from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins.base import Context
from golive.gate.builtins.rate_limit import RateLimitArgs
from golive.gate.builtins.rate_limit import run as rate_limit
from golive.gate.builtins.security_headers import SecurityHeadersArgs
from golive.gate.builtins.security_headers import run as security_headers

if TYPE_CHECKING:
    from devkit.pytest_plugin import CertFactory


@pytest.fixture
def golive_https(tmp_path: Path, cert_factory: CertFactory) -> Iterator[tuple[str, Path, Context]]:
    ca = cert_factory.ca()
    cert = cert_factory("golive", hostnames=("localhost", "127.0.0.1"), ca=ca)
    port = free_port()
    config = tmp_path / "golive.yaml"
    config.write_text(
        "version: 1\nproject: shop\n"
        f'server: {{listen: "127.0.0.1:{port}", tls: {{cert: "{cert.chain_path}", key: "{cert.key_path}"}}}}\n'
        "checks:\n  - {name: shell, command: {run: 'true'}}\n"
    )
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "golive", "serve", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        wait_for_port(port, timeout=30, proc=server, log=tmp_path / "serve.log")
        context = Context(clock=SystemClock(), loaded=load_config(config, environ={}), environ={})
        yield f"https://127.0.0.1:{port}", ca.cert_path, context
    finally:
        terminate(server)  # SIGTERM, then SIGKILL if it does not stop


async def test_golive_serve_gets_grade_a_or_better_for_its_security_headers(
    golive_https: tuple[str, Path, Context],
) -> None:
    base, ca_file, context = golive_https
    args = SecurityHeadersArgs(url=f"{base}/healthz", min_grade="A", ca_file=str(ca_file))
    finding = await security_headers(args, context)
    assert finding.ok, finding.reason
    assert finding.evidence["grade"] in ("A+", "A")


async def test_golive_serve_rate_limits_its_api_with_standard_headers(
    golive_https: tuple[str, Path, Context],
) -> None:
    base, ca_file, context = golive_https
    args = RateLimitArgs(
        url=f"{base}/api/checks", requests=100, within=timedelta(seconds=5), ca_file=str(ca_file)
    )
    finding = await rate_limit(args, context)
    assert finding.ok, finding.reason
    assert finding.evidence["statuses"].get("429", 0) >= 1
