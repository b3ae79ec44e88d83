"""The overview's caches of one app (``app.state.overview``): a table per view (selection and
page; at most ``MAX_TABLES``), each made by one thread at a time from one ``ChecksNow``, and
beside each table its page per role, with slots for what is personal (the user's name, the
CSRF token), filled in per answer."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from markupsafe import Markup, escape

from golive.engine.checks_now import Selection
from golive.store.tokens import Role
from golive.web.auth import Principal
from golive.web.memo import Memo
from golive.web.pages.dashboard.common import chrome
from golive.web.pages.framework import pages_of

MAX_TABLES = 256  # distinct views kept
# Private-use characters: no name, token or template text has them, and escaping keeps them.
NAME_SLOT, CSRF_SLOT = "\ue000name\ue000", "\ue000csrf\ue000"
_SLOTS = re.compile(f"({NAME_SLOT}|{CSRF_SLOT})")


@dataclass(frozen=True)
class View:
    """Which checks (``selection``) and which page of them."""

    selection: Selection
    limit: int
    offset: int


@dataclass(frozen=True)
class PageParts:
    """A rendered page cut at its slots: literal bytes, and slot names between them."""

    parts: tuple[bytes | str, ...]

    @classmethod
    def of(cls, html: str) -> PageParts:
        pieces = _SLOTS.split(html)  # literal, slot, literal, slot, ..., literal
        return cls(tuple(p if i % 2 else p.encode() for i, p in enumerate(pieces)))

    def fill(self, *, name: str, csrf: str) -> bytes:
        values = {NAME_SLOT: str(escape(name)).encode(), CSRF_SLOT: str(escape(csrf)).encode()}
        return b"".join(values[p] if isinstance(p, str) else p for p in self.parts)


@dataclass(frozen=True, eq=False)
class Table:
    """One view's table, and the pages around it by role (each made on its first ask)."""

    view: View
    html: Markup
    components: tuple[str, ...]
    pages: dict[Role, PageParts] = field(default_factory=dict)


class OverviewPages:
    """The tables of one app, and the page of a table for a role."""

    def __init__(self) -> None:
        self._tables: dict[View, Memo[Table]] = {}
        self._lock = threading.Lock()

    def table(self, view: View) -> Memo[Table]:
        memo = self._tables.get(view)
        if memo is None:
            with self._lock:
                if len(self._tables) >= MAX_TABLES:
                    self._tables.clear()
                memo = self._tables.setdefault(view, Memo())
        return memo

    def page(self, request: Request, role: Role, context: dict[str, Any]) -> PageParts:
        """The overview page around ``context``'s table as ``role`` sees it, with slots."""
        stand_in = Principal(token_id=None, name=NAME_SLOT, role=role, user_id=0)
        html = pages_of(request).render_text(
            request,
            "dashboard/overview.html",
            user=stand_in,
            **chrome(stand_in, current="/", csrf=CSRF_SLOT, flashes=[]),
            **context,
        )
        return PageParts.of(html)
