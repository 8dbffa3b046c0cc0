"""Disclosed spend and impressions per brand and month: the ranges the ad libraries publish (Meta's,
for ads shown in the EU and for political ads), summed over the ads that disclose them.

An ad without a range is unknown, not zero: every row says how many of the month's ads disclosed a
range, beside the sums, so a reader never mistakes a brand that discloses little for one that spends
little. A sum's upper bound is null when one of its ranges is open-ended ("at least")."""

from __future__ import annotations

from psycopg import sql

from adology.serving.listing import Query

SPEND_COLUMNS = (
    "month",
    "brand",
    "brand_name",
    "sources",
    "ads",
    "ads_disclosing_spend",
    "spend_lower",
    "spend_upper",
    "currencies",
    "ads_disclosing_impressions",
    "impressions_lower",
    "impressions_upper",
)

# one row per (brand, month the ads started); the upper sums are null when any range is open-ended
_MONTHS = sql.SQL(
    """SELECT * FROM (
         SELECT date_trunc('month', a.started_at) AS month, b.partition_key AS brand, b.name AS brand_name,
                array_agg(DISTINCT a.source ORDER BY a.source)
                  FILTER (WHERE a.spend_range ? 'lower' OR a.impressions_range ? 'lower') AS sources,
                count(*) AS ads,
                count(*) FILTER (WHERE a.spend_range ? 'lower') AS ads_disclosing_spend,
                sum((a.spend_range ->> 'lower')::numeric) AS spend_lower,
                CASE WHEN bool_or(a.spend_range ? 'lower' AND a.spend_range ->> 'upper' IS NULL) THEN NULL
                     ELSE sum((a.spend_range ->> 'upper')::numeric) END AS spend_upper,
                array_agg(DISTINCT a.spend_range ->> 'currency')
                  FILTER (WHERE a.spend_range ->> 'currency' IS NOT NULL) AS currencies,
                count(*) FILTER (WHERE a.impressions_range ? 'lower') AS ads_disclosing_impressions,
                sum((a.impressions_range ->> 'lower')::numeric) AS impressions_lower,
                CASE WHEN bool_or(a.impressions_range ? 'lower' AND a.impressions_range ->> 'upper' IS NULL)
                     THEN NULL ELSE sum((a.impressions_range ->> 'upper')::numeric) END AS impressions_upper
         FROM ads a JOIN brands b ON b.id = a.brand_id
         WHERE a.brand_id = ANY(%(brand_ids)s) AND a.started_at IS NOT NULL
         GROUP BY 1, 2, 3
       ) months"""
)


def _shape(row: dict[str, object]) -> dict[str, object]:
    numbers = ("spend_lower", "spend_upper", "impressions_lower", "impressions_upper")
    return (
        row
        | {
            name: None if row[name] is None else int(row[name])  # type: ignore[call-overload]
            for name in numbers
        }
        | {"sources": row["sources"] or [], "currencies": row["currencies"] or []}
    )


def spend_query(brand_ids: list[int]) -> Query:
    """The months of the brands' ads, newest first, a row per brand."""
    return Query(
        kind="spend",
        select=_MONTHS,
        conditions=[],
        params={"brand_ids": brand_ids},
        order=("months.month", "months.brand"),
        key=lambda row: (row["month"], row["brand"]),
        columns=SPEND_COLUMNS,
        shape=_shape,
    )
