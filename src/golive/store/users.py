"""Dashboard users and their login sessions.

Users. A name is 1 to 100 of ``A-Z a-z 0-9 . _ @ -`` (it shows as ``user:NAME`` in what the
user creates); a role is ``viewer``, ``operator`` or ``admin`` as for tokens. A password is 15
to 1024 characters (NIST SP 800-63B-4's minimum for a single-factor password; no composition
rules), NFKC-normalised, and stored only as an argon2id hash (argon2-cffi's ``PasswordHasher``
with its RFC 9106 defaults). ``authenticate`` checks a name and password: for an unknown or
removed name it verifies against a dummy hash, so that the answer takes about as long either
way, and after a success it rehashes a password whose parameters are no longer the hasher's.
``remove_user`` sets ``disabled_at`` and revokes the user's sessions; the row stays, so that
``user:NAME`` in silences keeps meaning someone, and adding the name again brings the account
back with the new role and password.

Sessions. The cookie carries a token of 32 random bytes (URL-safe base64); the ``sessions``
table keeps its SHA-256 as the id, never the token. A session ends ``IDLE_TIMEOUT`` (12 h) after
it was last seen or ``ABSOLUTE_TIMEOUT`` (7 d) after it began, whichever comes first;
``verify_session`` slides the idle deadline, writing at most once a minute. Logout revokes one
session; a password change or a removal revokes all of the user's sessions (a password change
may keep the one it was made from). Each session has its own ``csrf_secret``, from which
``golive.web.csrf`` derives the session's CSRF tokens. Expired sessions are deleted at each
login (``purge_sessions``); revoked ones go when they would have expired.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from golive.exceptions import StoreError, UsageError
from golive.store.db import reason
from golive.store.store import Store
from golive.store.tables_users import User, WebSession
from golive.store.tokens import ROLES, Role

IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
MIN_PASSWORD, MAX_PASSWORD = 15, 1024
SESSION_BYTES = 32
HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes, 4 lanes
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,100}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) gives


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


@dataclass(frozen=True)
class IssuedSession:
    """A new session: ``token`` goes into the cookie and then only its hash exists."""

    token: str
    session: SessionView


def valid_name(name: str) -> str:
    """``name`` stripped, or ``UsageError`` when it is not a user name."""
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise UsageError("a user name is 1 to 100 of A-Z a-z 0-9 . _ @ -")
    return name


def hash_password(password: str, *, hasher: PasswordHasher = HASHER) -> str:
    """The argon2id hash of an acceptable password; ``UsageError`` for a too short or long one."""
    password = _normalised(password)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UsageError(f"a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return hasher.hash(password)


def add_user(
    store: Store,
    *,
    name: str,
    role: str,
    password: str,
    now: datetime,
    hasher: PasswordHasher = HASHER,
) -> UserView:
    """Create a user (or bring a removed one back); ``UsageError`` when the name is taken."""
    name, role = valid_name(name), _valid_role(role)
    values = {"role": role, "password_hash": hash_password(password, hasher=hasher)}
    try:
        with store.engine.begin() as connection:
            revived = connection.execute(
                update(User)
                .where(User.name == name, User.disabled_at.is_not(None))
                .values(**values, created_at=now, disabled_at=None)
            ).rowcount
            if not revived:
                connection.execute(insert(User), {**values, "name": name, "created_at": now})
            row = _user_row(connection, name)
    except IntegrityError:
        raise UsageError(f"there is a user {name!r} already") from None
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot add the user: {reason(exc)}") from exc
    assert row is not None
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


def remove_user(store: Store, name: str, now: datetime) -> int:
    """Disable an active user and revoke their sessions; return how many sessions ended.
    ``UsageError`` when there is no such active user."""
    with store.writing("remove the user") as connection:
        row = _user_row(connection, name.strip())
        if row is None or row["disabled_at"] is not None:
            raise UsageError(f"no user {name.strip()!r}")
        connection.execute(update(User).where(User.id == row["id"]).values(disabled_at=now))
        return _revoke_all(connection, row["id"], now, keep=None)


def set_password(
    store: Store,
    name: str,
    password: str,
    now: datetime,
    *,
    keep_session: str | None = None,
    hasher: PasswordHasher = HASHER,
) -> int:
    """Change an active user's password and revoke their sessions but ``keep_session`` (the id
    of the session the change was made from); return how many sessions ended."""
    password_hash = hash_password(password, hasher=hasher)
    with store.writing("change the password") as connection:
        changed = connection.execute(
            update(User)
            .where(User.name == name.strip(), User.disabled_at.is_(None))
            .values(password_hash=password_hash)
            .returning(User.id)
        ).scalar_one_or_none()
        if changed is None:
            raise UsageError(f"no user {name.strip()!r}")
        return _revoke_all(connection, changed, now, keep=keep_session)


def authenticate(
    store: Store, name: str, password: str, *, hasher: PasswordHasher = HASHER
) -> UserView | None:
    """The active user with this name and password, or None, in about the same time whether
    or not the name exists. Blocking (argon2 takes a while): call it from a worker thread."""
    password = _normalised(password)
    with store.reading("read the user") as connection:
        row = _user_row(connection, name.strip()) if _NAME.fullmatch(name.strip()) else None
    stored = row["password_hash"] if row is not None else _dummy_hash(hasher)
    if not _verify(hasher, stored, password) or row is None or row["disabled_at"] is not None:
        return None
    if hasher.check_needs_rehash(stored):
        with store.writing("rehash the password") as connection:
            connection.execute(
                update(User)
                .where(User.id == row["id"], User.password_hash == stored)
                .values(password_hash=hasher.hash(password))
            )
    return _user(row)


def create_session(store: Store, user: UserView, now: datetime) -> IssuedSession:
    """Start a session for ``user``; the token is in the answer only."""
    token = secrets.token_urlsafe(SESSION_BYTES)
    view = SessionView(
        id=hash_session_token(token),
        user=user,
        csrf_secret=secrets.token_hex(32),
        created_at=now,
        last_seen_at=now,
        expires_at=_expiry(now, now),
    )
    row = {**view.__dict__, "user_id": user.id, "revoked_at": None}
    del row["user"]
    with store.writing("start the session") as connection:
        connection.execute(insert(WebSession), row)
    return IssuedSession(token, view)


def verify_session(store: Store, token: str, now: datetime) -> SessionView | None:
    """The live session of this cookie token with its active user, or None; slides the idle
    deadline (a write at most once a minute)."""
    if not _TOKEN.fullmatch(token):
        return None
    user_columns = (User.id, User.name, User.role, User.created_at, User.disabled_at)
    query = (
        select(*WebSession.__table__.c, *(c.label(f"u_{c.key}") for c in user_columns))
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.id == hash_session_token(token))  # the primary key serves it
    )
    with store.writing("verify the session") as connection:
        row = connection.execute(query).mappings().first()
        if row is None or row["revoked_at"] is not None or row["u_disabled_at"] is not None:
            return None
        if now >= row["expires_at"]:
            return None
        view = _session(row)
        if not now - TOUCH_EVERY < view.last_seen_at <= now:
            seen = {"last_seen_at": now, "expires_at": _expiry(view.created_at, now)}
            connection.execute(update(WebSession).where(WebSession.id == view.id).values(seen))
            view = SessionView(**{**view.__dict__, **seen})
    return view


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
        return connection.execute(delete(WebSession).where(WebSession.expires_at < now)).rowcount


def hash_session_token(token: str) -> str:
    """The stored form of a session token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _revoke_all(connection: Connection, user_id: int, now: datetime, *, keep: str | None) -> int:
    query = update(WebSession).where(
        WebSession.user_id == user_id, WebSession.revoked_at.is_(None), WebSession.expires_at > now
    )
    if keep is not None:
        query = query.where(WebSession.id != keep)
    return connection.execute(query.values(revoked_at=now)).rowcount


def _expiry(created_at: datetime, seen_at: datetime) -> datetime:
    return min(seen_at + IDLE_TIMEOUT, created_at + ABSOLUTE_TIMEOUT)


def _valid_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def _normalised(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with ``hasher``'s parameters that no password matches (made on first use)."""
    return hasher.hash(secrets.token_urlsafe(32))


def _user_row(connection: Connection, name: str) -> Any:
    return connection.execute(select(User).where(User.name == name)).mappings().first()


def _user(row: Any, prefix: str = "") -> UserView:
    return UserView(
        id=int(row[f"{prefix}id"]),
        name=row[f"{prefix}name"],
        role=_valid_role(row[f"{prefix}role"]),
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
