"""examples/guides: each guide's raw import is what the importer writes today, and each
hand-completed config validates with an empty environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import load_config
from golive.gate.registry import argument_models
from golive.guides import import_guide

EXAMPLES = Path(__file__).parents[2] / "examples" / "guides"
GUIDES = sorted(EXAMPLES.glob("[0-9][0-9]-*.md"))
SEEDS = Path(__file__).parents[3] / "shared" / "seeds"


def test_there_are_five_guides() -> None:
    assert [g.stem for g in GUIDES] == [
        "01-stamford-parking",
        "02-parkme-django",
        "03-laser-calculator-plan",
        "04-dealerscope",
        "05-booking-portal",
    ]


def test_each_guide_is_a_seed_unchanged() -> None:
    assert SEEDS.is_dir(), f"the seed guides belong beside the repository, at {SEEDS}"
    seeds = {p.read_bytes() for p in SEEDS.glob("*.txt")}
    assert all(g.read_bytes() in seeds for g in GUIDES)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_the_imported_yaml_is_what_the_importer_writes_now(guide: Path) -> None:
    imported = guide.with_name(f"{guide.stem}.imported.yaml")
    assert imported.read_text(encoding="utf-8") == import_guide(guide).yaml, (
        "run: .venv/bin/python examples/guides/regenerate.py"
    )


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
@pytest.mark.parametrize("env", [None, "production"])
def test_the_completed_config_validates(guide: Path, env: str | None) -> None:
    completed = guide.with_name(f"{guide.stem}.golive.yaml")
    loaded = load_config(completed, environ={}, env=env, gate_args=argument_models())
    assert loaded.config.gate
    assert "TODO" not in completed.read_text(encoding="utf-8")


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.stem)
def test_the_completed_config_keeps_every_imported_item(guide: Path) -> None:
    imported = {line.name for line in import_guide(guide).report.lines}
    completed = load_config(
        guide.with_name(f"{guide.stem}.golive.yaml"), environ={}, gate_args=argument_models()
    ).config
    assert imported <= {item.name for item in completed.gate}
