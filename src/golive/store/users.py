"""Dashboard users and their login sessions: the ``users`` and ``sessions`` tables and their
queries. What a valid password or name is, how passwords are hashed and how long a session
lives are decided in ``golive.accounts``; this module stores what it is given.

A removed user keeps its row (``disabled_at`` set), so that ``user:NAME`` in silences keeps
meaning someone; saving the name again brings the account back. The ``sessions`` table keeps a
session token's SHA-256 as the id, never the token; revoked sessions go when they would have
expired (``purge_sessions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from golive.exceptions import UsageError
from golive.store.store import Store
from golive.store.tables_users import User, WebSession
from golive.store.tokens import ROLES, Role


@dataclass(frozen=True)
class UserView:
    """What may be shown about a user: never the password hash."""

    id: int
    name: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True)
class SessionView:
    """A live session and its user; ``id`` is the token's SHA-256."""

    id: str
    user: UserView
    csrf_secret: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def save_user(
    store: Store, *, name: str, role: Role, password_hash: str, now: datetime
) -> UserView | None:
    """Create a user, or bring a removed one back; None when an active user has the name."""
    values = {"role": role, "password_hash": password_hash}
    with store.writing("add the user") as connection:
        row = _user_row(connection, name)
        if row is not None and row["disabled_at"] is None:
            return None
        if row is None:
            connection.execute(insert(User), {**values, "name": name, "created_at": now})
        else:
            connection.execute(
                update(User)
                .where(User.id == row["id"])
                .values(**values, created_at=now, disabled_at=None)
            )
        row = _user_row(connection, name)
    return _user(row)


def list_users(store: Store, *, include_removed: bool = True) -> list[UserView]:
    """Every user, oldest first."""
    query = select(User).order_by(User.id)
    if not include_removed:
        query = query.where(User.disabled_at.is_(None))
    with store.reading("list users") as connection:
        rows = connection.execute(query).mappings().all()
    return [_user(row) for row in rows]


def get_user(store: Store, name: str) -> UserView | None:
    """The user with this name, removed or not."""
    with store.reading("read the user") as connection:
        row = _user_row(connection, name.strip())
    return None if row is None else _user(row)


def user_with_hash(store: Store, name: str) -> tuple[UserView, str] | None:
    """The user with this name (removed or not) and their stored password hash."""
    with store.reading("read the user") as connection:
        row = _user_row(connection, name)
    return None if row is None else (_user(row), row["password_hash"])


def replace_password_hash(store: Store, user_id: int, old: str, new: str) -> None:
    """Store ``new`` for the user if their hash is still ``old`` (a rehash loses to a change)."""
    with store.writing("rehash the password") as connection:
        connection.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == old)
            .values(password_hash=new)
        )


def disable_user(store: Store, name: str, now: datetime) -> int | None:
    """Disable an active user and revoke their sessions; how many sessions ended, or None when
    there is no such active user."""
    with store.writing("remove the user") as connection:
        row = _user_row(connection, name)
        if row is None or row["disabled_at"] is not None:
            return None
        connection.execute(update(User).where(User.id == row["id"]).values(disabled_at=now))
        return _revoke_all(connection, row["id"], now, keep=None)


def change_password_hash(
    store: Store, name: str, password_hash: str, now: datetime, *, keep_session: str | None
) -> int | None:
    """Store an active user's new hash and revoke their sessions but ``keep_session``; how many
    sessions ended, or None when there is no such active user."""
    with store.writing("change the password") as connection:
        changed = connection.execute(
            update(User)
            .where(User.name == name, User.disabled_at.is_(None))
            .values(password_hash=password_hash)
            .returning(User.id)
        ).scalar_one_or_none()
        if changed is None:
            return None
        return _revoke_all(connection, changed, now, keep=keep_session)


def insert_session(store: Store, session: SessionView) -> None:
    """Store a new session (its id is already the token's hash)."""
    row = {**session.__dict__, "user_id": session.user.id, "revoked_at": None}
    del row["user"]
    with store.writing("start the session") as connection:
        connection.execute(insert(WebSession), row)


def live_session(store: Store, session_id: str, now: datetime) -> SessionView | None:
    """The session with this id if it is neither revoked nor expired and its user is active."""
    user_columns = (User.id, User.name, User.role, User.created_at, User.disabled_at)
    query = (
        select(*WebSession.__table__.c, *(c.label(f"u_{c.key}") for c in user_columns))
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id == session_id)  # the primary key serves it
    )
    with store.reading("verify the session") as connection:
        row = connection.execute(query).mappings().first()
    if row is None or row["revoked_at"] is not None or row["u_disabled_at"] is not None:
        return None
    return None if now >= row["expires_at"] else _session(row)


def touch_session(
    store: Store, session_id: str, *, last_seen_at: datetime, expires_at: datetime
) -> None:
    """Record that a session was seen and its new deadline."""
    with store.writing("verify the session") as connection:
        connection.execute(
            update(WebSession)
            .where(WebSession.id == session_id)
            .values(last_seen_at=last_seen_at, expires_at=expires_at)
        )


def revoke_session(store: Store, session_id: str, now: datetime) -> None:
    """End one session (logout); again is harmless."""
    with store.writing("end the session") as connection:
        connection.execute(
            update(WebSession)
            .where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def purge_sessions(store: Store, now: datetime) -> int:
    """Delete the sessions that have expired; return how many."""
    with store.writing("purge sessions") as connection:
        return int(
            connection.execute(delete(WebSession).where(WebSession.expires_at < now)).rowcount
        )


def valid_role(role: str) -> Role:
    """``role`` as a ``Role``, or ``UsageError`` naming the roles."""
    for known in ROLES:
        if role == known:
            return known
    raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def _revoke_all(connection: Connection, user_id: int, now: datetime, *, keep: str | None) -> int:
    query = update(WebSession).where(
        WebSession.user_id == user_id, WebSession.revoked_at.is_(None), WebSession.expires_at > now
    )
    if keep is not None:
        query = query.where(WebSession.id != keep)
    return int(connection.execute(query.values(revoked_at=now)).rowcount)


def _user_row(connection: Connection, name: str) -> Any:
    return connection.execute(select(User).where(User.name == name)).mappings().first()


def _user(row: Any, prefix: str = "") -> UserView:
    return UserView(
        id=int(row[f"{prefix}id"]),
        name=row[f"{prefix}name"],
        role=valid_role(row[f"{prefix}role"]),
        created_at=row[f"{prefix}created_at"],
        disabled_at=row[f"{prefix}disabled_at"],
    )


def _session(row: Any) -> SessionView:
    return SessionView(
        id=row["id"],
        user=_user(row, "u_"),
        csrf_secret=row["csrf_secret"],
        created_at=row["created_at"],
        last_seen_at=row["last_seen_at"],
        expires_at=row["expires_at"],
    )
