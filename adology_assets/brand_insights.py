"""The ``brand_insights`` asset: per analyzed brand, its themes, attribute summary, trends and
momentum as a new stored version, with an AI summary whose claims were checked against them
(:mod:`adology.knowledge.insights`).

A brand whose ads and analyses are unchanged since the latest version gets no new version and no
AI call; the checks then look at that latest version. A tracked brand is skipped with the reason.
"""

import asyncio
import datetime as dt
from typing import Any

import dagster as dg

from adology.ai.registry import open_provider
from adology.brands import load_brand
from adology.knowledge.insights.refresh import InsightsOutcome, refresh_insights
from adology.knowledge.insights.store import StoredInsights, insights_problems
from adology.logs import log_context
from adology_assets.vocabulary import (
    AD_DESCRIPTIONS,
    AD_EMBEDDINGS,
    AD_LABELS,
    BRAND_BACKFILL_POLICY,
    BRAND_INSIGHTS,
    STAGE_TAG,
    brand_partitions,
)
from resources import AIResource, ObjectStoreResource, PostgresResource

_CHECKS = {
    "cited_ads_belong_to_brand": "Every ad id the insights cite exists and belongs to the brand.",
    "shares_within_unit_interval": "Every share the insights state lies in [0, 1].",
    "every_ad_counted_once_in_themes": "Each counted ad is in exactly one theme, or there are none as the status says.",
    "significant_trends_have_p_values": "Every trend called significant has a p-value and a q-value within the level.",
    "stored_insights_match_snapshot": "The version's row exists and its S3 snapshot exists and says the same.",
}


@dg.asset(
    key=BRAND_INSIGHTS,
    deps=[AD_DESCRIPTIONS, AD_LABELS, AD_EMBEDDINGS],
    partitions_def=brand_partitions,
    backfill_policy=BRAND_BACKFILL_POLICY,
    group_name="knowledge",
    kinds={"python", "postgres", "s3"},
    owners=["team:data-platform"],
    description="Per analyzed brand: themes, attributes, trends with change tests, momentum, a checked AI summary.",
    check_specs=[dg.AssetCheckSpec(name, asset=BRAND_INSIGHTS, description=text) for name, text in _CHECKS.items()],
    tags={STAGE_TAG: "insights"},
)
def brand_insights(
    context: dg.AssetExecutionContext, postgres: PostgresResource, object_store: ObjectStoreResource, ai: AIResource
) -> dg.MaterializeResult:
    store = object_store.get_store()
    now = dt.datetime.now(dt.UTC)
    with postgres.get_connection() as conn:
        brands = [load_brand(conn, key) for key in context.partition_keys]

    async def refresh_all() -> list[InsightsOutcome]:
        async with open_provider(ai.provider_config()) as provider:
            return [
                await refresh_insights(postgres.get_connection, store, provider, brand.partition_key, now=now)
                for brand in brands
                if brand.status == "analyzed"
            ]

    with log_context(run_id=context.run.run_id):
        outcomes = {outcome.brand: outcome for outcome in asyncio.run(refresh_all())}
    # a backfill run covers up to ten brands (BRAND_BACKFILL_POLICY) and Dagster records one
    # materialization for the run's partitions: metadata and checks speak for every brand in it
    per_brand: dict[str, dict[str, Any]] = {}
    problems: dict[str, list[str]] = {name: [] for name in _CHECKS}
    for brand in brands:
        outcome = outcomes.get(brand.partition_key)
        if outcome is None:
            per_brand[brand.partition_key] = {"skipped_reason": f"brand is {brand.status}, not analyzed"}
            continue
        stored = outcome.stored
        with postgres.get_connection() as conn:
            for name, found in insights_problems(conn, store, stored).items():
                problems[name] += [f"{brand.partition_key}: {problem}" for problem in found]
        per_brand[brand.partition_key] = _metadata(outcome, stored)
        context.log.info(
            "%s: insights version %d (%s), %d themes, %d significant trends",
            brand.partition_key,
            stored.version,
            "unchanged" if outcome.unchanged else "new",
            len(stored.insights.themes.themes),
            len(stored.insights.significant_trends()),
        )
    metadata: dict[str, Any] = (
        dict(next(iter(per_brand.values()))) if len(per_brand) == 1 else {"brands": dg.MetadataValue.json(per_brand)}
    )
    return dg.MaterializeResult(
        metadata={name: _as_metadata(value) for name, value in metadata.items()},
        check_results=[
            dg.AssetCheckResult(
                check_name=name, passed=not found, metadata={"problems": "; ".join(found[:20]) or "none"}
            )
            for name, found in problems.items()
        ],
    )


def _as_metadata(value: Any) -> Any:
    return dg.MetadataValue.json(value) if isinstance(value, dict) else value


def _metadata(outcome: InsightsOutcome, stored: StoredInsights) -> dict[str, Any]:
    insights = stored.insights
    summary = insights.summary
    top = insights.significant_trends()[:3]
    return {
        "version": stored.version,
        "unchanged": outcome.unchanged,
        "s3_key": stored.s3_key,
        "status": insights.status,
        "ads_counted": insights.ads_counted,
        "units_counted": insights.units_counted,
        "themes": len(insights.themes.themes),
        "silhouette": insights.themes.method.silhouette if insights.themes.method else None,
        "trends_tested": insights.trends.tested,
        "trends_significant": len(insights.significant_trends()),
        "top_trends": "; ".join(
            f"{trend.signal} {trend.direction}: {trend.share_before:.0%} → {trend.share_after:.0%} "
            f"after {trend.change_after} (q={trend.q_value:.2g})"
            for trend in top
        )
        or "none",
        "summary_status": summary.status,
        "summary_reason": summary.reason or "",
        "claims_kept": len(summary.claims),
        "claims_dropped": sum(summary.dropped.values()),
        # this run's AI use: none when the inputs were unchanged
        "ai_calls": 0 if outcome.unchanged else summary.calls,
        "ai_tokens": 0 if outcome.unchanged else summary.input_tokens + summary.output_tokens,
        "ai_cost_usd": 0.0 if outcome.unchanged else summary.cost_usd,
        "alerts": outcome.alerts,
        "seconds": {part: round(value, 3) for part, value in outcome.seconds.items()},
    }
