"""API tokens: created once, kept only as a SHA-256, verified, listed and revoked.

A token is ``glv_`` followed by 32 random bytes, URL-safe base64. The plaintext is returned once
by ``create_token`` (``golive token create`` prints it, ``POST /api/tokens`` answers it) and is
never stored: the ``tokens`` table keeps its SHA-256. Roles are ordered ``viewer`` <
``operator`` < ``admin``; ``role_allows`` says whether a role may do what another may.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, get_args

from sqlalchemy import insert, or_, select, update

from golive.exceptions import UsageError
from golive.store.store import Store
from golive.store.tables_monitor import Token

Role = Literal["viewer", "operator", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)  # from least to most allowed
PREFIX = "glv_"
RANDOM_BYTES = 32
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_NAME = 200
_PLAINTEXT_LENGTH = len(PREFIX) + len(secrets.token_urlsafe(RANDOM_BYTES))
_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class TokenView:
    """What may be shown about a token: never its plaintext, nor its hash."""

    id: int
    name: str
    role: Role
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``plaintext`` is shown once and then only its hash exists."""

    plaintext: str
    token: TokenView


def role_allows(role: str, needed: Role) -> bool:
    """Whether ``role`` may do what ``needed`` may (admin > operator > viewer)."""
    return _RANK.get(role, -1) >= _RANK[needed]


def hash_token(plaintext: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_token(store: Store, *, name: str, role: str, now: datetime) -> IssuedToken:
    """Create a token; raise ``UsageError`` for an unknown role or a bad name."""
    role = _valid_role(role)
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise UsageError(f"a token name is 1 to {MAX_NAME} characters")
    plaintext = PREFIX + secrets.token_urlsafe(RANDOM_BYTES)
    row = {
        "name": name,
        "role": role,
        "token_hash": hash_token(plaintext),
        "created_at": now,
        "last_used_at": None,
        "revoked_at": None,
    }
    with store.writing("create the token") as connection:
        token_id = connection.execute(insert(Token).returning(Token.id), row).scalar_one()
    return IssuedToken(plaintext, _view({**row, "id": token_id}))


def create_token(store: Store, name: str, role: str, now: datetime) -> str:
    """Create a token and return its plaintext (the only time it is available)."""
    return issue_token(store, name=name, role=role, now=now).plaintext


def verify_token(store: Store, plaintext: str, now: datetime) -> TokenView | None:
    """The active token ``plaintext`` is, or None; records its use at most once a minute."""
    if not plaintext.startswith(PREFIX) or len(plaintext) != _PLAINTEXT_LENGTH:
        return None
    digest = hash_token(plaintext)
    with store.writing("verify the token") as connection:
        # the unique index on token_hash serves: WHERE token_hash = ?
        row = connection.execute(select(Token).where(Token.token_hash == digest)).mappings().first()
        if row is None or row["revoked_at"] is not None:
            return None
        view = _view(row)
        last = view.last_used_at
        if last is None or not now - TOUCH_EVERY < last <= now:
            stale = or_(
                Token.last_used_at.is_(None),
                Token.last_used_at <= now - TOUCH_EVERY,
                Token.last_used_at > now,  # the clock went back
            )
            touched = connection.execute(
                update(Token).where(Token.id == view.id, stale).values(last_used_at=now)
            ).rowcount
            if touched:
                view = TokenView(**{**view.__dict__, "last_used_at": now})
    return view


def list_tokens(store: Store, *, include_revoked: bool = True) -> list[TokenView]:
    """Every token, oldest first."""
    query = select(Token).order_by(Token.id)
    if not include_revoked:
        query = query.where(Token.revoked_at.is_(None))
    with store.reading("list tokens") as connection:
        rows = connection.execute(query).mappings().all()
    return [_view(row) for row in rows]


def revoke_token(store: Store, token_id: int, now: datetime) -> TokenView | None:
    """Revoke a token (again is harmless: the first time stays); None when there is none."""
    with store.writing("revoke the token") as connection:
        connection.execute(
            update(Token)
            .where(Token.id == token_id, Token.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        row = connection.execute(select(Token).where(Token.id == token_id)).mappings().first()
    return None if row is None else _view(row)


def _valid_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")


def _view(row: Any) -> TokenView:
    return TokenView(
        id=int(row["id"]),
        name=row["name"],
        role=_valid_role(row["role"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )
