"""Reading YAML fast changes nothing it reads: types, merge keys, positions, the collector."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

from golive.config import LoadedConfig
from golive.config.source import parse_yaml
from golive.exceptions import ConfigError

FILE = Path("golive.yaml")


def test_a_value_written_plain_and_quoted_keeps_each_type() -> None:
    text = 'a: yes\nb: "yes"\nc: 5\nd: "5"\ne: ~\nf: 1.5\ng: 2026-01-02\nh: yes\n'
    data, _ = parse_yaml(text, FILE)
    assert data == {
        "a": True,
        "b": "yes",
        "c": 5,
        "d": "5",
        "e": None,
        "f": 1.5,
        "g": __import__("datetime").date(2026, 1, 2),
        "h": True,
    }


def test_keys_that_are_not_strings_become_strings() -> None:
    data, positions = parse_yaml("1: one\ntrue: yes\n", FILE)
    assert data == {"1": "one", "True": True}
    assert str(positions.key(("True",))) == "golive.yaml:2:1"


def test_merge_keys_apply_and_a_written_key_wins() -> None:
    text = "base: &b {every: 30s, timeout: 5s}\ncheck:\n  <<: *b\n  timeout: 2s\n"
    data, positions = parse_yaml(text, FILE)
    assert data["check"] == {"every": "30s", "timeout": "2s"}
    assert str(positions.value(("check", "timeout"))) == "golive.yaml:4:12"
    assert str(positions.key(("check", "timeout"))) == "golive.yaml:4:3"


def test_a_position_is_the_nearest_written_ancestor() -> None:
    _, positions = parse_yaml("checks:\n  - name: web\n", FILE)
    assert str(positions.value(("checks", 0, "timeout"))) == "golive.yaml:2:5"
    assert positions.key(("nothing",)) is not None


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        parse_yaml("a: [1, 2]\n", FILE)
        assert gc.isenabled() is enabled
        with pytest.raises(ConfigError):
            parse_yaml("a: [1, 2\n", FILE)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_checks_with_the_same_expectation_share_one_compiled_expression(
    load: Callable[..., LoadedConfig],
) -> None:
    loaded = load(
        """\
        version: 1
        project: shop
        checks:
          - {name: a, http: {url: "http://127.0.0.1:1/a"}, expect: ["status == 200"]}
          - {name: b, http: {url: "http://127.0.0.1:1/b"}, expect: ["status == 200"]}
          - {name: c, tcp: {host: 127.0.0.1, port: 1}, expect: ["latency_ms < 5"]}
        """
    )
    (a,), (b,), (c,) = (loaded.expectations[name] for name in "abc")
    assert a is b
    assert c.source == "latency_ms < 5"
    assert a.evaluate({"status": 200}).ok
    assert not b.evaluate({"status": 503}).ok
