"""The ``ads`` asset: every source of a brand fetched, creatives streamed to S3, ads upserted."""

import asyncio
import collections
import time
from typing import Any

import dagster as dg

from adology.acquisition.brand import AcquisitionReport
from adology.acquisition.rows import ad_invariants
from adology.acquisition.run import run_acquisition
from adology.brands import Brand, load_brand
from adology.logs import at_most_every, log_context
from adology_assets.vocabulary import ADS, BRAND_BACKFILL_POLICY, PROGRESS_SECONDS, STAGE_TAG, brand_partitions
from resources import MongoResource, ObjectStoreResource, PostgresResource, SourcesResource


@dg.asset(
    key=ADS,
    partitions_def=brand_partitions,
    group_name="acquisition",
    kinds={"python", "s3", "postgres"},
    owners=["team:data-platform"],
    description="The brand's ads from every configured source, with creatives stored in S3 by sha256.",
    check_specs=[
        dg.AssetCheckSpec(
            "every_ad_has_a_creative_or_a_reason",
            asset=ADS,
            description="Each ad has a stored creative or the recorded reason it has none.",
        ),
        dg.AssetCheckSpec(
            "no_duplicate_source_ids", asset=ADS, description="No (source, source ad id) is stored twice."
        ),
    ],
    tags={STAGE_TAG: "acquisition"},
    backfill_policy=BRAND_BACKFILL_POLICY,
)
def ads(
    context: dg.AssetExecutionContext,
    postgres: PostgresResource,
    object_store: ObjectStoreResource,
    mongo: MongoResource,
    sources: SourcesResource,
) -> dg.MaterializeResult:
    # a backfill hands one run several brands (BRAND_BACKFILL_POLICY): they are acquired together
    with postgres.get_connection() as conn:
        brands = [load_brand(conn, key) for key in context.partition_keys]

    def report_brand(brand: Brand, report: AcquisitionReport) -> None:
        context.log.info(
            "%s: %d pages, %d ads (%d new, %d updated, %d failed), %d creatives downloaded",
            brand.partition_key,
            report.pages,
            report.ads_seen,
            report.new,
            report.updated,
            report.failed,
            report.media_downloaded,
        )

    started = time.monotonic()
    with log_context(run_id=context.run.run_id), mongo.get_database() as database:
        reports = asyncio.run(
            run_acquisition(
                brands,
                sources=sources.source_config(),
                media=sources.media_config(),
                store=object_store.get_store(),
                connect=postgres.get_connection,
                raw_ads=database.raw_ads,
                progress=at_most_every(PROGRESS_SECONDS, report_brand),
            )
        )
    for brand, report in zip(brands, reports, strict=True):
        report_brand(brand, report)
    unreachable = [
        brand.partition_key
        for brand, report in zip(brands, reports, strict=True)
        if report.source_errors and report.pages == 0
    ]
    errors = [error for report in reports for error in report.source_errors]
    if unreachable:
        # the other brands' ads are stored; the run fails so these brands are retried
        raise dg.Failure(
            description=f"no source of brand(s) {', '.join(unreachable)} could be fetched",
            metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in errors))},
        )
    totals: collections.Counter[str] = collections.Counter()
    invariants: collections.Counter[str] = collections.Counter()
    with postgres.get_connection() as conn:
        for brand, report in zip(brands, reports, strict=True):
            totals.update(report.as_metadata())
            invariants.update(ad_invariants(conn, brand.id))
    metadata: dict[str, Any] = {
        name: round(value, 3) if isinstance(value, float) else value for name, value in totals.items()
    }
    metadata["seconds"] = round(time.monotonic() - started, 3)  # wall time: the brands overlap
    if errors:
        metadata["source_error_details"] = dg.MetadataValue.md("\n".join(f"- {e}" for e in errors))
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name="every_ad_has_a_creative_or_a_reason",
                passed=invariants["ads_without_creative_or_reason"] == 0,
                metadata={"ads_without_creative_or_reason": invariants["ads_without_creative_or_reason"]},
            ),
            dg.AssetCheckResult(
                check_name="no_duplicate_source_ids",
                passed=invariants["duplicate_source_ids"] == 0,
                metadata={"duplicate_source_ids": invariants["duplicate_source_ids"]},
            ),
        ],
    )
