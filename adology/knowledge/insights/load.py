"""A brand's ads and their current analyses, read from Postgres into :class:`BrandData`.

"Current" is what ``ad_analysis_state`` says succeeded last: the description of the describe
stage's recorded version, the labels of each taxonomy's newest version, and per embedding kind
the newest vector. Vectors of one kind are compared with each other, so only the model most of
the brand's ads were embedded with is kept for each kind (a brand half re-embedded by another
provider clusters on the half that matches until the rest catches up).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector

from adology.brands import load_brand
from adology.knowledge.insights.data import AdRecord, BrandData, LabelRecord


def load_brand_data(conn: psycopg.Connection, brand_key: str) -> BrandData:
    """The brand, then four queries: its ads, their current descriptions, labels and vectors."""
    brand = load_brand(conn, brand_key)
    brand_id = brand.id
    ads = conn.execute(
        """SELECT a.id, a.source, a.started_at, a.first_seen_at, a.last_seen_at, a.ended_at,
                  coalesce(a.is_active, false), a.display_format, a.cta, a.title, a.body, a.platforms,
                  coalesce((SELECT array_agg(m->>'sha256' ORDER BY m->>'sha256') FROM jsonb_array_elements(a.media) m
                            WHERE m->>'sha256' IS NOT NULL AND m->>'s3_key' IS NOT NULL), '{}'),
                  a.content_hash,
                  coalesce((SELECT array_agg(s.stage || ':' || s.version || ':' || s.input_hash ORDER BY s.stage)
                            FROM ad_analysis_state s WHERE s.ad_id = a.id AND s.status = 'succeeded'), '{}')
           FROM ads a WHERE a.brand_id = %s ORDER BY a.id""",
        (brand_id,),
    ).fetchall()
    descriptions = {
        ad_id: (text, attributes)
        for ad_id, text, attributes in conn.execute(
            """SELECT d.ad_id, d.description, d.attributes
               FROM ads a JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = 'describe' AND s.status = 'succeeded'
               JOIN ad_descriptions d ON d.ad_id = a.id AND d.analysis_version = s.version
               WHERE a.brand_id = %s""",
            (brand_id,),
        )
    }
    labels: dict[int, list[LabelRecord]] = defaultdict(list)
    for ad_id, taxonomy, label, confidence in conn.execute(
        """WITH newest AS (  -- an ad labelled again under a new taxonomy version keeps the old rows
               SELECT DISTINCT ON (l.ad_id, l.taxonomy) l.ad_id, l.taxonomy, l.taxonomy_version
               FROM ad_labels l JOIN ads a ON a.id = l.ad_id WHERE a.brand_id = %s
               ORDER BY l.ad_id, l.taxonomy, l.created_at DESC, l.taxonomy_version DESC)
           SELECT l.ad_id, l.taxonomy, l.label, l.confidence
           FROM ad_labels l JOIN newest USING (ad_id, taxonomy, taxonomy_version)
           ORDER BY l.ad_id, l.taxonomy, l.label""",
        (brand_id,),
    ):
        labels[ad_id].append(LabelRecord(taxonomy, label, float(confidence)))
    vectors = _current_vectors(conn, brand_id)
    records = tuple(
        AdRecord(
            ad_id=row[0],
            source=row[1],
            started_at=row[2],
            first_seen_at=row[3],
            last_seen_at=row[4],
            ended_at=row[5],
            is_active=row[6],
            display_format=row[7],
            cta=row[8],
            title=row[9],
            body=row[10],
            platforms=tuple(row[11] or ()),
            media_sha256=tuple(row[12]),
            content_hash=row[13],
            analysis_versions=tuple(row[14]),
            description=descriptions.get(row[0], (None, {}))[0],
            attributes=descriptions.get(row[0], (None, {}))[1] or {},
            labels=tuple(labels.get(row[0], ())),
            retrieval=vectors["retrieval"].get(row[0]),
            visual=vectors["visual"].get(row[0]),
        )
        for row in ads
    )
    return BrandData(brand_id=brand_id, partition_key=brand_key, name=brand.name, ads=records)


def _current_vectors(conn: psycopg.Connection, brand_id: int) -> dict[str, dict[int, np.ndarray]]:
    """Per kind (retrieval, visual): ad id → the unit-normalised newest vector of the brand's main model."""
    register_vector(conn)  # vectors arrive as numpy arrays, in binary
    rows: dict[str, list[tuple[int, str, Any]]] = defaultdict(list)
    for ad_id, kind, model, embedding in conn.cursor(binary=True).execute(
        """SELECT DISTINCT ON (e.ad_id, e.kind) e.ad_id, e.kind, e.model, e.embedding
           FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id
           WHERE a.brand_id = %s AND e.kind IN ('retrieval', 'visual')
           ORDER BY e.ad_id, e.kind, e.created_at DESC""",
        (brand_id,),
    ):
        rows[kind].append((ad_id, model, embedding))
    vectors: dict[str, dict[int, np.ndarray]] = {"retrieval": {}, "visual": {}}
    for kind, found in rows.items():
        (main_model, _), *_ = Counter(model for _, model, _ in found).most_common(1)
        for ad_id, model, embedding in found:
            if model != main_model:
                continue
            vector = embedding.to_numpy().astype(np.float32)
            norm = float(np.linalg.norm(vector))
            vectors[kind][ad_id] = vector / norm if norm else vector
    return vectors
