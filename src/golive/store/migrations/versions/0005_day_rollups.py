"""day rollups: the stored hour rollups summed per check and UTC day

Revision ID: 0005
Revises: 0004

Rows of ``rollups`` with resolution ``day`` (no schema change): from now on `golive serve`
writes them with the hours they add up; this makes them for the hours already stored.
"""

from __future__ import annotations

import logging

from alembic import context, op

from golive.store.day_rollups import backfill

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("golive.store")


def upgrade() -> None:
    written = backfill(op.get_bind(), progress=context.config.attributes.get("progress"))
    if written:
        log.info("made %d day rollups from the stored hour rollups", written)


def downgrade() -> None:
    op.execute("DELETE FROM rollups WHERE resolution = 'day'")
