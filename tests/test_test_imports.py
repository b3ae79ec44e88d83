"""Test modules do not import each other: shared helpers live in conftest.py or tests/devkit/."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def module_name(path: Path) -> str:
    """``tests/web/test_login.py`` -> ``tests.web.test_login`` (a package -> its name)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, source: str) -> list[tuple[int, str]]:
    """(line, module) for every import of a ``tests`` module, relative ones resolved.

    ``from tests.x import y`` names ``tests.x.y`` when that is a module of its own."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                as_module = ROOT / Path(*sub.split("."))
                is_module = as_module.with_suffix(".py").is_file() or as_module.is_dir()
                found.append((node.lineno, sub if is_module else base))
    return [(line, name) for line, name in found if name == "tests" or name.startswith("tests.")]


def allowed(module: str) -> bool:
    """A conftest, or a helper module in ``tests/devkit/`` that is not a test module."""
    parts = module.split(".")
    if parts[-1] == "conftest":
        return True
    return parts[:2] == ["tests", "devkit"] and len(parts) > 2 and not parts[-1].startswith("test_")


def forbidden_imports(path: Path, source: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for line, name in imported_modules(path, source)
        if not allowed(name)
    ]


def test_no_test_module_imports_another_test_module_or_a_stray_helper() -> None:
    problems = [
        problem
        for path in sorted(TESTS.rglob("*.py"))
        if "vendor" not in path.parts
        for problem in forbidden_imports(path, path.read_text())
    ]
    assert problems == [], "move shared helpers to tests/devkit/ or a conftest:\n" + "\n".join(
        problems
    )


def test_the_check_finds_imports_of_test_modules_and_helpers_outside_devkit() -> None:
    here = TESTS / "web" / "test_example.py"
    source = """
from tests.web.test_login import log_in
from .test_status_page import make_private
from . import test_dashboard
import tests.alerts.alerts_helpers
from tests.web import web_helpers
from tests.devkit.web import FakeRuntime
from tests.devkit import web
from tests.web.conftest import SECRET_URL
from devkit.ports import free_port
"""
    assert forbidden_imports(here, source) == [
        "tests/web/test_example.py:2 imports tests.web.test_login",
        "tests/web/test_example.py:3 imports tests.web.test_status_page",
        "tests/web/test_example.py:4 imports tests.web.test_dashboard",
        "tests/web/test_example.py:5 imports tests.alerts.alerts_helpers",
        "tests/web/test_example.py:6 imports tests.web",
    ]
