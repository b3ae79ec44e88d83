"""ping secret hashes: heartbeats keep the SHA-256 of each ping secret, not the secret

Each stored secret is hashed in place, so the ping URLs already handed out keep working. The
downgrade cannot bring the secrets back: it gives every check a new one (``golive heartbeat
url`` then shows it), so the old URLs stop working.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_heartbeats = sa.table(
    "heartbeats",
    sa.column("check", sa.String()),
    sa.column("secret", sa.String()),
    sa.column("secret_hash", sa.String()),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # the dropped secrets' bytes are zeroed, not left
        op.execute("PRAGMA secure_delete = ON")  # in the file's free pages
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_heartbeats.c.check, _heartbeats.c.secret)).all()
    if rows:
        connection.execute(
            _heartbeats.update()
            .where(_heartbeats.c.check == sa.bindparam("key"))
            .values(secret_hash=sa.bindparam("hashed")),
            [{"key": c, "hashed": hashlib.sha256(s.encode()).hexdigest()} for c, s in rows],
        )
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.drop_column("secret")


def downgrade() -> None:
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=100), nullable=True))
    connection = op.get_bind()
    checks = connection.execute(sa.select(_heartbeats.c.check)).scalars().all()
    if checks:
        connection.execute(
            _heartbeats.update()
            .where(_heartbeats.c.check == sa.bindparam("key"))
            .values(secret=sa.bindparam("plain")),
            [{"key": c, "plain": secrets.token_urlsafe(24)} for c in checks],
        )
    with op.batch_alter_table("heartbeats", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=100), nullable=False)
        batch_op.drop_column("secret_hash")
