"""``env`` with a given environment: missing, short, forbidden and weak values are reported by
name and by fact, and no value ever reaches the reason or the evidence."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins import env
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.env import EnvArgs, run, shannon_bits_per_char
from golive.gate.registry import builtin_checks

STRONG = secrets.token_urlsafe(48)
SPEC = {
    "required": ["DATABASE_URL", "SECRET_KEY"],
    "min_length": {"SECRET_KEY": 32},
    "forbid": {"DEBUG": ["1", "true", "True"]},
}


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text("version: 1\nproject: shop\n")
    return path


async def check(config_path: Path, environ: dict[str, str], **args: Any) -> Finding:
    loaded = load_config(config_path, environ={})
    ctx = Context(clock=SystemClock(), loaded=loaded, environ=environ)
    return await run(EnvArgs(**{**SPEC, **args}), ctx)


def shown(finding: Finding) -> str:
    return finding.reason + json.dumps(finding.evidence) + " ".join(finding.warnings)


def production(**overrides: str) -> dict[str, str]:
    database = f"postgresql://parkwise:{secrets.token_urlsafe(24)}@db.internal:5432/parkwise"
    return {"DATABASE_URL": database, "SECRET_KEY": STRONG, "DEBUG": "false", **overrides}


async def test_a_complete_safe_environment_passes(config_path: Path) -> None:
    finding = await check(config_path, production())

    assert finding.ok, finding.reason
    assert finding.reason == "3 variables checked: all set, long enough, none forbidden or weak"
    assert finding.evidence["checked"] == ["DATABASE_URL", "SECRET_KEY", "DEBUG"]
    assert finding.evidence["missing"] == []


async def test_a_missing_required_variable_fails_by_name(config_path: Path) -> None:
    environ = production()
    del environ["DATABASE_URL"]

    finding = await check(config_path, {**environ, "SECRET_KEY": ""})

    assert not finding.ok
    assert finding.reason == "DATABASE_URL is not set; SECRET_KEY is set but empty"
    assert finding.evidence["missing"] == ["DATABASE_URL", "SECRET_KEY"]


async def test_a_secret_shorter_than_its_min_length_fails_with_both_lengths(
    config_path: Path,
) -> None:
    short = secrets.token_hex(6)  # 12 characters

    finding = await check(config_path, production(SECRET_KEY=short))

    assert not finding.ok
    assert "SECRET_KEY is 12 characters, needs 32" in finding.reason
    assert finding.evidence["too_short"] == {"SECRET_KEY": {"length": 12, "min_length": 32}}
    assert short not in shown(finding)


async def test_a_forbidden_value_fails_without_saying_which(config_path: Path) -> None:
    finding = await check(config_path, production(DEBUG="True"))

    assert not finding.ok
    assert finding.reason == "DEBUG is set to a forbidden value"
    assert finding.evidence["forbidden"] == ["DEBUG"]


async def test_an_allowed_value_of_a_forbid_variable_passes(config_path: Path) -> None:
    finding = await check(config_path, production(DEBUG="0"))

    assert finding.ok, finding.reason


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "your-secret-key",
        "123456",
        "password",
        f"django-insecure-{secrets.token_urlsafe(40)}",
        f"CHANGE_ME_{secrets.token_hex(20)}",
    ],
    # fixed ids: random values in ids differ between xdist workers, which then refuse to run
    ids=["changeme", "your-secret-key", "123456", "password", "django-insecure", "CHANGE_ME"],
)
async def test_a_known_default_secret_fails_whatever_its_length(
    config_path: Path, value: str
) -> None:
    finding = await check(config_path, production(SECRET_KEY=value), min_length={})

    assert not finding.ok
    assert finding.reason == "SECRET_KEY is a known default or placeholder value"
    assert finding.evidence["weak"] == {"SECRET_KEY": ["is a known default or placeholder value"]}
    assert value not in shown(finding)


async def test_a_long_secret_of_few_distinct_characters_fails_for_low_entropy(
    config_path: Path,
) -> None:
    repetitive = "ab" * 24

    finding = await check(config_path, production(SECRET_KEY=repetitive))

    assert not finding.ok
    assert finding.reason == (
        "SECRET_KEY has low entropy: 1.0 bits per character (needs 3); it repeats few characters"
    )
    assert repetitive not in shown(finding)


async def test_a_short_token_without_min_length_is_judged_by_the_secret_defaults(
    config_path: Path,
) -> None:
    token = "k7Qx2Lm9"  # 8 distinct characters: 3 bits each, 24 in all

    finding = await check(config_path, {"API_TOKEN": token}, required=["API_TOKEN"])

    assert not finding.ok
    assert "API_TOKEN is 8 characters, a secret needs at least 16" in finding.reason
    assert "API_TOKEN has low entropy: about 24 bits in all (needs 64)" in finding.reason
    assert token not in shown(finding)


async def test_a_database_url_with_a_default_password_fails(config_path: Path) -> None:
    url = "postgresql://parkwise:changeme@db.internal:5432/parkwise"

    finding = await check(config_path, production(DATABASE_URL=url))

    assert not finding.ok
    assert finding.reason == "DATABASE_URL holds a URL whose password is a known default"
    assert "changeme" not in shown(finding)


async def test_variables_not_named_like_secrets_are_not_judged_for_entropy(
    config_path: Path,
) -> None:
    finding = await check(config_path, {"APP_ENV": "prod"}, required=["APP_ENV"])

    assert finding.ok, finding.reason


async def test_weak_false_still_checks_presence_length_and_forbidden_values(
    config_path: Path,
) -> None:
    lax = await check(config_path, production(SECRET_KEY="changeme" * 4), weak=False)
    short = await check(config_path, production(SECRET_KEY="changeme"), weak=False)

    assert lax.ok, lax.reason
    assert not short.ok
    assert short.reason == "SECRET_KEY is 8 characters, needs 32"


async def test_no_value_ever_reaches_the_finding(config_path: Path) -> None:
    environ = {
        "DATABASE_URL": "postgresql://app:letmein@db/app",
        "SECRET_KEY": "django-insecure-0123456789abcdef",
        "API_TOKEN": "tok3n",
        "DEBUG": "true",
    }

    finding = await check(config_path, environ, required=[*SPEC["required"], "API_TOKEN"])

    assert not finding.ok
    for value in [*environ.values(), "letmein"]:
        assert value not in shown(finding)


def test_shannon_entropy_counts_bits_per_character() -> None:
    assert shannon_bits_per_char("") == 0.0
    assert shannon_bits_per_char("aaaa") == 0.0
    assert shannon_bits_per_char("abab") == 1.0
    assert shannon_bits_per_char("0123456789abcdef") == 4.0


def test_it_is_registered_as_env() -> None:
    assert builtin_checks()["env"] is env.BUILTIN
