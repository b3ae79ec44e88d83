"""`golive worker` refuses what cannot work, in one line each, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from devkit.ports import free_port
from golive.cli import app

runner = CliRunner()
CONFIG = """\
version: 1
project: shop
{store}
workers: {{broker: "redis://127.0.0.1:{port}/0", regions: [a, b]}}
checks:
  - name: site
    http: {{url: "http://127.0.0.1:1/"}}
"""


def worker(tmp_path: Path, *args: str, store: str = "", port: int = 1) -> tuple[int, str]:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG.format(store=store, port=port))
    result = runner.invoke(app, ["worker", "-c", str(path), *args], env={})
    return result.exit_code, result.output


def test_it_refuses_a_region_not_in_the_config(tmp_path: Path) -> None:
    code, output = worker(tmp_path, "--region", "c")
    assert code == 2
    assert "--region c is not one of workers.regions" in output and "(a, b)" in output


def test_it_refuses_a_sqlite_store(tmp_path: Path) -> None:
    code, output = worker(tmp_path, "--region", "a")
    assert code == 2
    assert "workers: need a shared PostgreSQL store" in output
    assert "Traceback" not in output


def test_it_says_when_the_broker_cannot_be_reached(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    postgres = request.getfixturevalue("postgres_server")
    url = postgres.create_database(f"worker_cli_{abs(hash(tmp_path)) % 10**8}")
    code, output = worker(tmp_path, "--region", "a", store=f'store: "{url}"', port=free_port())
    assert code == 1
    assert "cannot reach the broker 127.0.0.1:" in output and "(workers.broker)" in output
    assert "Traceback" not in output
