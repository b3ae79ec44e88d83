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

# What `golive validate` (a pre-commit hook's command) must not load: the other commands'
# modules, Rich's help and traceback rendering, and the async runtime the probes use.
NOT_FOR_VALIDATE = {
    "asyncio",
    "markdown_it",
    "rich.markdown",
    "rich.pretty",
    "rich.syntax",
    "rich.traceback",
    "typer.rich_utils",
}

# Runs CODE with ARGS in a fresh interpreter, then prints the modules it imported (with
# FULL, every dotted name; otherwise the top-level packages).
RUNNER = """
import json, sys
code, full = sys.argv[1], sys.argv[2] == "FULL"
try:
    exec(code)
except SystemExit:
    pass
finally:
    print(json.dumps(sorted({n if full else n.partition(".")[0] for n in sys.modules})))
"""


def imported(code: str, cwd: Path, *, full: bool = False) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, code, "FULL" if full else "TOP"],
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


def test_validate_imports_its_own_command_and_no_other(tmp_path: Path) -> None:
    modules = imported(cli("validate", "-c", str(PARKWISE)), tmp_path, full=True)
    commands = {m for m in modules if m.startswith("golive.cli.")}
    assert commands == {"golive.cli.common", "golive.cli.validate"}
    assert modules & NOT_FOR_VALIDATE == set()


def test_help_lists_every_command_module(tmp_path: Path) -> None:
    modules = imported(cli("--help"), tmp_path, full=True)
    assert {"golive.cli.backup", "golive.cli.incident", "golive.cli.serve"} <= modules


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


def test_the_embedded_serve_runtime_imports_no_celery(tmp_path: Path) -> None:
    config = http_config(tmp_path)
    code = (
        "from golive.clock import SystemClock\n"
        "from golive.config import load_config\n"
        "from golive.engine import open_store\n"
        "from golive.serve.runtime import ServeRuntime\n"
        f"loaded = load_config({str(config)!r}, environ={{}})\n"
        "store = open_store(loaded)\n"
        "ServeRuntime(loaded, store=store, clock=SystemClock(), environ={})\n"
        "store.close()\n"
    )
    found = imported(code, tmp_path)
    assert "golive" in found and not {"celery", "kombu", "billiard"} & found
