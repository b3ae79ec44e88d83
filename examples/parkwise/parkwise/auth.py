"""Sign-in for the synthetic user a monitor logs in as: ``POST /api/login`` → a bearer token.

The token is ``user.expires.signature`` (HMAC-SHA256 with ``PARKWISE_SECRET_KEY``), so any
instance with the same key accepts it and nothing is stored. Only the one synthetic user from
``PARKWISE_SYNTH_USER`` / ``PARKWISE_SYNTH_PASSWORD`` exists: ParkWise has no accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from pydantic import BaseModel, ConfigDict, Field

TOKEN_TTL_S = 3600


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


def _signature(key: str, payload: str) -> str:
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


def issue_token(key: str, user: str, *, now: float | None = None) -> str:
    """A token for ``user`` valid for an hour."""
    expires = int((time.time() if now is None else now) + TOKEN_TTL_S)
    payload = f"{user}.{expires}"
    return f"{payload}.{_signature(key, payload)}"


def token_user(key: str, token: str, *, now: float | None = None) -> str | None:
    """The user a valid, unexpired token was issued to, else None."""
    payload, _, signature = token.rpartition(".")
    user, _, expires = payload.rpartition(".")
    if not user or not expires.isdigit():
        return None
    if not hmac.compare_digest(_signature(key, payload), signature):
        return None
    if int(expires) < (time.time() if now is None else now):
        return None
    return user


def password_matches(expected_user: str, expected: str, login: LoginIn) -> bool:
    """Compared in constant time, user and password both."""
    same_user = hmac.compare_digest(login.user.encode(), expected_user.encode())
    same_password = hmac.compare_digest(login.password.encode(), expected.encode())
    return same_user and same_password
