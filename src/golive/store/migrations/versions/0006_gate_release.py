"""gate: the release each verdict was for

Revision ID: 0006
Revises: 0005

``gate_runs.release``: the ``--release`` given to `golive gate` (null without one, and for the
verdicts stored before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("gate_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gate_runs", schema=None) as batch_op:
        batch_op.drop_column("release")
