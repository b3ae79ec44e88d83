"""flags: runtime overrides and the audit trail of changes

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from golive.store.tables import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_overrides",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("rollout", sa.Float(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "flag_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=200), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("flag_changes", schema=None) as batch_op:
        batch_op.create_index("ix_flag_changes_flag", ["flag", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("flag_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_flag_changes_flag")
    op.drop_table("flag_changes")
    op.drop_table("flag_overrides")
