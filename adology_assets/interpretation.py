"""The per-ad AI assets — ``ad_descriptions``, then ``ad_labels`` and ``ad_embeddings`` — from one factory
over the core's stage objects (:mod:`adology.analysis.stages`).

Each asset runs one routine over the brand's ads that need it (analyzed brands only; a tracked brand
is skipped with the reason in metadata) and reports AI calls, tokens, estimated cost, failures,
ads waiting (for a creative, for a current description) and timings. A few failed ads are counted
and the step succeeds; when the failures are the run's (every ad attempted, or most of many:
:meth:`~adology.analysis.stage_report.StageReport.step_failure`), the step records what it stored
and then fails with the reasons and counts. They share the ``ai`` concurrency pool, which bounds AI
work across runs.

``ad_labels`` and ``ad_embeddings`` read only the descriptions, so they are one step (a multi-asset
that materializes both, or either alone): their stages run side by side on one AI governor. Labelling
waits on the service (a call per ad), embedding mostly on storage (a request embeds 128 ads, then
HNSW inserts and writes), so each fills the other's waits; as two steps one after the other, a run
left the cores a quarter idle while it labelled.
"""

import asyncio
from collections.abc import Iterator
from typing import Any

import dagster as dg

from adology.ai.limits import AIGovernor
from adology.ai.local.provider import PROCESS_MEASUREMENTS, LocalProvider
from adology.ai.local.stored import creatives_to_describe
from adology.ai.registry import open_provider
from adology.analysis.fanout import analyze_brands
from adology.analysis.stage_report import StageReport
from adology.analysis.stages import DESCRIBE, EMBED, LABEL, Stage
from adology.brands import load_brand
from adology.logs import at_most_every, log_context
from adology.metrics import log_ai_usage
from adology_assets.vocabulary import (
    AD_DESCRIPTIONS,
    ADS,
    AI_POOL,
    BRAND_BACKFILL_POLICY,
    PROGRESS_SECONDS,
    STAGE_TAG,
    brand_partitions,
)
from resources import AIResource, MongoResource, ObjectStoreResource, PostgresResource
from resources.measurement import MeasurementResource


def build_analysis_step(*, name: str, deps: list[dg.AssetKey], stages: list[Stage]) -> dg.AssetsDefinition:
    """One step materializing the assets of ``stages``; with several, they run concurrently and any
    subset can run. Each asset's key, description and checks are its stage's."""
    keys = {stage.name: dg.AssetKey(stage.asset) for stage in stages}

    @dg.multi_asset(
        name=name,
        specs=[
            dg.AssetSpec(
                keys[stage.name],
                deps=deps,
                description=stage.summary,
                group_name="interpretation",
                kinds={"python", "postgres"},
                owners=["team:data-platform"],
                tags={STAGE_TAG: stage.name},
            )
            for stage in stages
        ],
        check_specs=[
            dg.AssetCheckSpec(check, asset=keys[stage.name], description=text)
            for stage in stages
            for check, text in stage.checks.items()
        ],
        partitions_def=brand_partitions,
        backfill_policy=BRAND_BACKFILL_POLICY,
        pool=AI_POOL,
        can_subset=len(stages) > 1,
    )
    def analysis_step(
        context: dg.AssetExecutionContext,
        postgres: PostgresResource,
        object_store: ObjectStoreResource,
        mongo: MongoResource,
        ai: AIResource,
        measurement: MeasurementResource,
    ) -> Iterator[dg.MaterializeResult]:
        selected = [stage for stage in stages if keys[stage.name] in context.selected_asset_keys]
        # a backfill hands one run several brands (BRAND_BACKFILL_POLICY): they share one fan-out,
        # so the AI slots stay busy across brand boundaries
        with postgres.get_connection() as conn:
            brands = [load_brand(conn, key) for key in context.partition_keys]
        describing = next((stage for stage in selected if stage.name == "describe"), None)
        if describing is not None and ai.provider == "local" and measurement.measure_in != "run":
            # the creatives about to be described, measured in a burst outside the run (Pipes)
            version = describing.routine.version(LocalProvider())
            with postgres.get_connection() as conn:
                creatives = creatives_to_describe(conn, [brand.id for brand in brands], version)
            PROCESS_MEASUREMENTS.update(measurement.measure(context, object_store, creatives))

        def progress(report: StageReport) -> None:
            context.log.info(
                "%s: %d/%d ads (%d failed), %d AI calls",
                report.stage,
                report.succeeded + report.failed,
                report.selected,
                report.failed,
                report.usage.calls,
            )

        async def run_stage(stage: Stage, provider: Any, governor: AIGovernor) -> StageReport:
            with mongo.get_database() as database:
                return await analyze_brands(
                    stage,
                    brands,
                    provider=provider,
                    governor=governor,
                    store=object_store.get_store(),
                    connect=postgres.get_connection,
                    analyses=database.ad_analyses,
                    progress=at_most_every(PROGRESS_SECONDS, progress),
                )

        async def run() -> list[StageReport | BaseException]:
            async with open_provider(ai.provider_config()) as provider:
                governor = AIGovernor(ai.limits())  # the run's AI limits and budget hold for its stages together
                return await asyncio.gather(
                    *(run_stage(stage, provider, governor) for stage in selected), return_exceptions=True
                )

        with log_context(run_id=context.run.run_id):
            outcomes = asyncio.run(run())
        # a stage that finished is recorded even when the other failed, or when its own ads failed
        # past the rule (StageReport.step_failure); then the step fails
        for stage, outcome in zip(selected, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                continue
            progress(outcome)
            with log_context(run_id=context.run.run_id):
                log_ai_usage(outcome.stage, ai.provider, outcome.usage)
            with postgres.get_connection() as conn:
                violations = stage.invariants(conn, outcome.stored_ad_ids)
            key = keys[stage.name]
            yield dg.MaterializeResult(
                asset_key=key,
                metadata=_metadata(outcome),
                check_results=[
                    dg.AssetCheckResult(
                        asset_key=key,
                        check_name=check,
                        passed=violations[check] == 0,
                        metadata={"violations": violations[check]},
                    )
                    for check in stage.checks
                    if dg.AssetCheckKey(key, check) in context.selected_asset_check_keys
                ],
            )
        failures = [
            (stage, outcome)
            for stage, outcome in zip(selected, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        ]
        failed_ads = [
            report for report in outcomes if isinstance(report, StageReport) and report.step_failure() is not None
        ]
        for stage, failure in failures[1:]:  # the first is raised below, with its traceback
            context.log.error("%s failed too: %s: %s", stage.name, type(failure).__name__, failure)
        if failures:
            for report in failed_ads:
                context.log.error("%s", report.step_failure())
            raise failures[0][1]
        if failed_ads:
            raise _failed_ads_failure(failed_ads)

    return analysis_step


def _metadata(report: StageReport) -> dict[str, Any]:
    metadata: dict[str, Any] = report.as_metadata()
    if report.skipped_reason:
        metadata["skipped_reason"] = report.skipped_reason
    if report.failure_reasons:
        metadata["failure_reasons"] = dg.MetadataValue.json(dict(report.failure_reasons))
    if report.waiting_reasons:
        metadata["waiting_reasons"] = dg.MetadataValue.json(dict(report.waiting_reasons))
    if (step_failure := report.step_failure()) is not None:
        metadata["step_failure"] = step_failure
    return metadata


def _failed_ads_failure(reports: list[StageReport]) -> dg.Failure:
    """The step's failure when its stages' own ads failed past the rule, with each stage's counts."""
    return dg.Failure(
        description="; ".join(str(report.step_failure()) for report in reports),
        metadata={
            "failed_stages": dg.MetadataValue.json(
                {
                    report.stage: {
                        "attempted": report.attempted,
                        "failed": report.failed,
                        "failed_as_before": report.failed_as_before,
                        "failure_reasons": dict(report.failure_reasons),
                    }
                    for report in reports
                }
            )
        },
    )


ad_descriptions = build_analysis_step(name="ad_descriptions", deps=[ADS], stages=[DESCRIBE])
ad_labels_and_embeddings = build_analysis_step(
    name="ad_labels_and_embeddings", deps=[AD_DESCRIPTIONS], stages=[LABEL, EMBED]
)
