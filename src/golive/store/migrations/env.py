"""Alembic environment: golive passes its own connection in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from golive.store import (  # noqa: F401 - registers their tables
    tables_backup,
    tables_flags,
    tables_gate,
    tables_heartbeats,
    tables_incidents,
    tables_leases,
    tables_monitor,
    tables_requests,
    tables_rollouts,
    tables_scale,
    tables_users,
)
from golive.store.tables import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
