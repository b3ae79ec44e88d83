"""Tables of the dashboard's people: users (argon2id password hashes) and their login sessions.

Each index carries a comment naming the query that needs it. Times are UTC (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class User(Base):
    """A person who logs in to the dashboard; removing one sets ``disabled_at`` (the row stays,
    so what they did keeps a name)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # login: WHERE name = ? (the unique index serves it)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | operator | viewer
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string format
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A login session; ``id`` is the SHA-256 of the cookie's token, never the token itself."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_secret: Mapped[str] = mapped_column(String(64))  # hex; CSRF tokens are HMACs of it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # min(seen + idle, created + max)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # password change, removal: UPDATE ... WHERE user_id = ? AND revoked_at IS NULL
        Index("ix_sessions_user", "user_id"),
        # purge at login: DELETE ... WHERE expires_at < ?
        Index("ix_sessions_expires", "expires_at"),
    )
