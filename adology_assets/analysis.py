"""The per-ad AI assets — ``ad_descriptions``, then ``ad_labels`` and ``ad_embeddings`` — from one factory.

Each asset runs one routine over the brand's ads that need it (analyzed brands only; a tracked brand
is skipped with the reason in metadata) and reports AI calls, tokens, estimated cost, failures
and timings. They share the ``ai`` concurrency pool, which bounds AI work across runs.

``ad_labels`` and ``ad_embeddings`` read only the descriptions, so they are one step (a multi-asset
that materializes both, or either alone): their stages run side by side on one AI governor. Labelling
waits on the service (a call per ad), embedding mostly on storage (a request embeds 128 ads, then
HNSW inserts and writes), so each fills the other's waits; as two steps one after the other, a run
left the cores a quarter idle while it labelled.
"""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
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
AD_DESCRIPTIONS = dg.AssetKey("ad_descriptions")
AD_LABELS = dg.AssetKey("ad_labels")
AD_EMBEDDINGS = dg.AssetKey("ad_embeddings")


@dataclass(frozen=True)
class AnalysisAsset:
    """One stage's asset: its routine (``stage``), key, description and checks (name → what it asserts)."""

    stage: str
    key: dg.AssetKey
    description: str
    checks: dict[str, str]


def build_analysis_step(*, name: str, deps: list[dg.AssetKey], assets: list[AnalysisAsset]) -> dg.AssetsDefinition:
    """One step materializing ``assets``; with several, their stages run concurrently and any subset can run."""

    @dg.multi_asset(
        name=name,
        specs=[dg.AssetSpec(asset.key, deps=deps, description=asset.description, group_name="interpretation",
                            kinds={"python", "postgres"}, owners=["team:data-platform"],
                            tags={"adology/stage": asset.stage})
               for asset in assets],
        check_specs=[dg.AssetCheckSpec(check, asset=asset.key, description=text)
                     for asset in assets for check, text in asset.checks.items()],
        partitions_def=brand_partitions,
        backfill_policy=BRAND_BACKFILL_POLICY,
        pool=AI_POOL,
        can_subset=len(assets) > 1,
    )
    def analysis_step(
        context: dg.AssetExecutionContext,
        postgres: PostgresResource,
        object_store: ObjectStoreResource,
        mongo: MongoResource,
        ai: AIResource,
    ) -> Iterator[dg.MaterializeResult]:
        selected = [asset for asset in assets if asset.key in context.selected_asset_keys]
        # a backfill hands one run several brands (BRAND_BACKFILL_POLICY): they share one fan-out,
        # so the AI slots stay busy across brand boundaries
        with postgres.get_connection() as conn:
            brands = [load_brand(conn, key) for key in context.partition_keys]

        def progress(report: StageReport) -> None:
            context.log.info(f"{report.stage}: {report.succeeded + report.failed}/{report.selected} ads "
                             f"({report.failed} failed), {report.usage.calls} AI calls")

        async def run_stage(stage: str, provider: Any, governor: AIGovernor) -> StageReport:
            with mongo.get_database() as database:
                return await analyze_brands(
                    stage, brands, provider=provider, governor=governor, store=object_store.get_store(),
                    connect=postgres.get_connection, analyses=database.ad_analyses,
                    progress=at_most_every(PROGRESS_SECONDS, progress),
                )

        async def run() -> list[StageReport | BaseException]:
            async with open_provider(ai.provider_config()) as provider:
                governor = AIGovernor(ai.limits())  # the run's AI limits and budget hold for its stages together
                return await asyncio.gather(*(run_stage(asset.stage, provider, governor) for asset in selected),
                                            return_exceptions=True)

        with log_context(run_id=context.run.run_id):
            outcomes = asyncio.run(run())
        # a stage that finished is recorded even when the other failed; then the step fails
        for asset, outcome in zip(selected, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                continue
            progress(outcome)
            with postgres.get_connection() as conn:
                violations = stage_invariants(conn, asset.stage, outcome.stored_ad_ids)
            yield dg.MaterializeResult(
                asset_key=asset.key,
                metadata=_metadata(outcome),
                check_results=[
                    dg.AssetCheckResult(asset_key=asset.key, check_name=check, passed=violations[check] == 0,
                                        metadata={"violations": violations[check]})
                    for check in asset.checks
                    if dg.AssetCheckKey(asset.key, check) in context.selected_asset_check_keys
                ],
            )
        failures = [(asset, outcome) for asset, outcome in zip(selected, outcomes, strict=True)
                    if isinstance(outcome, BaseException)]
        for asset, failure in failures[1:]:  # the first is raised below, with its traceback
            context.log.error(f"{asset.stage} failed too: {type(failure).__name__}: {failure}")
        if failures:
            raise failures[0][1]

    return analysis_step


def _metadata(report: StageReport) -> dict[str, Any]:
    metadata: dict[str, Any] = report.as_metadata()
    if report.skipped_reason:
        metadata["skipped_reason"] = report.skipped_reason
    if report.failure_reasons:
        metadata["failure_reasons"] = dg.MetadataValue.json(dict(report.failure_reasons))
    return metadata


ad_descriptions = build_analysis_step(name="ad_descriptions", deps=[ADS], assets=[AnalysisAsset(
    stage="describe", key=AD_DESCRIPTIONS,
    description="Per ad: a description of at most 500 words plus every attribute of the schema.",
    checks={"descriptions_over_500_words": "No description is longer than 500 words.",
            "descriptions_without_attributes": "Every description carries its attributes."},
)])
ad_labels_and_embeddings = build_analysis_step(name="ad_labels_and_embeddings", deps=[AD_DESCRIPTIONS], assets=[
    AnalysisAsset(
        stage="label", key=AD_LABELS,
        description="Per ad: UNIVERSAL and TREND taxonomy labels with confidence.",
        checks={"labels_outside_taxonomy": "Every label belongs to its taxonomy's current version.",
                "labels_with_bad_confidence": "Every confidence lies in [0, 1]."},
    ),
    AnalysisAsset(
        stage="embed", key=AD_EMBEDDINGS,
        description="Per ad: text, visual and retrieval embeddings in pgvector columns (HNSW-indexed per model).",
        checks={"embeddings_with_wrong_dimensions": "Each vector has the dimensions recorded for it.",
                "embeddings_not_unit_norm": "Each vector has unit length (cosine search relies on it).",
                "models_with_mixed_dimensions": "One model and kind never mix dimensions."},
    ),
])
