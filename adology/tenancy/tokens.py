"""Bearer tokens: random, shown once, stored as a SHA-256, valid until they expire or are revoked.

A token is checked with one indexed read that also loads its user, so a deleted user's tokens
(deleted with it) and a revoked or expired token all fail the same way.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from adology.storage.postgres import one_row
from adology.tenancy.accounts import User
from adology.tenancy.errors import InvalidTokenError

TOKEN_PREFIX = "adt_"  # marks the string as an Adology token in logs scrubbers and secret scanners
TOKEN_TTL = timedelta(hours=12)
_MAX_TOKEN_LENGTH = 100


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def issue_token(conn: psycopg.Connection, user_id: uuid.UUID, *, ttl: timedelta = TOKEN_TTL) -> IssuedToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    (expires_at,) = one_row(
        conn.execute(
            "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES (%s, %s, now() + %s) RETURNING expires_at",
            (_digest(token), user_id, ttl),
        )
    )
    return IssuedToken(token, expires_at)


def user_for_token(conn: psycopg.Connection, token: str) -> User:
    """The token's user; :class:`InvalidTokenError` if it is unknown, expired or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidTokenError("not an Adology token")
    row = conn.execute(
        """SELECT u.id, u.organization_id, o.name, u.email::text, u.display_name, u.role, t.expires_at <= now(),
                  t.revoked_at IS NOT NULL
           FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organizations o ON o.id = u.organization_id
           WHERE t.token_hash = %s""",
        (_digest(token),),
    ).fetchone()
    if row is None:
        raise InvalidTokenError("unknown token (or its user was deleted)")
    if row[6]:
        raise InvalidTokenError("the token has expired; log in again")
    if row[7]:
        raise InvalidTokenError("the token was revoked by logging out; log in again")
    return User(*row[:6])


def revoke_token(conn: psycopg.Connection, token: str) -> None:
    conn.execute(
        "UPDATE api_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL", (_digest(token),)
    )
