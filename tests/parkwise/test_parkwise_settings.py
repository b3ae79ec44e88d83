from __future__ import annotations

from pathlib import Path

import pytest
from parkwise.settings import RateLimit, Settings, SettingsError


def test_defaults_need_no_environment_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.version == "1.0.0"
    assert settings.db_kind == "sqlite"
    assert settings.sqlite_path == tmp_path / "parkwise.db"
    assert settings.redis_url is None
    assert settings.error_rate == 0.0
    assert settings.latency_ms == 0.0
    assert settings.security_headers is False
    assert settings.rate_limit is None
    assert settings.debug is False
    assert len(settings.secret_key) >= 32  # generated per process when unset


def test_every_variable_is_read_and_typed(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PARKWISE_DATABASE_URL": "postgresql://app:pw@db:5432/parkwise",
            "PARKWISE_DATA_DIR": str(tmp_path),
            "PARKWISE_REDIS_URL": "redis://cache:6379/1",
            "PARKWISE_HOST": "0.0.0.0",
            "PARKWISE_PORT": "9001",
            "PARKWISE_VERSION": "2.3.4",
            "PARKWISE_ERROR_RATE": "0.25",
            "PARKWISE_LATENCY_MS": "150",
            "PARKWISE_LATENCY_MIX": "50:80,300:20",
            "PARKWISE_SEED": "42",
            "PARKWISE_SECURITY_HEADERS": "on",
            "PARKWISE_RATE_LIMIT": "100/10s",
            "PARKWISE_SECRET_KEY": "s" * 40,
            "PARKWISE_DEBUG": "true",
        }
    )
    assert settings.db_kind == "postgresql"
    assert settings.database_url == "postgresql://app:pw@db:5432/parkwise"
    assert settings.redis_url == "redis://cache:6379/1"
    assert (settings.host, settings.port, settings.version) == ("0.0.0.0", 9001, "2.3.4")
    assert (settings.error_rate, settings.latency_ms, settings.seed) == (0.25, 150.0, 42)
    assert settings.latency_mix == ((50.0, 80.0), (300.0, 20.0))
    assert settings.security_headers is True
    assert settings.rate_limit == RateLimit(limit=100, window_seconds=10.0)
    assert settings.secret_key == "s" * 40
    assert settings.debug is True


def test_secrets_do_not_appear_in_the_settings_repr() -> None:
    settings = Settings.from_env(
        {"PARKWISE_DATABASE_URL": "postgresql://u:hunter2@db/x", "PARKWISE_SECRET_KEY": "k" * 20}
    )
    assert "hunter2" not in repr(settings)
    assert "k" * 20 not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PARKWISE_PORT", "eighty"),
        ("PARKWISE_PORT", "0"),
        ("PARKWISE_PORT", "70000"),
        ("PARKWISE_ERROR_RATE", "1.5"),
        ("PARKWISE_ERROR_RATE", "-0.1"),
        ("PARKWISE_ERROR_RATE", "nan"),
        ("PARKWISE_LATENCY_MS", "-5"),
        ("PARKWISE_LATENCY_MS", "slow"),
        ("PARKWISE_LATENCY_MIX", "50"),
        ("PARKWISE_LATENCY_MIX", "50:0"),
        ("PARKWISE_LATENCY_MIX", "-1:10"),
        ("PARKWISE_SEED", "abc"),
        ("PARKWISE_SECURITY_HEADERS", "maybe"),
        ("PARKWISE_DEBUG", "2"),
        ("PARKWISE_RATE_LIMIT", "lots"),
        ("PARKWISE_RATE_LIMIT", "0/10s"),
        ("PARKWISE_RATE_LIMIT", "10/10y"),
        ("PARKWISE_DATABASE_URL", "mysql://db/parkwise"),
        ("PARKWISE_DATABASE_URL", "postgresql://"),
        ("PARKWISE_REDIS_URL", "http://cache:6379"),
        ("PARKWISE_SECRET_KEY", "short"),
    ],
)
def test_a_bad_value_fails_loudly_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    with pytest.raises(SettingsError, match="PARKWISE_DATA_DIR"):
        Settings.from_env({"PARKWISE_DATA_DIR": str(not_a_dir)})


@pytest.mark.parametrize(
    ("text", "limit", "window"),
    [("100/10s", 100, 10.0), ("5/s", 5, 1.0), ("1000/1m", 1000, 60.0), ("60/min", 60, 60.0)],
)
def test_rate_limits_are_written_as_count_per_window(text: str, limit: int, window: float) -> None:
    assert RateLimit.parse(text) == RateLimit(limit=limit, window_seconds=window)


@pytest.mark.parametrize("value", ["", "off", "0", "false"])
def test_rate_limiting_is_off_unless_configured(value: str) -> None:
    assert Settings.from_env({"PARKWISE_RATE_LIMIT": value}).rate_limit is None
