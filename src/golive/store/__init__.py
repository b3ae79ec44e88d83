"""Store: tables, queries and migrations for evidence (SQLite by default, PostgreSQL at scale).
Holds no business rules: callers decide what is good; the store keeps what happened."""

from golive.store.db import normalise_url
from golive.store.store import Store

__all__ = ["Store", "normalise_url"]
