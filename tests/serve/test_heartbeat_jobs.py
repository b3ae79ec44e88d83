"""Real pings from real processes: a cron-like job runs under `golive ping -- ...` against a
real `golive serve`, and a job still runs (with its own exit code) when golive is away."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from devkit.ports import free_port
from golive.store import history
from tests.devkit.serve import GOLIVE, Serve, states, store_of, wait_for

CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}"}}
vars:
  token: ${{env:JOB_TOKEN:-s3cret-job-token}}
checks:
  - name: nightly
    heartbeat: {{period: 1d, grace: 1h}}
    expect: ["exit_code == 0", "duration_s < 60"]
    description: "uses ${{token}}"
"""


def golive(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    """``golive ARGS -c CONFIG``, the option before a ``--`` (what follows is the job's)."""
    cut = args.index("--") if "--" in args else len(args)
    return subprocess.run(
        [*GOLIVE, *args[:cut], "-c", str(config), *args[cut:]],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GOLIVE_CONFIG": ""},
    )


def test_a_job_under_golive_ping_reports_its_runs_to_a_running_serve(
    tmp_path: Path, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, port = tmp_path / "golive.yaml", free_port()
    config.write_text(CONFIG.format(port=port))
    url = golive("heartbeat", "url", "nightly", config=config)  # before serve: it reads it
    assert url.returncode == 0, url.stderr
    serve(config, port)
    assert url.stdout.startswith(f"http://127.0.0.1:{port}/ping/nightly/")

    again = golive("heartbeat", "url", "nightly", config=config)  # shown once: only a hash kept
    assert again.returncode == 2 and "golive heartbeat rotate nightly" in again.stderr
    monkeypatch.setenv("GOLIVE_PING_URL", url.stdout.strip())  # what a crontab line sets
    job = golive("ping", "nightly", "--", "sh", "-c", "echo dumped s3cret-job-token", config=config)
    assert (job.returncode, job.stdout) == (0, "dumped s3cret-job-token\n"), job.stderr
    with store_of(config) as store:
        wait_for(lambda: states(store).get("nightly") == "up", what="nightly UP")
        run = history.evidence(store, subject="nightly", limit=1).items[0]
        assert run.values["exit_code"] == 0 and run.values["duration_s"] < 60
        assert "s3cret-job-token" not in run.values["log"] and "dumped" in run.values["log"]

        failing = golive("ping", "nightly", "--", "sh", "-c", "exit 3", config=config)
        assert failing.returncode == 3
        wait_for(lambda: states(store).get("nightly") == "down", what="nightly DOWN")

    bare = golive("ping", "nightly", config=config)  # a run that ended well, from a script
    assert bare.returncode == 0, bare.stderr
    with store_of(config) as store:
        wait_for(lambda: states(store).get("nightly") == "up", what="nightly UP again")


def test_a_job_runs_and_keeps_its_exit_code_when_golive_is_away(tmp_path: Path) -> None:
    config, port = tmp_path / "golive.yaml", free_port()
    config.write_text(CONFIG.format(port=port))  # nothing listens there
    url = f"--url=http://127.0.0.1:{port}/ping/nightly/s3cret"
    job = golive("ping", "nightly", url, "--", "sh", "-c", "echo ran; exit 4", config=config)
    assert job.returncode == 4
    assert job.stdout == "ran\n"
    assert "warning: golive ping nightly: golive cannot be reached" in job.stderr
    unreported = golive("ping", "nightly", "--", "sh", "-c", "echo ran; exit 5", config=config)
    assert (unreported.returncode, unreported.stdout) == (5, "ran\n")
    assert "no ping URL for nightly" in unreported.stderr
    missing = golive("ping", "nightly", "--", "no-such-program-here", config=config)
    assert missing.returncode == 127
    assert "Traceback" not in missing.stderr


def test_golive_ping_refuses_a_check_that_is_not_a_heartbeat(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text(CONFIG.format(port=free_port()))
    refused = golive("ping", "nightli", config=config)
    assert refused.returncode == 2
    assert "no heartbeat check named 'nightli'; did you mean 'nightly'?" in refused.stderr
