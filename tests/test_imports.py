"""What a command imports: client libraries are imported where they are used, so loading or
validating a config never loads a database driver, and `golive check` of HTTP checks loads
only what HTTP checks and the evidence store need. Each test runs in a fresh interpreter and
reads its ``sys.modules`` (speed itself is measured by bench/startup.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARKWISE = ROOT / "examples" / "parkwise" / "golive.yaml"
CLIENTS = {"aiohttp", "psycopg", "redis", "dns", "sqlalchemy", "apprise", "cryptography"}
DATABASE_CLIENTS = {"psycopg", "redis", "dns", "apprise"}

# Runs CODE with ARGS in a fresh interpreter, then prints the top-level packages it imported.
RUNNER = """
import json, sys
try:
    exec(sys.argv[1])
except SystemExit:
    pass
finally:
    print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def imported(code: str, cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def cli(*args: str) -> str:
    return f"sys.argv = ['golive', *{list(args)!r}]\nfrom golive.cli import main\nmain()"


def http_config(folder: Path) -> Path:
    config = folder / "golive.yaml"
    config.write_text(
        "version: 1\nproject: imports\nstore: sqlite:///golive.db\nchecks:\n"
        "  - name: closed\n    http: {url: 'http://127.0.0.1:9/health'}\n"
        "    expect: ['status == 200']\n    timeout: 1s\n"
    )
    return config


def test_loading_a_config_with_every_probe_kind_and_gate_builtin_imports_no_client_library(
    tmp_path: Path,
) -> None:
    code = (
        "from golive.config import load_config\n"
        "from golive.gate.registry import argument_models\n"
        f"loaded = load_config({str(PARKWISE)!r}, environ={{}}, gate_args=argument_models())\n"
        "assert {c.kind for c in loaded.config.checks} >= {'postgres', 'redis', 'dns', 'tls'}\n"
        "assert loaded.config.gate"
    )
    assert imported(code, tmp_path) & CLIENTS == set()


def test_validate_imports_no_client_library(tmp_path: Path) -> None:
    modules = imported(cli("validate", "-c", str(PARKWISE)), tmp_path)
    assert "golive" in modules
    assert modules & CLIENTS == set()


def test_check_of_http_checks_imports_no_database_client(tmp_path: Path) -> None:
    modules = imported(cli("check", "-c", str(http_config(tmp_path))), tmp_path)
    assert (tmp_path / "golive.db").is_file(), "the check ran and kept its evidence"
    assert {"aiohttp", "sqlalchemy"} <= modules
    assert modules & DATABASE_CLIENTS == set()


def test_the_flags_sdk_imports_no_server_dependency(tmp_path: Path) -> None:
    modules = imported(
        "from golive.flags.client import FlagClient\nfrom golive.flags import evaluate", tmp_path
    )
    assert modules & (CLIENTS | {"pydantic", "fastapi", "yaml", "typer", "rich"}) == set()
