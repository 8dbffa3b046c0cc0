"""Organizations, users and logging in.

An email is one login across every organization (a person working for two customers uses two
emails), so logging in needs an email and a password only. Failed logins are counted per email and
per client address in Postgres, which every API process shares: past :data:`LOGIN_LIMIT` a login is
refused before the password is checked, so guessing costs the guesser time, not us CPU.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import psycopg
from psycopg import errors as pg_errors

from adology.logs import get_logger
from adology.storage.postgres import one_row
from adology.tenancy.errors import ConflictError, InvalidCredentialsError, LoginRateLimitedError, NotFoundError
from adology.tenancy.passwords import hash_password, needs_rehash, verify_password

log = get_logger(__name__)

Role = Literal["admin", "member"]


@dataclass(frozen=True)
class LoginLimit:
    """At most ``per_email`` failures for one email and ``per_address`` from one address in ``window``."""

    per_email: int = 10
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


LOGIN_LIMIT = LoginLimit()


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    email: str
    display_name: str | None
    role: Role


_USER_COLUMNS = "u.id, u.organization_id, o.name, u.email::text, u.display_name, u.role"
_USER_FROM = "users u JOIN organizations o ON o.id = u.organization_id"


def _user(row: tuple[object, ...]) -> User:
    return User(*row)  # type: ignore[arg-type]


def ensure_organization(conn: psycopg.Connection, name: str) -> uuid.UUID:
    """The organization called ``name``, created when missing."""
    (organization_id,) = one_row(
        conn.execute(
            "INSERT INTO organizations (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name "
            "RETURNING id",
            (name,),
        )
    )
    return organization_id


def create_user(
    conn: psycopg.Connection,
    *,
    organization_id: uuid.UUID,
    email: str,
    password: str,
    role: Role = "member",
    display_name: str | None = None,
) -> User:
    """A new user of the organization; :class:`ConflictError` when the email is anyone's login already."""
    password_hash = hash_password(password)
    try:
        with conn.transaction():
            (user_id,) = one_row(
                conn.execute(
                    "INSERT INTO users (organization_id, email, display_name, role, password_hash) "
                    "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                    (organization_id, email.strip(), display_name, role, password_hash),
                )
            )
    except pg_errors.UniqueViolation:
        raise ConflictError(f"the email {email!r} is already a login; one email is one login") from None
    except pg_errors.CheckViolation:
        raise ConflictError(f"{email!r} is not an email address") from None
    log.info("user created", extra={"organization_id": str(organization_id), "user_id": str(user_id), "role": role})
    return get_user(conn, organization_id, user_id)


def ensure_user(
    conn: psycopg.Connection,
    *,
    organization_id: uuid.UUID,
    email: str,
    password: str,
    role: Role,
    display_name: str | None = None,
) -> User:
    """The organization's user with this email, created or given this password and role (for seeding
    a known set of logins); :class:`ConflictError` if the email is another organization's login."""
    row = conn.execute("SELECT id, organization_id FROM users WHERE email = %s", (email,)).fetchone()
    if row is None:
        return create_user(
            conn, organization_id=organization_id, email=email, password=password, role=role, display_name=display_name
        )
    if row[1] != organization_id:
        raise ConflictError(f"the email {email!r} is already a login of another organization")
    conn.execute(
        "UPDATE users SET password_hash = %s, role = %s, display_name = coalesce(%s, display_name) WHERE id = %s",
        (hash_password(password), role, display_name, row[0]),
    )
    return get_user(conn, organization_id, row[0])


def get_user(conn: psycopg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID) -> User:
    row = conn.execute(
        f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.id = %s AND u.organization_id = %s",
        (user_id, organization_id),
    ).fetchone()
    if row is None:
        raise NotFoundError("user", user_id)
    return _user(row)


def list_users(conn: psycopg.Connection, organization_id: uuid.UUID) -> list[User]:
    rows = conn.execute(
        f"SELECT {_USER_COLUMNS} FROM {_USER_FROM} WHERE u.organization_id = %s ORDER BY u.email", (organization_id,)
    ).fetchall()
    return [_user(row) for row in rows]


def delete_user(conn: psycopg.Connection, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Delete the user; its tokens go with it (ON DELETE CASCADE), so it is logged out everywhere."""
    deleted = conn.execute(
        "DELETE FROM users WHERE id = %s AND organization_id = %s", (user_id, organization_id)
    ).rowcount
    if not deleted:
        raise NotFoundError("user", user_id)
    log.info("user deleted", extra={"organization_id": str(organization_id), "user_id": str(user_id)})


def _recent_failures(conn: psycopg.Connection, subject: str, window: timedelta) -> tuple[int, float]:
    """How many failures ``subject`` had in ``window``, and the seconds until the oldest leaves it."""
    count, oldest_age = one_row(
        conn.execute(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(at)), 0) FROM login_failures "
            "WHERE subject = %s AND at > now() - %s",
            (subject, window),
        )
    )
    return count, max(1.0, window.total_seconds() - float(oldest_age))


def authenticate(
    conn: psycopg.Connection, email: str, password: str, *, address: str, limit: LoginLimit = LOGIN_LIMIT
) -> User:
    """The user whose login this is; :class:`InvalidCredentialsError` or :class:`LoginRateLimitedError`.

    A failure is committed before the error is raised, so the caller's rollback keeps the count.
    """
    subjects = {f"email:{email.strip().lower()}": limit.per_email, f"address:{address}": limit.per_address}
    for subject, allowed in subjects.items():
        count, retry_after = _recent_failures(conn, subject, limit.window)
        if count >= allowed:
            log.warning("login refused: rate limited", extra={"subject_kind": subject.split(":")[0]})
            raise LoginRateLimitedError(int(retry_after) + 1)
    row = conn.execute(
        f"SELECT {_USER_COLUMNS}, u.password_hash FROM {_USER_FROM} WHERE u.email = %s", (email.strip(),)
    ).fetchone()
    if not verify_password(row[-1] if row else None, password) or row is None:
        conn.cursor().executemany("INSERT INTO login_failures (subject) VALUES (%s)", [(s,) for s in subjects])
        conn.commit()
        log.info("login failed", extra={"known_email": row is not None})
        raise InvalidCredentialsError()
    user = _user(row[:-1])
    if needs_rehash(row[-1]):
        conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (hash_password(password), user.id))
    conn.execute("DELETE FROM login_failures WHERE subject = %s", (f"email:{email.strip().lower()}",))
    return user
