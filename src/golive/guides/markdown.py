"""Markdown → blocks: headings, list items, code blocks, tables and paragraphs, each with its
line number (1-based, in the guide) and the headings above it. The one module that knows
markdown-it; a ```markdown code block is read as Markdown too (guides keep sign-off templates
in them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from golive.guides.text import plain

MARKDOWN_FENCES = ("markdown", "md")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain words
    line: int


Path = tuple[Heading, ...]


@dataclass(frozen=True)
class Item:
    """A list item: its first paragraph as one line of inline Markdown."""

    line: int
    text: str
    path: Path
    depth: int  # 0 for a top-level list
    ordered: bool
    children: tuple[Item, ...] = ()  # the items of lists nested in it


@dataclass(frozen=True)
class Fence:
    """A fenced (or indented) code block."""

    line: int  # the opening fence
    info: str  # its language, lowercased ("" when none)
    body: tuple[str, ...]  # line ``line + 1 + i`` is ``body[i]``
    path: Path


@dataclass(frozen=True)
class Table:
    line: int
    header: tuple[str, ...]  # plain words
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, plain cells)
    path: Path


@dataclass(frozen=True)
class Paragraph:
    line: int
    lines: tuple[str, ...]  # inline Markdown, one per source line
    path: Path


Block = Heading | Item | Fence | Table | Paragraph


@dataclass
class _Walk:
    offset: int  # lines before this document in the guide
    outer: Path  # headings above it (for a ```markdown block: those of the guide)
    stack: list[Heading] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return (*self.outer, *self.stack)

    def line(self, node: SyntaxTreeNode) -> int:
        return (node.map[0] if node.map else 0) + self.offset + 1


_PARSER = MarkdownIt("commonmark").enable("table")


def blocks(text: str, *, offset: int = 0, outer: Path = ()) -> list[Block]:
    """The blocks of a Markdown document, in order."""
    tree = SyntaxTreeNode(_PARSER.parse(text))
    walk = _Walk(offset, outer)
    return list(_children(tree, walk, depth=0))


def _children(node: SyntaxTreeNode, walk: _Walk, depth: int) -> Iterator[Block]:
    for child in node.children:
        yield from _node(child, walk, depth)


def _node(node: SyntaxTreeNode, walk: _Walk, depth: int) -> Iterator[Block]:
    kind = node.type
    if kind == "heading":
        level = int(node.tag[1:])
        heading = Heading(level, plain(_inline(node)), walk.line(node))
        walk.stack[:] = [h for h in walk.stack if h.level < level]
        walk.stack.append(heading)
        yield heading
    elif kind in ("bullet_list", "ordered_list"):
        for child in node.children:
            yield from _item(child, walk, depth, ordered=kind == "ordered_list")
    elif kind in ("fence", "code_block"):
        yield from _fence(node, walk)
    elif kind == "table":
        yield _table(node, walk)
    elif kind == "paragraph":
        lines = tuple(_inline(node).split("\n"))
        yield Paragraph(walk.line(node), lines, walk.path)
    else:  # blockquote and the like: look inside
        yield from _children(node, walk, depth)


def _item(node: SyntaxTreeNode, walk: _Walk, depth: int, *, ordered: bool) -> Iterator[Block]:
    first = next((c for c in node.children if c.type == "paragraph"), None)
    text = " ".join(s.strip() for s in _inline(first).split("\n")) if first else ""
    line, path = walk.line(node), walk.path
    inner: list[Block] = []
    for child in node.children:
        if child is not first:
            inner.extend(_node(child, walk, depth + 1))
    nested = tuple(b for b in inner if isinstance(b, Item) and b.depth == depth + 1)
    yield Item(line, text, path, depth, ordered, nested)
    yield from inner


def _fence(node: SyntaxTreeNode, walk: _Walk) -> Iterator[Block]:
    info = (node.info or "").strip().split(" ")[0].lower()
    line = walk.line(node)
    body = node.content.removesuffix("\n")
    if info in MARKDOWN_FENCES:
        yield from blocks(body, offset=line, outer=walk.path)
        return
    start = line if node.type == "fence" else line - 1  # an indented block has no fence line
    yield Fence(start, info, tuple(body.split("\n")), walk.path)


def _table(node: SyntaxTreeNode, walk: _Walk) -> Table:
    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[str, ...]]] = []
    for section in node.children:
        for row in section.children:
            cells = tuple(plain(_inline(cell)) for cell in row.children)
            if section.type == "thead":
                header = cells
            else:
                rows.append((walk.line(row), cells))
    return Table(walk.line(node), header, tuple(rows), walk.path)


def _inline(node: SyntaxTreeNode | None) -> str:
    if node is None:
        return ""
    for child in node.children:
        if child.type == "inline":
            return child.content
    return ""
