"""Values of the config language: interpolation, durations, percentages, secrets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from golive.config import LoadedConfig
from golive.config.units import parse_duration, parse_percent, parse_rate

Load = Callable[..., LoadedConfig]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30),
        ("5m", 300),
        ("6h", 21600),
        ("30d", 2592000),
        ("1w", 604800),
        ("1h30m", 5400),
        (45, 45),
    ],
)
def test_durations_read_as_written(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("text", "fraction"), [("99.9%", 0.999), (0.999, 0.999), ("100%", 1.0), ("0.1%", 0.001)]
)
def test_percentages_become_fractions(text: str | float, fraction: float) -> None:
    assert parse_percent(text) == pytest.approx(fraction)


def test_a_bare_number_above_one_is_not_a_percentage() -> None:
    with pytest.raises(ValueError, match=r"write 99\.9% instead"):
        parse_percent(99.9)


def test_rates_are_per_second() -> None:
    assert parse_rate("200/s") == 200
    assert parse_rate("600/m") == 10


def test_variables_env_and_defaults_are_interpolated(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        vars: {host: 127.0.0.1, port: 8080}
        checks:
          - name: web
            http: {url: "http://${host}:${port}/${env:HEALTH_PATH:-health}"}
          - name: raw
            tcp: {host: "${host}", port: "${port}"}
          - name: literal
            command: {run: "echo $${HOME}"}
        """,
        environ={},
    )
    assert loaded.config.check("web").spec.url == "http://127.0.0.1:8080/health"  # type: ignore[attr-defined]
    assert loaded.config.check("raw").spec.port == 8080  # type: ignore[attr-defined]
    assert loaded.config.check("literal").spec.run == "echo ${HOME}"  # type: ignore[attr-defined]


def test_values_from_env_in_a_url_are_secret_but_plain_urls_are_not(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        checks:
          - name: hook
            http: {url: "${env:HOOK_URL}"}
          - name: plain
            http: {url: "http://127.0.0.1:8000/health"}
        """,
        environ={"HOOK_URL": "https://hooks.example/T000/B000/XXXXSECRET"},
    )
    assert loaded.secrets.redact("posting to https://hooks.example/T000/B000/XXXXSECRET") == (
        "posting to https://hooks.example/***"
    )
    assert loaded.secrets.redact("http://127.0.0.1:8000/health") == "http://127.0.0.1:8000/health"


def test_fields_named_like_secrets_are_secret(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        checks:
          - name: api
            http:
              url: "http://127.0.0.1:8000/"
              headers: {X-Api-Key: "k-123456789", Authorization: "Bearer abcdefgh"}
        """
    )
    assert loaded.secrets.redact("sent k-123456789 and Bearer abcdefgh") == "sent *** and ***"


def test_passwords_inside_urls_are_always_masked(load: Load) -> None:
    loaded = load("version: 1\nproject: shop\n")
    assert (
        loaded.secrets.redact("mailto://golive:secret@127.0.0.1:2525")
        == "mailto://golive:***@127.0.0.1:2525"
    )


def test_relative_paths_are_beside_the_config_file(load: Load) -> None:
    loaded = load("version: 1\nproject: shop\n")
    assert loaded.relative("runbooks/x.md") == loaded.path.parent / "runbooks" / "x.md"


def test_default_expectations_come_from_the_probe_kind(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        checks:
          - {name: web, http: {url: "http://127.0.0.1/"}}
        """
    )
    assert [e.source for e in loaded.expectations["web"]] == ["status < 400"]


def test_an_env_origin_locates_but_hides_nothing_while_an_env_token_is_hidden(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        vars: {base_url: "${env:APP_URL}"}
        checks:
          - name: web
            http: {url: "${base_url}/health"}
          - name: hook
            http: {url: "https://hooks.example/services/${env:HOOK_TOKEN}"}
        """,
        environ={"APP_URL": "http://127.0.0.1:8000", "HOOK_TOKEN": "T0/B0/abcdef"},
    )
    assert (
        loaded.secrets.redact("GET http://127.0.0.1:8000/health")
        == "GET http://127.0.0.1:8000/health"
    )
    assert (
        loaded.secrets.redact("https://hooks.example/services/T0/B0/abcdef")
        == "https://hooks.example/services/***"
    )


def test_an_env_default_may_hold_references(load: Load) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        vars: {host: 127.0.0.1}
        checks:
          - name: web
            http: {url: "${env:APP_URL:-http://${host}:8000}/health"}
        """
    )
    assert loaded.config.check("web").spec.url == "http://127.0.0.1:8000/health"  # type: ignore[attr-defined]
