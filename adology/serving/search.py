"""Semantic search over ads' interpretations: the query's retrieval vector against the stored ones.

The HNSW indexes are partial, one per retrieval model and size (migration 0014), with vectors cast to
``halfvec``; a search names the model and size as literals so the planner matches the index
predicate, and casts the same way. Brands filter the neighbours, so pgvector's iterative scan is on:
with a brandspace holding a small share of the library, the index keeps walking until enough
neighbours pass the filter instead of returning too few.
"""

from __future__ import annotations

from typing import Any

import psycopg
from pgvector import HalfVector
from psycopg import sql
from psycopg.rows import dict_row

MAX_RESULTS = 100


def similar_ads(
    conn: psycopg.Connection, *, vector: list[float], model: str, brand_ids: list[int], limit: int
) -> list[dict[str, Any]]:
    """The ads of ``brand_ids`` whose retrieval vector from ``model`` is nearest ``vector``, nearest
    first, with their cosine similarity."""
    dims = len(vector)
    half = sql.SQL("halfvec({})").format(sql.Literal(dims))
    statement = sql.SQL(
        """SELECT a.id, b.partition_key AS brand, b.name AS brand_name, a.title, a.display_format, a.started_at,
                  1 - (e.embedding::{half} <=> %(query)s::{half}) AS similarity
           FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id JOIN brands b ON b.id = a.brand_id
           WHERE e.kind = 'retrieval' AND e.model = {model} AND e.dimensions = {dims}
             AND a.brand_id = ANY(%(brands)s)
           ORDER BY e.embedding::{half} <=> %(query)s::{half}
           LIMIT {limit}"""
    ).format(half=half, model=sql.Literal(model), dims=sql.Literal(dims), limit=sql.Literal(min(limit, MAX_RESULTS)))
    with conn.transaction():
        conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        conn.execute("SET LOCAL hnsw.ef_search = 100")
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(statement, {"query": HalfVector(vector), "brands": brand_ids}).fetchall()
    # relaxed order: the index returns neighbours nearly in order; the page is exactly in order
    return sorted(rows, key=lambda row: -row["similarity"])
