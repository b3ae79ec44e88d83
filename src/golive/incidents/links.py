"""Signed one-click links: acknowledge or resolve an incident from a notification, without
logging in.

A token is ``base64url(JSON{i: incident, a: action, p: recipient, e: expiry, n: nonce})`` and
``.`` and ``base64url(HMAC-SHA256(key, first part))``. The key is made once per store (see
``store.incidents.link_key``); a token cannot be forged without it, is refused after its expiry,
and is single-use: using it writes its nonce, and a second use finds it there. A GET only shows
what the link would do (mail scanners follow links); the POST from that page acts.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from golive.exceptions import UsageError
from golive.incidents.lifecycle import act_in
from golive.records.incidents import IncidentView
from golive.store import incidents as queries
from golive.store.store import Store

LINK_ACTIONS = ("acknowledge", "resolve")
LINK_TTL = timedelta(hours=24)
MAX_TOKEN = 600


class LinkError(UsageError):
    """A link that cannot be used; ``reason`` is tampered, expired, used or refused."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Link:
    """What a valid token says."""

    incident_id: int
    action: str
    recipient: str
    expires_at: datetime
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, link: Link) -> str:
    body = {
        "i": link.incident_id,
        "a": link.action,
        "p": link.recipient,
        "e": int(link.expires_at.timestamp()),
        "n": link.nonce,
    }
    first = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    mac = hmac.new(key, first.encode(), hashlib.sha256).digest()
    return f"{first}.{_b64(mac)}"


def make_token(
    store: Store,
    incident_id: int,
    action: str,
    *,
    recipient: str,
    now: datetime,
    ttl: timedelta = LINK_TTL,
) -> str:
    """A fresh single-use token for ``action`` on the incident, for ``recipient``."""
    with store.writing("make a one-click link") as connection:
        key = queries.link_key(connection)
    return new_token(key, incident_id, action, recipient=recipient, now=now, ttl=ttl)


def new_token(
    key: bytes,
    incident_id: int,
    action: str,
    *,
    recipient: str,
    now: datetime,
    ttl: timedelta = LINK_TTL,
) -> str:
    """``make_token`` with the key at hand (inside a caller's transaction)."""
    if action not in LINK_ACTIONS:
        raise ValueError(f"links do {', '.join(LINK_ACTIONS)}, not {action}")
    expires = (now + ttl).replace(microsecond=0)
    return sign(key, Link(incident_id, action, recipient, expires, secrets.token_hex(16)))


def verify(store: Store, token: str, now: datetime) -> Link:
    """What ``token`` says, or a ``LinkError`` (tampered, expired or already used)."""
    tampered = LinkError("this link is not valid (it was changed or is incomplete)", "tampered")
    if len(token) > MAX_TOKEN or token.count(".") != 1:
        raise tampered
    first, mac = token.split(".")
    with store.writing("check a one-click link") as connection:
        key = queries.link_key(connection)
        try:
            expected = hmac.new(key, first.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise tampered
            body = json.loads(_unb64(first))
            link = Link(
                int(body["i"]),
                str(body["a"]),
                str(body["p"]),
                datetime.fromtimestamp(int(body["e"]), UTC),
                str(body["n"]),
            )
        except (binascii.Error, ValueError, KeyError, TypeError) as exc:
            raise tampered from exc
        if link.action not in LINK_ACTIONS:
            raise tampered
        if now >= link.expires_at:
            raise LinkError(f"this link expired at {link.expires_at:%Y-%m-%d %H:%M} UTC", "expired")
        if queries.link_used(connection, link.nonce):
            raise LinkError("this link was used already; each link works once", "used")
    return link


def use(store: Store, token: str, now: datetime) -> IncidentView:
    """Act on a valid token once: the nonce is written in the same transaction as the action,
    so two clicks at once act once."""
    link = verify(store, token, now)
    actor = f"{link.recipient} (one-click link)"
    with store.writing(f"{link.action} an incident from a link") as connection:
        if not queries.use_link(
            connection,
            link.nonce,
            incident_id=link.incident_id,
            action=link.action,
            at=now,
            expires_at=link.expires_at,
        ):
            raise LinkError("this link was used already; each link works once", "used")
        try:
            return act_in(connection, link.incident_id, link.action, at=now, actor=actor)
        except LinkError:
            raise
        except UsageError as exc:
            raise LinkError(str(exc), "refused") from exc
