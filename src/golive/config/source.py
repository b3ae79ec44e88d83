"""Reading YAML while remembering where every value came from.

``load_yaml`` returns plain Python data and a ``Positions`` map from a path (a tuple of keys and
list indices, as pydantic reports them in ``loc``) to its line and column in the file, so every
later error can point at the exact place.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from golive.exceptions import ConfigError, Issue, Location

PathKey = tuple[str | int, ...]
Mark = tuple[int, int]  # 1-based line and column

try:  # the C loader is several times faster; fall back when libyaml is missing
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader, resolving each plain scalar's tag once per document: a config repeats
    its keys and many values (``name``, ``http``, ``status == 200``), and PyYAML resolves a tag
    by trying regular expressions in Python."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[tuple[str, tuple[bool, bool]], str] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = str(super().resolve(kind, value, implicit))
        return tag


class Positions:
    """Where each path of a loaded document sits in its file."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._at: dict[PathKey, Mark] = {}  # a Location is made only for the ones asked for
        self._keys: dict[PathKey, Mark] = {}

    def add(self, path: PathKey, line: int, column: int, *, key: bool = False) -> None:
        (self._keys if key else self._at)[path] = (line, column)

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
        found = self._keys.get(full)
        return Location(self.file, *found) if found else self._nearest(full, self._at)

    def _nearest(self, path: PathKey, table: dict[PathKey, Mark]) -> Location | None:
        for end in range(len(path), -1, -1):
            found = table.get(path[:end])
            if found is not None:
                return Location(self.file, *found)
        return None


MAX_BYTES = 16 << 20  # a config file larger than this is refused unread
MAX_DEPTH = 100  # collections inside collections
MAX_ALIASED = 100_000  # values aliases may add beyond as many as the file itself writes
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"


def load_yaml(file: Path) -> tuple[Any, Positions]:
    """Parse ``file`` into plain data plus the position of every value and key."""
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError([Issue(f"cannot read config file: {exc.strerror or exc}")]) from exc
    if len(raw) > MAX_BYTES:
        message = f"config file is larger than {MAX_BYTES >> 20} MiB; refused unread"
        raise ConfigError([Issue(message, Location(file, 1, 1))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [Issue("invalid YAML: not UTF-8 text", Location(file, line, 1))]
        ) from None
    return parse_yaml(text, file)


def parse_yaml(text: str, file: Path) -> tuple[Any, Positions]:
    """Parse YAML ``text`` (named ``file`` in errors).

    Built from the parser's events in one pass, without composing a node tree, so the
    document's shape is bounded before anything recurses on it: more than ``MAX_DEPTH`` nested
    collections, or aliases that expand to more than ``MAX_ALIASED`` values beyond as many as
    the file writes itself (an "alias bomb" of a few hundred bytes expands to billions), is a
    config error at the offending place. What the file writes is bounded by its size.
    """
    positions = Positions(file)
    loader = _Loader(text)
    try:
        with _collector_paused():
            data = _Builder(loader, positions).document()
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a document is built: it allocates many objects that
    live on (its data and positions) and each collection they trigger scans the whole heap
    (a third of the time to read 2,000 checks). Nothing built here forms a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Builder:
    """Plain data from a loader's events; an anchored value is built once and shared."""

    def __init__(self, loader: yaml.SafeLoader, positions: Positions) -> None:
        self.loader: Any = loader  # PyYAML's parser and resolver calls are untyped
        self.positions = positions
        self.anchors: dict[str, tuple[Any, int]] = {}  # name → (value, values it expands to)
        self.written = 0  # values the file writes
        self.aliased = 0  # values its aliases stand for
        self.depth = 0

    def document(self) -> Any:
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return {}
        loader.get_event()  # document start
        data, _ = self.value(())
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise yaml.MarkedYAMLError(
                "expected a single document in the stream",
                None,
                "but found another document",
                event.start_mark,
            )
        return data

    def _fail(self, message: str, mark: yaml.Mark) -> ConfigError:
        return ConfigError(
            [Issue(message, Location(self.positions.file, mark.line + 1, mark.column + 1))]
        )

    def _alias(self, size: int, mark: yaml.Mark) -> None:
        self.aliased += size
        if self.aliased > MAX_ALIASED + self.written:
            raise self._fail(
                f"aliases expand to more than {MAX_ALIASED:,} values beyond the file's own"
                " (aliases that repeat aliases?); refused",
                mark,
            )

    def value(self, path: PathKey) -> tuple[Any, int]:
        """The next value and how many values it counts for (its own and those inside)."""
        event = self.loader.get_event()
        mark = event.start_mark
        self.positions.add(path, mark.line + 1, mark.column + 1)
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise yaml.MarkedYAMLError(
                    None, None, f"found undefined alias {event.anchor!r}", mark
                )
            shared, size = self.anchors[event.anchor]
            self._alias(size, mark)
            return shared, size
        self.written += 1
        if isinstance(event, yaml.ScalarEvent):
            result: Any = self._scalar(event)
            size = 1
        else:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self._fail(
                    f"collections nested deeper than {MAX_DEPTH} levels; refused", mark
                )
            if isinstance(event, yaml.SequenceStartEvent):
                result, size = self._sequence(path)
            else:
                result, size = self._mapping(path)
            self.depth -= 1
        if event.anchor is not None:
            self.anchors[event.anchor] = (result, size)
        return result, size

    def _scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:  # most scalars: the text itself, no constructor needed
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return self.loader.construct_object(node)

    def _sequence(self, path: PathKey) -> tuple[list[Any], int]:
        items: list[Any] = []
        size = 1
        while not self.loader.check_event(yaml.SequenceEndEvent):
            item, n = self.value((*path, len(items)))
            items.append(item)
            size += n
        self.loader.get_event()
        return items, size

    def _mapping(self, path: PathKey) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        size = 1
        while not self.loader.check_event(yaml.MappingEndEvent):
            key_event = self.loader.peek_event()
            mark = key_event.start_mark
            if isinstance(key_event, yaml.ScalarEvent) and self._is_merge(key_event):
                self.loader.get_event()
                value, n = self.value((*path, "<<"))
                size += n
                for source in value if isinstance(value, list) else [value]:
                    if not isinstance(source, dict):
                        raise self._fail("a `<<` merge key takes a mapping or a list of them", mark)
                    merged = {**source, **merged}  # in a list, the first mapping wins
                continue
            key, _ = self.value((*path, "?key"))
            if isinstance(key, dict | list):
                raise self._fail("a key must be a plain value, not a mapping or a list", mark)
            key = key if isinstance(key, str) else str(key)
            if key in result:
                raise self._fail(f"duplicate key '{key}'", mark)
            self.positions.add((*path, key), mark.line + 1, mark.column + 1, key=True)
            result[key], n = self.value((*path, key))
            size += n
        self.loader.get_event()
        return ({**merged, **result} if merged else result), size

    def _is_merge(self, event: yaml.ScalarEvent) -> bool:
        if event.tag is not None or not event.implicit[0]:
            return False
        return bool(self.loader.resolve(yaml.ScalarNode, event.value, event.implicit) == _MERGE)
