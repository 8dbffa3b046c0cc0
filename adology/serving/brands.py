"""Brands as the API lists and shows them (shared by every organization), and a brandspace's brands."""

from __future__ import annotations

import uuid
from typing import Any, NamedTuple

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adology.serving.listing import Query
from adology.tenancy.errors import NotFoundError

BRAND_COLUMNS = ("id", "key", "name", "category", "status", "last_acquired_at", "last_analyzed_at", "ads")

_BRAND_SELECT = sql.SQL(
    """SELECT b.id, b.partition_key AS key, b.name, b.category, b.status, b.last_acquired_at, b.last_analyzed_at,
              (SELECT count(*) FROM ads a WHERE a.brand_id = b.id) AS ads
       FROM brands b"""
)


def _contains(text: str) -> str:
    """An ILIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def brands_query(name: str | None = None) -> Query:
    """Every brand, newest first; ``name`` matches anywhere in the name, in any case."""
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}
    if name:
        conditions.append(sql.SQL("b.name ILIKE %(name)s"))
        params["name"] = _contains(name)
    return Query(
        kind="brands",
        select=_BRAND_SELECT,
        conditions=conditions,
        params=params,
        order=("b.id",),
        key=lambda row: (row["id"],),
        columns=BRAND_COLUMNS,
    )


def brand_row(conn: psycopg.Connection, brand_key: str) -> dict[str, Any]:
    """The brand with its sources and handles, status, ad counts and last acquisition and analysis."""
    with conn.cursor(row_factory=dict_row) as cur:
        brand = cur.execute(sql.SQL("{} WHERE b.partition_key = %s").format(_BRAND_SELECT), (brand_key,)).fetchone()
        if brand is None:
            raise NotFoundError("brand", brand_key)
        sources = cur.execute(
            "SELECT source, handle, created_at FROM brand_sources WHERE brand_id = %s ORDER BY source, handle",
            (brand["id"],),
        ).fetchall()
        counts = cur.execute(
            """SELECT count(*) FILTER (WHERE a.is_active) AS active_ads,
                      count(*) FILTER (WHERE a.first_seen_at > now() - interval '7 days') AS new_ads_7d,
                      count(*) FILTER (WHERE a.first_seen_at > now() - interval '30 days') AS new_ads_30d,
                      count(DISTINCT d.ad_id) AS described_ads
               FROM ads a LEFT JOIN ad_descriptions d ON d.ad_id = a.id WHERE a.brand_id = %s""",
            (brand["id"],),
        ).fetchone()
    return brand | (counts or {}) | {"sources": sources}


BRANDSPACE_BRAND_COLUMNS = (
    "key",
    "name",
    "category",
    "role",
    "status",
    "ads",
    "active_ads",
    "new_ads_7d",
    "new_ads_30d",
    "last_acquired_at",
    "last_analyzed_at",
    "added_at",
)


def brandspace_brands(conn: psycopg.Connection, brandspace_id: uuid.UUID) -> list[dict[str, Any]]:
    """The brandspace's brands, primary first, with status and how many ads are new in 7 and 30 days."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT b.id, b.partition_key AS key, b.name, b.category, m.role, b.status, b.last_acquired_at,
                      b.last_analyzed_at,
                      m.added_at, count(a.id) AS ads, count(a.id) FILTER (WHERE a.is_active) AS active_ads,
                      count(a.id) FILTER (WHERE a.first_seen_at > now() - interval '7 days') AS new_ads_7d,
                      count(a.id) FILTER (WHERE a.first_seen_at > now() - interval '30 days') AS new_ads_30d
               FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id LEFT JOIN ads a ON a.brand_id = b.id
               WHERE m.brandspace_id = %s
               GROUP BY b.id, m.role, m.added_at
               ORDER BY array_position(ARRAY['primary', 'competitor', 'followed'], m.role), b.name""",
            (brandspace_id,),
        ).fetchall()


class MemberBrand(NamedTuple):
    id: int
    name: str


def brandspace_members(conn: psycopg.Connection, brandspace_id: uuid.UUID) -> dict[str, MemberBrand]:
    """The brandspace's brands by key, primary first, then competitors and followed (the pages' order)."""
    rows = conn.execute(
        """SELECT b.partition_key, b.id, b.name FROM brandspace_brands m JOIN brands b ON b.id = m.brand_id
           WHERE m.brandspace_id = %s
           ORDER BY array_position(ARRAY['primary', 'competitor', 'followed'], m.role), b.name""",
        (brandspace_id,),
    ).fetchall()
    return {key: MemberBrand(brand, name) for key, brand, name in rows}


def brand_ids_of(conn: psycopg.Connection, brand_keys: list[str]) -> list[int]:
    """The ids of the brands with these keys (unknown keys are left out)."""
    return [row[0] for row in conn.execute("SELECT id FROM brands WHERE partition_key = ANY(%s)", (brand_keys,))]


def brand_id(conn: psycopg.Connection, brand_key: str) -> int:
    """The brand's id; :class:`NotFoundError` when no brand has the key."""
    row = conn.execute("SELECT id FROM brands WHERE partition_key = %s", (brand_key,)).fetchone()
    if row is None:
        raise NotFoundError("brand", brand_key)
    return int(row[0])
