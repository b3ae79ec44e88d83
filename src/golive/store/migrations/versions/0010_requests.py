"""requests: per-minute request histograms of the metrics sources, and the sources' state

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from golive.store.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_minutes",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("minute", UTCDateTime(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("histogram", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("source", "minute", "labels"),
    )
    with op.batch_alter_table("request_minutes", schema=None) as batch_op:
        batch_op.create_index("ix_request_minutes_minute", ["minute"], unique=False)
    op.create_table(
        "metric_sources",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("health", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("metric_sources")
    with op.batch_alter_table("request_minutes", schema=None) as batch_op:
        batch_op.drop_index("ix_request_minutes_minute")
    op.drop_table("request_minutes")
