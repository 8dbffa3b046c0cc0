"""Insights versions: the S3 snapshot ``insights/{brand}/{version}.json``, then the row that points to it.

Versions count up per brand under a per-brand advisory lock (as report versions do per
brandspace, :mod:`adology.knowledge.snapshots`). A version is stored only when its input
fingerprint differs from the latest one's: the same ads and analyses make the same insights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from adology.knowledge.insights.model import BrandInsights
from adology.knowledge.versions import snapshot_problems
from adology.logs import get_logger
from adology.storage.postgres import one_row
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)


@dataclass(frozen=True)
class StoredInsights:
    brand: str  # partition key
    brand_id: int
    version: int
    s3_key: str
    insights: BrandInsights


def insights_key(brand_key: str, version: int) -> str:
    return f"insights/{brand_key}/{version}.json"


def latest_insights(conn: psycopg.Connection, brand_id: int, *, version: int | None = None) -> StoredInsights | None:
    """The brand's newest stored version (or ``version``), or None when it has none."""
    row = conn.execute(
        """SELECT b.partition_key, i.version, i.s3_key, i.insights
           FROM brand_insights i JOIN brands b ON b.id = i.brand_id
           WHERE i.brand_id = %s AND (%s::int IS NULL OR i.version = %s) ORDER BY i.version DESC LIMIT 1""",
        (brand_id, version, version),
    ).fetchone()
    if row is None:
        return None
    brand_key, found, key, body = row
    return StoredInsights(brand_key, brand_id, found, key, BrandInsights.model_validate(body))


def latest_readable(conn: psycopg.Connection, brand_id: int) -> StoredInsights | None:
    """The newest version, or None when there is none or it was written under an earlier schema
    (then there is nothing to compare with: the next version is computed and stored afresh)."""
    try:
        return latest_insights(conn, brand_id)
    except ValidationError as exc:
        log.warning("latest insights unreadable", extra={"brand_id": brand_id, "error": str(exc)[:300]})
        return None


def store_insights(
    conn: psycopg.Connection, store: ObjectStore, insights: BrandInsights
) -> tuple[StoredInsights, StoredInsights | None]:
    """Store ``insights`` as the brand's next version and return it with the version before it.

    Call inside a transaction the caller commits (alerts about the change join it, so a change is
    announced exactly when its version exists). The snapshot is written before the row, so a row
    never points to a missing object.
    """
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('brand_insights:' || %s::text, 0))", (insights.brand_id,)
    )
    previous = latest_readable(conn, insights.brand_id)
    (version,) = one_row(
        conn.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM brand_insights WHERE brand_id = %s", (insights.brand_id,)
        )
    )
    key = insights_key(insights.brand, version)
    body = insights.model_dump(mode="json")
    store.put_bytes(key=key, data=json.dumps(body).encode(), content_type="application/json")
    conn.execute(
        """INSERT INTO brand_insights (brand_id, version, insights, ads_counted, computed_at, input_fingerprint,
                                       s3_key, status)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
        (
            insights.brand_id,
            version,
            Jsonb(body),
            insights.ads_counted,
            insights.as_of,
            insights.input_fingerprint,
            key,
            insights.status,
        ),
    )
    log.info("insights stored", extra={"brand": insights.brand, "version": version, "s3_key": key})
    return StoredInsights(insights.brand, insights.brand_id, version, key, insights), previous


def insights_problems(conn: psycopg.Connection, store: ObjectStore, stored: StoredInsights) -> dict[str, list[str]]:
    """Per asset check, what is wrong with a stored version (an empty list: it passes)."""
    insights = stored.insights
    cited = sorted(insights.cited_ad_ids())
    foreign = [
        ad_id
        for (ad_id,) in conn.execute(
            """SELECT c.id FROM unnest(%s::bigint[]) c(id) LEFT JOIN ads a ON a.id = c.id
               WHERE a.id IS NULL OR a.brand_id <> %s ORDER BY c.id""",
            (cited, stored.brand_id),
        )
    ]
    problems: dict[str, list[str]] = {
        "cited_ads_belong_to_brand": [f"ad {ad_id} is not one of the brand's ads" for ad_id in foreign[:20]],
        "shares_within_unit_interval": [
            f"share {share} is outside [0, 1]" for share in insights.shares() if not 0 <= share <= 1
        ],
        "every_ad_counted_once_in_themes": _theme_membership_problems(insights),
        "significant_trends_have_p_values": [
            f"{trend.signal}: q {trend.q_value} above {insights.trends.level} or p {trend.p_value} outside [0, 1]"
            for trend in insights.significant_trends()
            if not (0 <= trend.p_value <= 1 and 0 <= trend.q_value <= insights.trends.level)
        ],
        "stored_insights_match_snapshot": _snapshot_problems(conn, store, stored),
    }
    return problems


def _theme_membership_problems(insights: BrandInsights) -> list[str]:
    themes = insights.themes.themes
    if not themes:
        return [] if insights.themes.status != "ok" or insights.ads_counted == 0 else ["status ok but no themes"]
    seen: dict[int, str] = {}
    problems = []
    for theme in themes:
        for ad_id in theme.ad_ids:
            if ad_id in seen:
                problems.append(f"ad {ad_id} is in {seen[ad_id]} and {theme.id}")
            seen[ad_id] = theme.id
    if len(seen) != insights.ads_counted:
        problems.append(f"themes hold {len(seen)} ads, the insights count {insights.ads_counted}")
    return problems[:20]


def _snapshot_problems(conn: psycopg.Connection, store: ObjectStore, stored: StoredInsights) -> list[str]:
    row = conn.execute(
        "SELECT insights, s3_key FROM brand_insights WHERE brand_id = %s AND version = %s",
        (stored.brand_id, stored.version),
    ).fetchone()
    return snapshot_problems(store, row, table="brand_insights", version=stored.version, s3_key=stored.s3_key)
