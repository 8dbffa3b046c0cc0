"""Ads as the API lists and shows them: filters over the shared library, and one ad's analysis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from adology.serving.listing import Query
from adology.tenancy.errors import NotFoundError

AD_COLUMNS = (
    "id",
    "brand",
    "brand_name",
    "source",
    "source_ad_id",
    "platforms",
    "display_format",
    "title",
    "body",
    "cta",
    "link_url",
    "started_at",
    "ended_at",
    "is_active",
    "first_seen_at",
    "creatives",
)

_AD_SELECT = sql.SQL(
    """SELECT a.id, b.partition_key AS brand, b.name AS brand_name, a.source, a.source_ad_id, a.platforms,
              a.display_format, a.title, a.body, a.cta, a.link_url, a.started_at, a.ended_at, a.is_active,
              a.first_seen_at, jsonb_array_length(a.media) AS creatives
       FROM ads a JOIN brands b ON b.id = a.brand_id"""
)

_AD_DETAIL = sql.SQL(
    """SELECT a.id, b.partition_key AS brand, b.name AS brand_name, a.source, a.source_ad_id, a.platforms,
              a.display_format, a.title, a.body, a.cta, a.link_url, a.started_at, a.ended_at, a.is_active,
              a.first_seen_at, a.last_seen_at, a.media, a.media_failure, a.spend_range, a.impressions_range
       FROM ads a JOIN brands b ON b.id = a.brand_id WHERE a.id = %s"""
)


@dataclass(frozen=True)
class AdFilters:
    """What narrows an ads list; ``brand_ids`` None means every brand (the library is shared)."""

    brand_ids: list[int] | None = None
    platform: str | None = None
    display_format: str | None = None
    active: bool | None = None
    started_after: datetime | None = None
    started_before: datetime | None = None
    label: str | None = None  # a UNIVERSAL or TREND label, e.g. "offer:free_shipping"
    attribute: tuple[str, str] | None = None  # (attribute name, value), compared case-insensitively
    text: str | None = None  # words in the copy or the description (web search syntax: "a phrase", -not, or)


def ads_query(filters: AdFilters) -> Query:
    conditions: list[sql.Composable] = []
    params: dict[str, Any] = {}

    def where(condition: str, **values: Any) -> None:
        conditions.append(sql.SQL(condition))
        params.update(values)

    if filters.brand_ids is not None:
        where("a.brand_id = ANY(%(brand_ids)s)", brand_ids=filters.brand_ids)
    if filters.platform:
        where("%(platform)s = ANY(a.platforms)", platform=filters.platform.lower())
    if filters.display_format:
        where("lower(a.display_format) = lower(%(display_format)s)", display_format=filters.display_format)
    if filters.active is not None:
        where("a.is_active IS NOT DISTINCT FROM %(active)s", active=filters.active)
    if filters.started_after:
        where("a.started_at >= %(started_after)s", started_after=filters.started_after)
    if filters.started_before:
        where("a.started_at < %(started_before)s", started_before=filters.started_before)
    if filters.label:
        where("EXISTS (SELECT 1 FROM ad_labels l WHERE l.ad_id = a.id AND l.label = %(label)s)", label=filters.label)
    if filters.attribute:
        name, value = filters.attribute
        where(
            "EXISTS (SELECT 1 FROM ad_descriptions d WHERE d.ad_id = a.id "
            "AND lower(d.attributes ->> %(attribute_name)s) = lower(%(attribute_value)s))",
            attribute_name=name,
            attribute_value=value,
        )
    if filters.text:
        # the expression of the ads_text_search index (migration 0018), written the same way to use it
        where(
            "(a.copy_search || coalesce(a.description_search, ''::tsvector)) "
            "@@ websearch_to_tsquery('english', %(text)s)",
            text=filters.text,
        )
    return Query(
        kind="ads",
        select=_AD_SELECT,
        conditions=conditions,
        params=params,
        order=("a.id",),
        key=lambda row: (row["id"],),
        columns=AD_COLUMNS,
    )


def ad_brand_id(conn: psycopg.Connection, ad_id: int) -> int:
    row = conn.execute("SELECT brand_id FROM ads WHERE id = %s", (ad_id,)).fetchone()
    if row is None:
        raise NotFoundError("ad", ad_id)
    return int(row[0])


def ad_detail(conn: psycopg.Connection, ad_id: int, creative_url: Callable[[str], str]) -> dict[str, Any]:
    """The ad with its latest description and attributes, its labels, and its creatives, each with a
    short-lived URL made by ``creative_url`` from the S3 key (none for a creative not stored)."""
    with conn.cursor(row_factory=dict_row) as cur:
        ad = cur.execute(_AD_DETAIL, (ad_id,)).fetchone()
        if ad is None:
            raise NotFoundError("ad", ad_id)
        description = cur.execute(
            """SELECT description, word_count, attributes, analysis_version, provider, model, created_at
               FROM ad_descriptions WHERE ad_id = %s ORDER BY created_at DESC LIMIT 1""",
            (ad_id,),
        ).fetchone()
        labels = cur.execute(
            """SELECT DISTINCT ON (taxonomy, label) taxonomy, label, confidence, taxonomy_version
               FROM ad_labels WHERE ad_id = %s ORDER BY taxonomy, label, created_at DESC""",
            (ad_id,),
        ).fetchall()
    media = ad.pop("media")
    creatives = [
        {
            "kind": item.get("kind"),
            "content_type": item.get("content_type"),
            "bytes": item.get("bytes"),
            "url": creative_url(item["s3_key"]) if item.get("s3_key") else None,
            "error": item.get("error"),
        }
        for item in media
    ]
    return ad | {"creatives": creatives, "description": description, "labels": labels}


def first_creatives(conn: psycopg.Connection, ad_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What a grid card shows of each ad: its first creative's kind, whether it is stored, and how many
    creatives the ad has (a carousel has several)."""
    rows = conn.execute(
        """SELECT id, media -> 0 ->> 'kind', (media -> 0 ->> 's3_key') IS NOT NULL, jsonb_array_length(media)
           FROM ads WHERE id = ANY(%s)""",
        (ad_ids,),
    ).fetchall()
    return {row[0]: {"kind": row[1], "stored": row[2], "count": row[3]} for row in rows}


def stored_creative(conn: psycopg.Connection, ad_id: int, index: int) -> dict[str, str] | None:
    """The ad's ``index``-th creative as stored (``s3_key``, ``sha256``, ``kind``), or None when it was
    not stored; NotFoundError for an unknown ad."""
    row = conn.execute("SELECT media -> %s FROM ads WHERE id = %s", (index, ad_id)).fetchone()
    if row is None:
        raise NotFoundError("ad", ad_id)
    item = row[0] or {}
    if not item.get("s3_key"):
        return None
    # a stored creative always has its sha256 beside its key (adology/acquisition/brand.py)
    return {"s3_key": item["s3_key"], "sha256": item["sha256"], "kind": item.get("kind") or "image"}


def monthly_starts(conn: psycopg.Connection, brand_ids: list[int], *, months: int) -> list[dict[str, Any]]:
    """How many ads each brand started per month, over the last ``months`` months that have any."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """WITH counted AS (
                 SELECT date_trunc('month', a.started_at) AS month, b.partition_key AS brand, count(*) AS ads
                 FROM ads a JOIN brands b ON b.id = a.brand_id
                 WHERE a.brand_id = ANY(%(brands)s) AND a.started_at IS NOT NULL
                 GROUP BY 1, 2)
               SELECT * FROM counted
               WHERE month IN (SELECT DISTINCT month FROM counted ORDER BY month DESC LIMIT %(months)s)
               ORDER BY month, brand""",
            {"brands": brand_ids, "months": months},
        ).fetchall()


def label_counts(conn: psycopg.Connection, brand_id: int, *, limit: int = 60) -> list[tuple[str, int]]:
    """The labels the brand's ads carry, most ads first: the choices of a label filter."""
    rows = conn.execute(
        """SELECT l.label, count(DISTINCT l.ad_id) FROM ad_labels l JOIN ads a ON a.id = l.ad_id
           WHERE a.brand_id = %s GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s""",
        (brand_id, limit),
    ).fetchall()
    return [(label, count) for label, count in rows]
