"""Helpers for config tests: write a config file and load it with a given environment."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from golive.config import LoadedConfig, load_config
from golive.exceptions import ConfigError
from golive.gate.registry import argument_models

MINIMAL = """\
version: 1
project: shop
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    def write_config(text: str) -> Path:
        path = tmp_path / "golive.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write_config


@pytest.fixture
def load(write: Callable[[str], Path]) -> Callable[..., LoadedConfig]:
    def load_text(
        text: str, environ: Mapping[str, str] | None = None, env: str | None = None
    ) -> LoadedConfig:
        return load_config(write(text), environ=environ or {}, env=env, gate_args=argument_models())

    return load_text


@pytest.fixture
def errors(write: Callable[[str], Path]) -> Callable[..., list[str]]:
    """The issues of an invalid config, as ``LINE:COL: message`` strings."""

    def errors_of(
        text: str, environ: Mapping[str, str] | None = None, env: str | None = None
    ) -> list[str]:
        path = write(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path, environ=environ or {}, env=env, gate_args=argument_models())
        result = []
        for issue in caught.value.issues:
            assert issue.location is not None, issue
            assert issue.location.file == path
            result.append(f"{issue.location.line}:{issue.location.column}: {issue.message}")
        return result

    return errors_of
