"""Register the local library's brands in Postgres, with a source row per connector."""

from __future__ import annotations

import httpx
import psycopg

from adology.brands import Brand, BrandSource, upsert_brand
from adology.sources.models import Connector


def register_library_brands(
    conn: psycopg.Connection, library_url: str, *, status: str = "tracked", limit: int | None = None
) -> list[Brand]:
    """Upsert the brands the library at ``library_url`` serves; returns them in catalog order."""
    response = httpx.get(f"{library_url}/brands", timeout=30)
    response.raise_for_status()
    listed = response.json()[:limit]
    return [
        upsert_brand(
            conn,
            partition_key=entry["partition_key"],
            name=entry["name"],
            category=entry.get("category"),
            status=status,
            sources=[BrandSource(Connector(name), source["handle"]) for name, source in entry["sources"].items()],
        )
        for entry in listed
    ]
