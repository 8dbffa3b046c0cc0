"""The ``ads`` asset: every source of a brand fetched, creatives streamed to S3, ads upserted."""

import asyncio

import dagster as dg

from adology.acquisition import AcquisitionReport, ad_invariants, run_acquisition
from adology.brands import load_brand
from adology.logs import log_context
from adology_assets.partitions import brand_partitions
from resources import MongoResource, ObjectStoreResource, PostgresResource, SourcesResource

ADS = dg.AssetKey("ads")


@dg.asset(
    key=ADS,
    partitions_def=brand_partitions,
    group_name="acquisition",
    kinds={"python", "s3", "postgres"},
    owners=["team:data-platform"],
    description="The brand's ads from every configured source, with creatives stored in S3 by sha256.",
    check_specs=[
        dg.AssetCheckSpec("every_ad_has_a_creative_or_a_reason", asset=ADS,
                          description="Each ad has a stored creative or the recorded reason it has none."),
        dg.AssetCheckSpec("no_duplicate_source_ids", asset=ADS,
                          description="No (source, source ad id) is stored twice."),
    ],
    tags={"adology/stage": "acquisition"},
)
def ads(
    context: dg.AssetExecutionContext,
    postgres: PostgresResource,
    object_store: ObjectStoreResource,
    mongo: MongoResource,
    sources: SourcesResource,
) -> dg.MaterializeResult:
    partition_key = context.partition_key
    with log_context(brand=partition_key, run_id=context.run.run_id):
        with postgres.get_connection() as conn:
            brand = load_brand(conn, partition_key)

        def progress(report: AcquisitionReport) -> None:
            context.log.info(
                f"{brand.partition_key}: {report.pages} pages, {report.ads_seen} ads "
                f"({report.new} new, {report.updated} updated, {report.failed} failed), "
                f"{report.media_downloaded} creatives downloaded"
            )

        with mongo.get_database() as database:
            report = asyncio.run(
                run_acquisition(
                    brand, sources=sources.source_config(), media=sources.media_config(),
                    store=object_store.get_store(), connect=postgres.get_connection, raw_ads=database.raw_ads,
                    progress=progress,
                )
            )
        if report.source_errors and report.pages == 0:
            raise dg.Failure(
                description=f"no source of brand {partition_key} could be fetched",
                metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in report.source_errors))},
            )
        with postgres.get_connection() as conn:
            invariants = ad_invariants(conn, brand.id)
    metadata = {name: dg.MetadataValue.int(value) if isinstance(value, int) else dg.MetadataValue.float(value)
                for name, value in report.as_metadata().items()}
    if report.source_errors:
        metadata["source_error_details"] = dg.MetadataValue.md("\n".join(f"- {e}" for e in report.source_errors))
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
