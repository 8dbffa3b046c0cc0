"""Brands and where their ads come from: the spine that partitions and sources hang on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg

from adology.errors import AdologyError
from adology.sources.models import Connector
from adology.storage.postgres import one_row


class UnknownBrandError(AdologyError):
    """The brand partition has no row in ``brands``."""


@dataclass(frozen=True)
class BrandSource:
    connector: Connector
    handle: str  # Meta page id, Apify page id, Google advertiser id


@dataclass(frozen=True)
class Brand:
    id: int
    partition_key: str
    name: str
    status: str  # tracked | analyzed
    sources: tuple[BrandSource, ...]


def load_brand(conn: psycopg.Connection, partition_key: str) -> Brand:
    row = conn.execute(
        "SELECT id, partition_key, name, status FROM brands WHERE partition_key = %s", (partition_key,)
    ).fetchone()
    if row is None:
        raise UnknownBrandError(f"no brand with partition key {partition_key!r} in table brands")
    sources = tuple(
        BrandSource(Connector(source), handle)
        for source, handle in conn.execute(
            "SELECT source, handle FROM brand_sources WHERE brand_id = %s ORDER BY source, handle", (row[0],)
        )
    )
    return Brand(row[0], row[1], row[2], row[3], sources)


def upsert_brand(
    conn: psycopg.Connection,
    *,
    partition_key: str,
    name: str,
    sources: Iterable[BrandSource],
    category: str | None = None,
    status: str = "tracked",
) -> Brand:
    """Create or update a brand and add its sources (sources are only ever added here)."""
    (brand_id,) = one_row(
        conn.execute(
            """INSERT INTO brands (partition_key, name, category, status) VALUES (%s, %s, %s, %s)
           ON CONFLICT (partition_key) DO UPDATE
           SET name = EXCLUDED.name, category = coalesce(EXCLUDED.category, brands.category),
               status = EXCLUDED.status
           RETURNING id""",
            (partition_key, name, category, status),
        )
    )
    conn.cursor().executemany(
        "INSERT INTO brand_sources (brand_id, source, handle) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        [(brand_id, source.connector.value, source.handle) for source in sources],
    )
    return load_brand(conn, partition_key)


def unknown_brands(conn: psycopg.Connection, partition_keys: list[str]) -> list[str]:
    """The keys of ``partition_keys`` with no brand, in the order given."""
    found = {
        key
        for (key,) in conn.execute("SELECT partition_key FROM brands WHERE partition_key = ANY(%s)", (partition_keys,))
    }
    return [key for key in partition_keys if key not in found]


def brands_turned_analyzed(conn: psycopg.Connection, *, since: datetime, limit: int) -> list[tuple[str, datetime]]:
    """Brands that turned from tracked to analyzed after ``since`` (``brands.analyzed_since``, kept by a
    trigger), oldest change first: (partition key, when)."""
    return [
        (key, when)
        for key, when in conn.execute(
            "SELECT partition_key, analyzed_since FROM brands WHERE analyzed_since > %s "
            "ORDER BY analyzed_since LIMIT %s",
            (since, limit),
        )
    ]
