"""Dashboard accounts: what a user name and a password may be, how passwords are kept, and how
long a login session lives. The rows are kept by ``golive.store.users``.

Users. A name is 1 to 100 of ``A-Z a-z 0-9 . _ @ -`` (it shows as ``user:NAME`` in what the
user creates); a role is ``viewer``, ``operator`` or ``admin`` as for tokens. A password is 15
to 1024 characters (NIST SP 800-63B-4's minimum for a single-factor password; no composition
rules), NFKC-normalised, and stored only as an argon2id hash (argon2-cffi's ``PasswordHasher``
with its RFC 9106 defaults). ``authenticate`` checks a name and password: for an unknown or
removed name it verifies against a dummy hash, so that the answer takes about as long either
way, and after a success it rehashes a password whose parameters are no longer the hasher's.
``remove_user`` disables the user and revokes their sessions; adding the name again brings the
account back with the new role and password.

Sessions. The cookie carries a token of 32 random bytes (URL-safe base64); the store keeps its
SHA-256 only. A session ends ``IDLE_TIMEOUT`` (12 h) after it was last seen or
``ABSOLUTE_TIMEOUT`` (7 d) after it began, whichever comes first; ``verify_session`` slides the
idle deadline, writing at most once a minute. Logout revokes one session; a password change or a
removal revokes all of the user's sessions (a password change may keep the one it was made
from). Each session has its own ``csrf_secret``, from which ``golive.web.csrf`` derives the
session's CSRF tokens.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from golive.exceptions import UsageError
from golive.store import Store
from golive.store import users as rows
from golive.store.users import SessionView, UserView

IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_TIMEOUT = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
MIN_PASSWORD, MAX_PASSWORD = 15, 1024
SESSION_BYTES = 32
HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes, 4 lanes; read at each call, not bound
_NAME = re.compile(r"[A-Za-z0-9._@-]{1,100}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) gives


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


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    """The argon2id hash of an acceptable password; ``UsageError`` for a too short or long one."""
    hasher = HASHER if hasher is None else hasher
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
    hasher: PasswordHasher | None = None,
) -> UserView:
    """Create a user (or bring a removed one back); ``UsageError`` when the name is taken."""
    name, checked_role = valid_name(name), rows.valid_role(role)
    password_hash = hash_password(password, hasher=hasher)
    user = rows.save_user(store, name=name, role=checked_role, password_hash=password_hash, now=now)
    if user is None:
        raise UsageError(f"there is a user {name!r} already")
    return user


def remove_user(store: Store, name: str, now: datetime) -> int:
    """Disable an active user and revoke their sessions; return how many sessions ended.
    ``UsageError`` when there is no such active user."""
    ended = rows.disable_user(store, name.strip(), now)
    if ended is None:
        raise UsageError(f"no user {name.strip()!r}")
    return ended


def set_password(
    store: Store,
    name: str,
    password: str,
    now: datetime,
    *,
    keep_session: str | None = None,
    hasher: PasswordHasher | None = None,
) -> int:
    """Change an active user's password and revoke their sessions but ``keep_session`` (the id
    of the session the change was made from); return how many sessions ended."""
    password_hash = hash_password(password, hasher=hasher)
    ended = rows.change_password_hash(
        store, name.strip(), password_hash, now, keep_session=keep_session
    )
    if ended is None:
        raise UsageError(f"no user {name.strip()!r}")
    return ended


def authenticate(
    store: Store, name: str, password: str, *, hasher: PasswordHasher | None = None
) -> UserView | None:
    """The active user with this name and password, or None, in about the same time whether
    or not the name exists. Blocking (argon2 takes a while): call it from a worker thread."""
    hasher = HASHER if hasher is None else hasher
    password = _normalised(password)
    found = rows.user_with_hash(store, name.strip()) if _NAME.fullmatch(name.strip()) else None
    stored = found[1] if found is not None else _dummy_hash(hasher)
    if not _verify(hasher, stored, password) or found is None or not found[0].active:
        return None
    user = found[0]
    if hasher.check_needs_rehash(stored):
        rows.replace_password_hash(store, user.id, stored, hasher.hash(password))
    return user


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
    rows.insert_session(store, view)
    return IssuedSession(token, view)


def verify_session(store: Store, token: str, now: datetime) -> SessionView | None:
    """The live session of this cookie token with its active user, or None; slides the idle
    deadline (a write at most once a minute)."""
    if not _TOKEN.fullmatch(token):
        return None
    view = rows.live_session(store, hash_session_token(token), now)
    if view is None or now - TOUCH_EVERY < view.last_seen_at <= now:
        return view
    seen = SessionView(
        **{**view.__dict__, "last_seen_at": now, "expires_at": _expiry(view.created_at, now)}
    )
    rows.touch_session(store, view.id, last_seen_at=now, expires_at=seen.expires_at)
    return seen


def hash_session_token(token: str) -> str:
    """The stored form of a session token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry(created_at: datetime, seen_at: datetime) -> datetime:
    return min(seen_at + IDLE_TIMEOUT, created_at + ABSOLUTE_TIMEOUT)


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
