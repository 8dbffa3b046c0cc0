"""Brandspaces: who may use them, their brands and roles, and what membership does to a brand.

A brand is analyzed while at least one brandspace holds it and tracked otherwise: adding it to a
brandspace turns it analyzed (the tracked→analyzed backfill then analyses its history) and records
an interactive analysis request for the user who added it; removing the last brandspace's interest
turns it back to tracked, so no AI is spent on it from then on. Admins use every brandspace of
their organization, members those they are linked to.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

import psycopg
from psycopg import errors as pg_errors

from adology.logs import get_logger
from adology.requests.messages import Kind
from adology.requests.outbox import record_request
from adology.storage.postgres import one_row
from adology.tenancy.accounts import User
from adology.tenancy.errors import BrandNotHeldError, ConflictError, ForbiddenError, NotFoundError

log = get_logger(__name__)

BrandRole = Literal["primary", "competitor", "followed"]


@dataclass(frozen=True)
class Brandspace:
    id: uuid.UUID
    name: str
    partition_key: str
    brand_ids: tuple[int, ...] = ()  # its brands, read with it: every read of its ads is limited to them


@dataclass(frozen=True)
class MembershipChange:
    brand_key: str
    role: BrandRole
    added: bool  # False: an existing member's role changed
    request_id: uuid.UUID | None  # the analysis request an addition recorded


def require_admin(user: User) -> None:
    if user.role != "admin":
        raise ForbiddenError("only an admin of the organization may do this")


def usable_brandspaces(conn: psycopg.Connection, user: User) -> list[Brandspace]:
    """The brandspaces ``user`` may use, by name: the brandspace switcher's list."""
    rows = conn.execute(
        """SELECT s.id, s.name, s.partition_key FROM brandspaces s
           WHERE s.organization_id = %(org)s
             AND (%(admin)s OR EXISTS (SELECT 1 FROM brandspace_members m
                                        WHERE m.brandspace_id = s.id AND m.user_id = %(user)s))
           ORDER BY s.name""",
        {"org": user.organization_id, "admin": user.role == "admin", "user": user.id},
    ).fetchall()
    return [Brandspace(*row) for row in rows]


def usable_brandspace(conn: psycopg.Connection, user: User, brandspace_id: uuid.UUID) -> Brandspace:
    """The brandspace if ``user`` may use it; :class:`NotFoundError` otherwise (another organization's
    brandspace and a missing one answer alike)."""
    row = conn.execute(
        """SELECT s.id, s.name, s.partition_key,
                  ARRAY(SELECT brand_id FROM brandspace_brands WHERE brandspace_id = s.id ORDER BY brand_id)
           FROM brandspaces s
           WHERE s.id = %(id)s AND s.organization_id = %(org)s
             AND (%(admin)s OR EXISTS (SELECT 1 FROM brandspace_members m
                                        WHERE m.brandspace_id = s.id AND m.user_id = %(user)s))""",
        {"id": brandspace_id, "org": user.organization_id, "admin": user.role == "admin", "user": user.id},
    ).fetchone()
    if row is None:
        raise NotFoundError("brandspace", brandspace_id)
    return Brandspace(row[0], row[1], row[2], tuple(row[3]))


def _partition_key(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "brandspace"
    return f"{slug}-{secrets.token_hex(3)}"


def create_brandspace(conn: psycopg.Connection, admin: User, name: str) -> Brandspace:
    """A new brandspace of the admin's organization; its report partition is added by the report
    refresh sensor when it first sees it."""
    require_admin(admin)
    try:
        with conn.transaction():
            row = one_row(
                conn.execute(
                    "INSERT INTO brandspaces (organization_id, name, partition_key) VALUES (%s, %s, %s) "
                    "RETURNING id, name, partition_key",
                    (admin.organization_id, name.strip(), _partition_key(name)),
                )
            )
    except pg_errors.UniqueViolation:
        raise ConflictError(f"the organization has a brandspace called {name.strip()!r} already") from None
    except pg_errors.CheckViolation:
        raise ConflictError("a brandspace needs a name") from None
    space = Brandspace(*row)
    log.info(
        "brandspace created", extra={"organization_id": str(admin.organization_id), "brandspace": space.partition_key}
    )
    return space


def link_user(conn: psycopg.Connection, user_id: uuid.UUID, brandspace_ids: list[uuid.UUID]) -> None:
    """Let the user use these brandspaces (the caller has checked they are its organization's)."""
    conn.cursor().executemany(
        "INSERT INTO brandspace_members (brandspace_id, user_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(brandspace_id, user_id) for brandspace_id in brandspace_ids],
    )


def set_members(conn: psycopg.Connection, admin: User, brandspace_id: uuid.UUID, user_ids: list[uuid.UUID]) -> None:
    """Link exactly these users of the admin's organization to the brandspace."""
    require_admin(admin)
    space = usable_brandspace(conn, admin, brandspace_id)
    known = {
        row[0]
        for row in conn.execute(
            "SELECT id FROM users WHERE organization_id = %s AND id = ANY(%s)", (admin.organization_id, user_ids)
        )
    }
    for user_id in user_ids:
        if user_id not in known:
            raise NotFoundError("user", user_id)
    conn.execute(
        "DELETE FROM brandspace_members WHERE brandspace_id = %s AND NOT user_id = ANY(%s)", (space.id, user_ids)
    )
    conn.cursor().executemany(
        "INSERT INTO brandspace_members (brandspace_id, user_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [(space.id, user_id) for user_id in user_ids],
    )


def _locked_brand_id(conn: psycopg.Connection, brand_key: str) -> int:
    """The brand's id, its row locked to the end of the transaction: an addition and a removal in two
    brandspaces at once take turns, so the brand is never left tracked while a brandspace holds it."""
    row = conn.execute("SELECT id FROM brands WHERE partition_key = %s FOR UPDATE", (brand_key,)).fetchone()
    if row is None:
        raise NotFoundError("brand", brand_key)
    return int(row[0])


def set_brand_role(
    conn: psycopg.Connection, admin: User, brandspace_id: uuid.UUID, brand_key: str, role: BrandRole
) -> MembershipChange:
    """Put the brand in the brandspace with ``role`` (or change its role). An addition turns the brand
    analyzed and records an analysis request; a second primary brand is a :class:`ConflictError`."""
    require_admin(admin)
    space = usable_brandspace(conn, admin, brandspace_id)
    brand_id = _locked_brand_id(conn, brand_key)
    try:
        with conn.transaction():
            (added,) = one_row(
                conn.execute(
                    """INSERT INTO brandspace_brands (brandspace_id, brand_id, role) VALUES (%s, %s, %s)
                       ON CONFLICT (brandspace_id, brand_id) DO UPDATE SET role = EXCLUDED.role
                       RETURNING xmax = 0""",
                    (space.id, brand_id, role),
                )
            )
    except pg_errors.UniqueViolation:
        raise ConflictError("the brandspace has a primary brand already; make it a competitor first") from None
    request_id = None
    if added:
        conn.execute("UPDATE brands SET status = 'analyzed' WHERE id = %s AND status = 'tracked'", (brand_id,))
        request_id = record_request(conn, brand=brand_key, organization_id=admin.organization_id, user_id=admin.id)
    log.info(
        "brandspace brand set",
        extra={"brandspace": space.partition_key, "brand": brand_key, "role": role, "added": added},
    )
    return MembershipChange(brand_key, role, added, request_id)


def remove_brand(conn: psycopg.Connection, admin: User, brandspace_id: uuid.UUID, brand_key: str) -> bool:
    """Take the brand out of the brandspace; returns whether it went back to tracked (no brandspace
    of any organization holds it any more)."""
    require_admin(admin)
    space = usable_brandspace(conn, admin, brandspace_id)
    brand_id = _locked_brand_id(conn, brand_key)
    removed = conn.execute(
        "DELETE FROM brandspace_brands WHERE brandspace_id = %s AND brand_id = %s", (space.id, brand_id)
    ).rowcount
    if not removed:
        raise NotFoundError("brand in this brandspace", brand_key)
    tracked = conn.execute(
        """UPDATE brands SET status = 'tracked' WHERE id = %s AND status = 'analyzed'
           AND NOT EXISTS (SELECT 1 FROM brandspace_brands WHERE brand_id = %s)""",
        (brand_id, brand_id),
    ).rowcount
    log.info(
        "brandspace brand removed",
        extra={"brandspace": space.partition_key, "brand": brand_key, "tracked": bool(tracked)},
    )
    return bool(tracked)


def request_analysis(conn: psycopg.Connection, user: User, brand_key: str, *, kind: Kind = "analyze") -> uuid.UUID:
    """Record an interactive request for the brand's acquisition and analysis, for a brand in one of
    the user's brandspaces (:class:`BrandNotHeldError` otherwise: AI is spent on brands customers hold)."""
    held = conn.execute(
        """SELECT 1 FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id
           WHERE b.partition_key = %s AND m.brandspace_id = ANY(%s)""",
        (brand_key, [space.id for space in usable_brandspaces(conn, user)]),
    ).fetchone()
    if held is None:
        raise BrandNotHeldError(f"brand {brand_key!r} is in none of your brandspaces; add it to one first")
    return record_request(conn, brand=brand_key, kind=kind, organization_id=user.organization_id, user_id=user.id)
