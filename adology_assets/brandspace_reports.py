"""The ``brandspace_reports`` asset: a brandspace's competitive report as a new stored version.

Each materialization builds the report from its member brands' latest insights and the ads Postgres
holds now, has the AI provider draft recommendations that are checked before they are kept, and
diffs it against the previous version (:mod:`adology.knowledge.report`); then it writes the JSON
snapshot to ``reports/{brandspace}/{version}.json`` in S3 and the version row, and says why it ran:
the ``adology/report_trigger`` tag the refresh sensor sets, or "manual". A member without insights
yet does not hold the report back: it is listed with its ad totals and a note.
"""

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

import dagster as dg

from adology.ai.registry import open_provider
from adology.knowledge.report import ads_outside_members, compose_report
from adology.knowledge.report_model import BrandspaceReport
from adology.knowledge.snapshots import previous_report, store_report, stored_report_problems
from adology.logs import log_context
from adology_assets.vocabulary import (
    ADS,
    BRAND_INSIGHTS,
    BRANDSPACE_REPORTS,
    REPORT_TRIGGER_TAG,
    STAGE_TAG,
    brandspace_partitions,
)
from resources import AIResource, ObjectStoreResource, PostgresResource

# Which brands a brandspace reads is data (brandspace_brands), not something a partition mapping
# can express, so each report depends on every brand partition. Dagster accepts AllPartitionMapping
# between the two dynamic partition sets; it only informs lineage and staleness in the UI, while
# the refresh sensor decides when a report actually runs.
_EVERY_BRAND = dg.AllPartitionMapping()

_CHECKS = {
    "stored_report_matches_snapshot": "The version's row exists and its S3 snapshot exists and says the same.",
    "shares_within_unit_interval": "Every share the report states lies in [0, 1].",
    "cited_ads_belong_to_members": "Every ad id the report cites is an ad of one of the brandspace's brands.",
}


@dg.asset(
    key=BRANDSPACE_REPORTS,
    deps=[
        dg.AssetDep(ADS, partition_mapping=_EVERY_BRAND),
        dg.AssetDep(BRAND_INSIGHTS, partition_mapping=_EVERY_BRAND),
    ],
    partitions_def=brandspace_partitions,
    group_name="knowledge",
    kinds={"python", "postgres", "s3"},
    owners=["team:data-platform"],
    description=(
        "Per brandspace: a versioned competitive report on its brands' insights (themes, trends and CTAs "
        "compared, share of voice), checked AI recommendations, and what changed since the last version."
    ),
    check_specs=[dg.AssetCheckSpec(name, asset=BRANDSPACE_REPORTS, description=text) for name, text in _CHECKS.items()],
    tags={STAGE_TAG: "report"},
)
def brandspace_reports(
    context: dg.AssetExecutionContext, postgres: PostgresResource, object_store: ObjectStoreResource, ai: AIResource
) -> dg.MaterializeResult:
    brandspace = context.partition_key
    trigger = context.run.tags.get(REPORT_TRIGGER_TAG, "manual")
    store = object_store.get_store()
    now = dt.datetime.now(dt.UTC)

    async def compose(previous: BrandspaceReport | None) -> BrandspaceReport:
        async with open_provider(ai.provider_config()) as provider:
            return await compose_report(postgres.get_connection, provider, brandspace, now=now, previous=previous)

    with log_context(brandspace=brandspace, run_id=context.run.run_id):
        with postgres.get_connection() as conn:
            previous = previous_report(conn, brandspace)
        report = asyncio.run(compose(previous))
        with postgres.get_connection() as conn:
            stored = store_report(conn, store, brandspace, report, trigger=trigger)
        with postgres.get_connection() as conn:
            problems = {
                "stored_report_matches_snapshot": stored_report_problems(conn, store, stored),
                "shares_within_unit_interval": [
                    f"share {share} is outside [0, 1]" for share in report.shares() if not 0 <= share <= 1
                ],
                "cited_ads_belong_to_members": [
                    f"ad {ad_id} is not an ad of the brandspace's brands" for ad_id in ads_outside_members(conn, report)
                ],
            }
    return dg.MaterializeResult(
        metadata={"version": stored.version, "s3_key": stored.s3_key, "trigger": trigger, **_metadata(report)},
        check_results=[
            dg.AssetCheckResult(
                check_name=name, passed=not found, metadata={"problems": "; ".join(found[:20]) or "none"}
            )
            for name, found in problems.items()
        ],
    )


def _metadata(report: BrandspaceReport) -> dict[str, Any]:
    roles = Counter(member.role for member in report.members)
    recommendations = report.recommendations
    changes = report.changes_since_previous
    return {
        "primary_brands": roles["primary"],
        "competitors": roles["competitor"],
        "followed_brands": roles["followed"],
        "members_without_insights": sum(brand.insights is None for brand in report.brands),
        "ads_counted": report.ads_counted(),
        "as_of": report.as_of.isoformat(),
        "topics": len(report.themes.topics),
        "trends_tracked": len(report.trends),
        "ctas_compared": len(report.ctas),
        "recommendations_status": recommendations.status,
        "recommendations_kept": len(recommendations.items),
        "recommendations_dropped": sum(recommendations.dropped.values()),
        "recommendations_missing": recommendations.status == "missing",
        "recommendations_reason": recommendations.reason or "",
        "ai_calls": recommendations.calls,
        "ai_tokens": recommendations.input_tokens + recommendations.output_tokens,
        "ai_cost_usd": recommendations.cost_usd,
        "recommendations": dg.MetadataValue.md("\n".join(f"- {item.text}" for item in recommendations.items)),
        "changes": dg.MetadataValue.json(changes.model_dump(mode="json") if changes else {}),
    }
