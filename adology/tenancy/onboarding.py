"""Brand onboarding: a user types a brand, the sources propose candidates, the user confirms one.

The lookup asks every configured source (:mod:`adology.sources.lookup`) and is kept, private to the
organization, with its candidates; confirming a candidate by its index registers the brand with the
handles the sources gave (nothing the client sends becomes a handle), or finds the brand already
registered under one of them, so two customers onboarding one brand share it.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from adology.brands import BrandSource, upsert_brand
from adology.logs import get_logger
from adology.settings import Settings
from adology.sources.lookup import lookup_brand
from adology.sources.models import Connector
from adology.storage.postgres import one_row
from adology.tenancy.accounts import User
from adology.tenancy.errors import ConflictError, NotFoundError

log = get_logger(__name__)


def _registered_brand(conn: psycopg.Connection, matches: list[dict[str, Any]]) -> str | None:
    """The brand already registered under one of these (source, handle) pairs, if any."""
    pairs = [(match["source"], match["handle"]) for match in matches]
    if not pairs:
        return None
    row = conn.execute(
        """SELECT b.partition_key FROM brand_sources s JOIN brands b ON b.id = s.brand_id
           WHERE (s.source, s.handle) IN (SELECT * FROM unnest(%s::text[], %s::text[])) ORDER BY b.id LIMIT 1""",
        ([source for source, _ in pairs], [handle for _, handle in pairs]),
    ).fetchone()
    return row[0] if row else None


def _lookup_view(conn: psycopg.Connection, row: dict[str, Any]) -> dict[str, Any]:
    candidates = [
        candidate | {"index": index, "registered_brand": _registered_brand(conn, candidate["matches"])}
        for index, candidate in enumerate(row["candidates"])
    ]
    return row | {"candidates": candidates}


def start_lookup(
    conn: psycopg.Connection,
    settings: Settings,
    user: User,
    name: str,
    *,
    domain: str | None = None,
    facebook_page_id: str | None = None,
) -> dict[str, Any]:
    """Ask every configured source for the brand and keep what they proposed; the stored lookup."""
    result = asyncio.run(lookup_brand(settings, name, domain=domain, facebook_page_id=facebook_page_id))
    candidates = [
        {
            "name": candidate.name,
            "domain": candidate.domain,
            "score": candidate.score,
            "matches": [
                {
                    "source": match.connector.value,
                    "handle": match.handle,
                    "name": match.name,
                    "domain": match.domain,
                    "ads_seen": match.ads_seen,
                }
                for match in candidate.matches
            ],
        }
        for candidate in result.candidates
    ]
    query = {"name": name, "domain": domain, "facebook_page_id": facebook_page_id}
    (lookup_id,) = one_row(
        conn.execute(
            "INSERT INTO brand_lookups (organization_id, user_id, query, candidates, failures) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (user.organization_id, user.id, Jsonb(query), Jsonb(candidates), Jsonb(dict(result.failures))),
        )
    )
    log.info(
        "brand looked up",
        extra={
            "organization_id": str(user.organization_id),
            "candidates": len(candidates),
            "failures": len(result.failures),
        },
    )
    return get_lookup(conn, user, lookup_id)


def get_lookup(conn: psycopg.Connection, user: User, lookup_id: uuid.UUID) -> dict[str, Any]:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            """SELECT l.id, l.query, l.candidates, l.failures, b.partition_key AS confirmed_brand
               FROM brand_lookups l LEFT JOIN brands b ON b.id = l.confirmed_brand_id
               WHERE l.id = %s AND l.organization_id = %s""",
            (lookup_id, user.organization_id),
        ).fetchone()
    if row is None:
        raise NotFoundError("brand lookup", lookup_id)
    return _lookup_view(conn, row)


def _free_partition_key(conn: psycopg.Connection, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "brand"
    taken = {
        row[0]
        for row in conn.execute(
            "SELECT partition_key FROM brands WHERE partition_key = %s OR partition_key LIKE %s", (base, base + "-%")
        )
    }
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def confirm_lookup(conn: psycopg.Connection, user: User, lookup_id: uuid.UUID, candidate: int) -> str:
    """Register the chosen candidate's brand with its handles (or find it registered); its key."""
    lookup = get_lookup(conn, user, lookup_id)
    if candidate >= len(lookup["candidates"]):
        raise NotFoundError("candidate", candidate)
    chosen = lookup["candidates"][candidate]
    if not chosen["matches"]:
        raise ConflictError("the candidate has no source handle to acquire its ads from")
    sources = [BrandSource(Connector(match["source"]), match["handle"]) for match in chosen["matches"]]
    existing = chosen["registered_brand"]
    if existing is not None:
        row = conn.execute("SELECT name, status FROM brands WHERE partition_key = %s", (existing,)).fetchone()
        name, status = row if row else (chosen["name"], "tracked")
        brand = upsert_brand(conn, partition_key=existing, name=name, sources=sources, status=status)
    else:
        key = _free_partition_key(conn, chosen["name"])
        brand = upsert_brand(conn, partition_key=key, name=chosen["name"], sources=sources)
    conn.execute("UPDATE brand_lookups SET confirmed_brand_id = %s WHERE id = %s", (brand.id, lookup_id))
    log.info(
        "brand onboarded",
        extra={"organization_id": str(user.organization_id), "brand": brand.partition_key, "new": existing is None},
    )
    return brand.partition_key
