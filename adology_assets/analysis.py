"""The per-ad AI assets — ``ad_descriptions``, ``ad_labels``, ``ad_embeddings`` — from one factory.

Each runs one routine over the brand's ads that need it (analyzed brands only; a tracked brand
is skipped with the reason in metadata) and reports AI calls, tokens, estimated cost, failures
and timings. They share the ``ai`` concurrency pool, which bounds AI work across runs.
"""

import asyncio
from typing import Any

import dagster as dg

from adology.ai.limits import AIGovernor
from adology.ai.registry import open_provider
from adology.analysis import StageReport, analyze_brands, stage_invariants
from adology.brands import load_brand
from adology.logs import at_most_every, log_context
from adology_assets.acquisition import ADS, PROGRESS_SECONDS
from adology_assets.partitions import BRAND_BACKFILL_POLICY, brand_partitions
from resources import AIResource, MongoResource, ObjectStoreResource, PostgresResource

AI_POOL = "ai"


def _check(name: str, asset: dg.AssetKey, description: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=asset, description=description)


def build_analysis_asset(
    *, stage: str, name: str, deps: list[dg.AssetKey], description: str, checks: dict[str, str]
) -> dg.AssetsDefinition:
    key = dg.AssetKey(name)

    @dg.asset(
        key=key,
        deps=deps,
        partitions_def=brand_partitions,
        group_name="interpretation",
        kinds={"python", "postgres"},
        owners=["team:data-platform"],
        description=description,
        pool=AI_POOL,
        backfill_policy=BRAND_BACKFILL_POLICY,
        check_specs=[_check(check, key, text) for check, text in checks.items()],
        tags={"adology/stage": stage},
    )
    def analysis_asset(
        context: dg.AssetExecutionContext,
        postgres: PostgresResource,
        object_store: ObjectStoreResource,
        mongo: MongoResource,
        ai: AIResource,
    ) -> dg.MaterializeResult:
        # a backfill hands one run several brands (BRAND_BACKFILL_POLICY): they share one fan-out,
        # so the AI slots stay busy across brand boundaries
        with postgres.get_connection() as conn:
            brands = [load_brand(conn, key) for key in context.partition_keys]

        def progress(report: StageReport) -> None:
            context.log.info(f"{stage}: {report.succeeded + report.failed}/{report.selected} ads "
                             f"({report.failed} failed), {report.usage.calls} AI calls")

        async def run() -> StageReport:
            async with open_provider(ai.provider_config()) as provider:
                with mongo.get_database() as database:
                    return await analyze_brands(
                        stage, brands, provider=provider, governor=AIGovernor(ai.limits()),
                        store=object_store.get_store(), connect=postgres.get_connection,
                        analyses=database.ad_analyses, progress=at_most_every(PROGRESS_SECONDS, progress),
                    )

        with log_context(run_id=context.run.run_id, stage=stage):
            report = asyncio.run(run())
        progress(report)
        with postgres.get_connection() as conn:
            violations = stage_invariants(conn, stage, report.stored_ad_ids)
        return dg.MaterializeResult(
            metadata=_metadata(report),
            check_results=[
                dg.AssetCheckResult(check_name=check, passed=violations[check] == 0,
                                    metadata={"violations": violations[check]})
                for check in checks
            ],
        )

    return analysis_asset


def _metadata(report: StageReport) -> dict[str, Any]:
    metadata: dict[str, Any] = report.as_metadata()
    if report.skipped_reason:
        metadata["skipped_reason"] = report.skipped_reason
    if report.failure_reasons:
        metadata["failure_reasons"] = dg.MetadataValue.json(dict(report.failure_reasons))
    return metadata


ad_descriptions = build_analysis_asset(
    stage="describe", name="ad_descriptions", deps=[ADS],
    description="Per ad: a description of at most 500 words plus every attribute of the schema.",
    checks={"descriptions_over_500_words": "No description is longer than 500 words.",
            "descriptions_without_attributes": "Every description carries its attributes."},
)
ad_labels = build_analysis_asset(
    stage="label", name="ad_labels", deps=[dg.AssetKey("ad_descriptions")],
    description="Per ad: UNIVERSAL and TREND taxonomy labels with confidence.",
    checks={"labels_outside_taxonomy": "Every label belongs to its taxonomy's current version.",
            "labels_with_bad_confidence": "Every confidence lies in [0, 1]."},
)
ad_embeddings = build_analysis_asset(
    stage="embed", name="ad_embeddings", deps=[dg.AssetKey("ad_descriptions")],
    description="Per ad: text, visual and retrieval embeddings in pgvector columns (HNSW-indexed per model).",
    checks={"embeddings_with_wrong_dimensions": "Each vector has the dimensions recorded for it.",
            "embeddings_not_unit_norm": "Each vector has unit length (cosine search relies on it).",
            "models_with_mixed_dimensions": "One model and kind never mix dimensions."},
)
