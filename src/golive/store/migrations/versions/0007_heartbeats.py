"""heartbeats: each heartbeat check's ping secret and runs

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from golive.store.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("check", sa.String(length=200), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("secret_created_at", UTCDateTime(), nullable=False),
        sa.Column("watched_since", UTCDateTime(), nullable=False),
        sa.Column("last_ping_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("missed", UTCDateTime(), nullable=True),
        sa.Column("overdue_reported", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("check"),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
