"""Imports only point down the layers of ARCHITECTURE.md, and the bottom layers stay light.

Every module under ``src/golive`` is parsed (imports inside functions and ``TYPE_CHECKING``
blocks count too: a lazy import up the layers is still a cycle in the design).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "golive"

# Bottom to top; a package may import its own layer and the ones below it.
LAYERS: tuple[frozenset[str], ...] = (
    # "" is the root package (golive/__init__.py: the version only)
    # integrations go into users' apps: they import nothing of golive (checked below)
    frozenset({"", "records", "clock", "exceptions", "settings", "junit", "integrations"}),
    frozenset({"config", "probes", "metrics"}),
    frozenset({"store"}),
    frozenset(
        {
            "accounts",
            "engine",
            "alerts",
            "notify",
            "slo",
            "incidents",
            "gate",
            "guides",
            "loadtest",
            "rollout",
            "backup",
            "migrate",
            "flags",
            "scale",  # leader leases over the store; serve and workers use them
        }
    ),
    # serve is the composition root of `golive serve`: it wires the web app, so web sits below.
    frozenset({"web"}),
    frozenset({"serve", "workers"}),
    frozenset({"cli", "__main__"}),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}

# The records layer depends on nothing above clock / exceptions.
RECORDS_MAY_IMPORT = {"records", "clock", "exceptions"}

HEAVY = ("sqlalchemy", "aiohttp", "psycopg")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. golive.store.history
    target: str  # the imported module, e.g. golive.records
    line: int

    @property
    def source(self) -> str:
        return top_package(self.module)

    @property
    def destination(self) -> str:
        return top_package(self.target)


def top_package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> str:
    parts = ("golive", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, module: str | None = None) -> list[Import]:
    """The golive imports in ``path``; ``module`` names a file outside the source tree."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from golive import junit` imports the module golive.junit
            targets = [base] if base != "golive" else [golive_member(a.name) for a in node.names]
        else:
            continue
        found.extend(
            Import(module, target, node.lineno)
            for target in targets
            if target == "golive" or target.startswith("golive.")
        )
    return found


def golive_member(name: str) -> str:
    """``golive.NAME`` when NAME is a module or package, else the root package itself."""
    is_module = (SRC / f"{name}.py").is_file() or (SRC / name).is_dir()
    return f"golive.{name}" if is_module else "golive"


def all_imports() -> list[Import]:
    return [found for path in sorted(SRC.rglob("*.py")) for found in imports_of(path)]


def test_every_package_has_a_layer() -> None:
    packages = {
        module_name(path).split(".")[1]
        for path in SRC.rglob("*.py")
        if path.parent != SRC or path.name != "__init__.py"
    }
    assert not packages - RANK.keys(), "add the new package to LAYERS (and ARCHITECTURE.md)"


def test_no_import_points_up_a_layer() -> None:
    upward = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if RANK[found.destination] > RANK[found.source]
    ]
    assert not upward, "imports point up the layers:\n" + "\n".join(upward)


def test_records_import_nothing_from_golive_but_clock_and_exceptions() -> None:
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if found.source == "records" and found.destination not in RECORDS_MAY_IMPORT
    ]
    assert not wrong


def test_integrations_import_nothing_from_golive_but_themselves() -> None:
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if found.source == "integrations" and found.destination != "integrations"
    ]
    assert not wrong, "golive.integrations runs inside users' apps:\n" + "\n".join(wrong)
    assert any(found.source == "integrations" for found in all_imports())  # they were read


def test_the_store_reads_and_writes_records_not_domain_classes() -> None:
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in all_imports()
        if found.source == "store"
        and found.destination not in {"store", "records", "exceptions", "settings", "clock"}
    ]
    assert not wrong


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def later():\n    from golive.store import Store\n")
    (found,) = imports_of(bad, "golive.records.bad")
    assert (found.source, found.destination, found.line) == ("records", "store", 2)
    assert RANK[found.destination] > RANK[found.source]


@pytest.mark.parametrize("module", ["golive.records", "golive.engine.state", "golive.clock"])
def test_importing_a_pure_module_loads_no_database_or_http_client(module: str) -> None:
    code = (
        f"import json, sys, {module}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []


def test_the_store_keeps_no_password_policy() -> None:
    hashing = [
        f"{path.name}:{node.lineno}"
        for path in sorted((SRC / "store").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        and any(
            name.split(".")[0] == "argon2"
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        )
    ]
    assert not hashing, "password hashing belongs to golive.accounts"
