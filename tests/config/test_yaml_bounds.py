"""What a hostile or broken YAML file cannot do: nest without end, expand aliases without end,
or be of any size. Each is a located config error, found before anything recurses on it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from golive.config.source import MAX_BYTES, load_yaml, parse_yaml
from golive.exceptions import ConfigError

# 7 levels of 9 aliases: 429 bytes that expand to 9**7 = 4.8 million values (79 s, 2.1 GB before)
BOMB = "version: 1\nproject: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(6)
)


def problem(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, Path("golive.yaml"))
    (issue,) = caught.value.issues
    return str(issue)


@pytest.mark.parametrize("levels", [101, 1_000, 20_000, 100_000])
def test_deep_nesting_is_refused_where_it_passes_the_limit(levels: int) -> None:
    text = "checks: " + "[" * levels + "]" * levels + "\n"
    assert problem(text) == "golive.yaml:1:108: collections nested deeper than 100 levels; refused"


def test_deep_block_nesting_is_refused_too() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "end\n"
    assert (
        problem(text) == "golive.yaml:101:201: collections nested deeper than 100 levels; refused"
    )


def test_a_hundred_levels_are_fine() -> None:
    data, _ = parse_yaml("a: " + "[" * 99 + "]" * 99 + "\n", Path("x"))
    assert isinstance(data["a"], list)


def test_an_alias_bomb_is_refused_at_once() -> None:
    assert len(BOMB.encode()) < 430
    started = time.monotonic()
    found = problem(BOMB)
    assert time.monotonic() - started < 5  # it used to take 79 s; counting stops it at 100,000
    assert found.startswith("golive.yaml:")
    assert "aliases expand to more than 100,000 values beyond the file's own" in found


def test_a_large_config_without_aliases_is_not_an_alias_bomb() -> None:
    checks = "".join(
        f"  - {{name: c{i}, http: {{url: 'http://127.0.0.1/{i}'}}, labels: {{a: b}}}}\n"
        for i in range(40_000)
    )
    data, _ = parse_yaml(f"checks:\n{checks}", Path("x"))  # 240,000 values, all written
    assert len(data["checks"]) == 40_000


def test_shared_blocks_may_repeat_as_often_as_the_file_is_long() -> None:
    text = "d: &d {every: 30s, timeout: 5s, labels: {team: web}}\nchecks:\n" + "".join(
        f"  - {{<<: *d, name: c{i}}}\n" for i in range(30_000)
    )
    data, _ = parse_yaml(text, Path("x"))  # 150,000 values by alias, 90,000 written
    assert data["checks"][-1]["labels"] == {"team": "web"}


def test_aliases_and_merge_keys_still_work() -> None:
    text = (
        "base: &base {every: 30s, labels: {team: web}}\n"
        "checks:\n"
        "  - <<: *base\n    name: a\n    every: 10s\n"
        "  - {<<: [*base, {severity: low}], name: b}\n"
        "tags: &t [x, y]\nmore: *t\n"
    )
    data, positions = parse_yaml(text, Path("g.yaml"))
    assert data["checks"][0] == {"every": "10s", "labels": {"team": "web"}, "name": "a"}
    assert data["checks"][1] == {
        "every": "30s",
        "labels": {"team": "web"},
        "severity": "low",
        "name": "b",
    }
    assert data["more"] == ["x", "y"]
    assert str(positions.value(("checks", 0, "every"))) == "g.yaml:5:12"


def test_scalars_are_typed_as_yaml_says() -> None:
    text = "a: 1\nb: 1.5\nc: true\nd: null\ne: '1'\nf: 2026-12-07\ng: 0x10\n"
    data, _ = parse_yaml(text, Path("x"))
    assert [type(v).__name__ for v in data.values()] == [
        "int",
        "float",
        "bool",
        "NoneType",
        "str",
        "date",
        "int",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\na: 2\n", "g.yaml:2:1: duplicate key 'a'"),
        ("a: *nope\n", "g.yaml:1:4: invalid YAML: found undefined alias 'nope'"),
        ("a: 1\n---\nb: 2\n", "g.yaml:2:1: invalid YAML: but found another document"),
        ("? [a, b]\n: 1\n", "g.yaml:1:3: a key must be a plain value, not a mapping or a list"),
        (
            "a: !!python/object:os.system x\n",
            "g.yaml:1:4: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
)
def test_broken_documents_are_located(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, Path("g.yaml"))
    assert str(caught.value.issues[0]) == expected


def test_an_empty_file_is_an_empty_mapping() -> None:
    assert parse_yaml("", Path("x"))[0] == {}
    assert parse_yaml("# nothing\n", Path("x"))[0] == {}


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    with path.open("wb") as out:
        out.truncate(MAX_BYTES + 1)
    with pytest.raises(ConfigError) as caught:
        load_yaml(path)
    assert str(caught.value.issues[0]).endswith("config file is larger than 16 MiB; refused unread")
