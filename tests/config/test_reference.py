"""The reference config is the contract: it must load unchanged."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from golive.config import load_config
from golive.gate.registry import argument_models

REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.is_file():  # the spec lives beside the repository, as in CI
        pytest.fail(f"reference config missing at {REFERENCE}")
    return REFERENCE


def test_the_reference_config_loads_with_its_defaults(reference: Path) -> None:
    loaded = load_config(reference, environ={}, gate_args=argument_models())
    config = loaded.config
    assert loaded.environment == "staging"
    assert config.project == "parkwise"
    assert [c.name for c in config.checks][:3] == ["api-health", "list-facilities", "postgres"]
    assert config.check("api-health").kind == "http"
    assert config.check("api-health").every == timedelta(seconds=30)
    assert config.slos[0].objective == pytest.approx(0.999)
    assert config.loadtests[0].rate == 200
    assert config.loadtests[0].error_rate == pytest.approx(0.001)
    assert config.rollouts[0].analysis.max_error_rate == pytest.approx(0.01)
    assert config.flags[1].rollout == pytest.approx(0.25)


def test_the_production_environment_overrides_vars(reference: Path) -> None:
    loaded = load_config(reference, environ={}, env="production", gate_args=argument_models())
    assert loaded.environment == "production"
    assert loaded.config.check("api-health").spec.url == "https://parkwise.example/health"  # type: ignore[attr-defined]


def test_golive_env_chooses_the_environment(reference: Path) -> None:
    loaded = load_config(
        reference, environ={"GOLIVE_ENV": "production"}, gate_args=argument_models()
    )
    assert loaded.environment == "production"


def test_env_values_in_dsns_are_secrets(reference: Path) -> None:
    loaded = load_config(
        reference,
        environ={"DATABASE_URL": "postgresql://app:s3cr3t-pw@db/parkwise"},
        gate_args=argument_models(),
    )
    text = "connecting with postgresql://app:s3cr3t-pw@db/parkwise failed; pw s3cr3t-pw"
    redacted = loaded.secrets.redact(text)
    assert "s3cr3t-pw" not in redacted
    assert "postgresql://db/***" in redacted


def test_loading_a_config_imports_no_gate(reference: Path) -> None:
    """The gate's argument models are injected: the config layer never imports the gate."""
    code = (
        "import sys\nfrom golive.config import load_config\nfrom golive.exceptions import"
        f" ConfigError\ntry:\n    load_config({str(reference)!r}, environ={{}})\n"
        "except ConfigError as exc:  # its run: items name built-ins it was not given\n"
        "    assert 'unknown built-in' in str(exc.issues[0])\n"
        "print(sorted(m for m in sys.modules if m.startswith('golive.gate')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
