"""Reading YAML while remembering where every value came from.

``load_yaml`` returns plain Python data and a ``Positions`` map from a path (a tuple of keys and
list indices, as pydantic reports them in ``loc``) to its line and column in the file, so every
later error can point at the exact place.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from golive.exceptions import ConfigError, Issue, Location

PathKey = tuple[str | int, ...]

try:  # the C loader is several times faster; fall back when libyaml is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


class Positions:
    """Where each path of a loaded document sits in its file."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._at: dict[PathKey, Location] = {}
        self._keys: dict[PathKey, Location] = {}

    def add(self, path: PathKey, line: int, column: int, *, key: bool = False) -> None:
        (self._keys if key else self._at)[path] = Location(self.file, line, column)

    def merge(self, other: Positions) -> None:
        """Take the positions of ``other`` (an override) where it defines a path."""
        self._at.update(other._at)
        self._keys.update(other._keys)

    def value(self, path: Iterable[str | int]) -> Location | None:
        """The location of the value at ``path``, or of its nearest ancestor."""
        return self._nearest(tuple(path), self._at)

    def key(self, path: Iterable[str | int]) -> Location | None:
        """The location of the key that names ``path`` (for unknown or duplicate keys)."""
        full = tuple(path)
        return self._keys.get(full) or self._nearest(full, self._at)

    @staticmethod
    def _nearest(path: PathKey, table: dict[PathKey, Location]) -> Location | None:
        for end in range(len(path), -1, -1):
            found = table.get(path[:end])
            if found is not None:
                return found
        return None


def load_yaml(file: Path) -> tuple[Any, Positions]:
    """Parse ``file`` into plain data plus the position of every value and key."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Issue(f"cannot read config file: {exc.strerror or exc}")]) from exc
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> tuple[Any, Positions]:
    """Parse YAML ``text`` (named ``file`` in errors)."""
    positions = Positions(file)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, positions
        data = _build(node, (), positions, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError([Issue(f"invalid YAML: {problem}", where)]) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([Issue(f"invalid YAML: {exc}", Location(file, 1, 1))]) from exc
    finally:
        loader.dispose()
    return data, positions


def _build(node: yaml.Node, path: PathKey, positions: Positions, loader: yaml.SafeLoader) -> Any:
    positions.add(path, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves `<<` merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_mark = key_node.start_mark
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                where = Location(positions.file, key_mark.line + 1, key_mark.column + 1)
                raise ConfigError([Issue(f"duplicate key '{key}'", where)])
            positions.add((*path, key), key_mark.line + 1, key_mark.column + 1, key=True)
            result[key] = _build(value_node, (*path, key), positions, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), positions, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
