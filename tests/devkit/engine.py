"""Helpers of the engine tests: a configuration written from a few checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

from golive.config import LoadedConfig, load_config


def config(tmp_path: Path, checks: str, environ: dict[str, str] | None = None) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\ncomponents: [{name: API}]\nchecks:\n"
        + textwrap.indent(textwrap.dedent(checks), "  ")
    )
    return load_config(path, environ=environ or {})
