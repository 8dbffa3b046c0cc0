"""The ``ads`` asset: every source of a brand fetched, creatives streamed to S3, ads upserted."""

import asyncio
import collections
from typing import Any

import dagster as dg

from adology.acquisition import AcquisitionReport, ad_invariants, run_acquisition
from adology.brands import load_brand
from adology.logs import log_context
from adology_assets.partitions import BRAND_BACKFILL_POLICY, brand_partitions
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
    backfill_policy=BRAND_BACKFILL_POLICY,
)
def ads(
    context: dg.AssetExecutionContext,
    postgres: PostgresResource,
    object_store: ObjectStoreResource,
    mongo: MongoResource,
    sources: SourcesResource,
) -> dg.MaterializeResult:
    # a backfill hands one run several brands (BRAND_BACKFILL_POLICY); each is acquired in turn
    totals: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    invariants: collections.Counter[str] = collections.Counter()
    for partition_key in context.partition_keys:
        with log_context(brand=partition_key, run_id=context.run.run_id):
            with postgres.get_connection() as conn:
                brand = load_brand(conn, partition_key)

            def progress(report: AcquisitionReport, brand_key: str = partition_key) -> None:
                context.log.info(
                    f"{brand_key}: {report.pages} pages, {report.ads_seen} ads "
                    f"({report.new} new, {report.updated} updated, {report.failed} failed), "
                    f"{report.media_downloaded} creatives downloaded"
                )

            with mongo.get_database() as database:
                report = asyncio.run(
                    run_acquisition(
                        brand, sources=sources.source_config(), media=sources.media_config(),
                        store=object_store.get_store(), connect=postgres.get_connection,
                        raw_ads=database.raw_ads, progress=progress,
                    )
                )
            if report.source_errors and report.pages == 0:
                raise dg.Failure(
                    description=f"no source of brand {partition_key} could be fetched",
                    metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e}" for e in report.source_errors))},
                )
            totals.update(report.as_metadata())
            errors += report.source_errors
            with postgres.get_connection() as conn:
                invariants.update(ad_invariants(conn, brand.id))
    metadata: dict[str, Any] = {name: round(value, 3) if isinstance(value, float) else value
                                for name, value in totals.items()}
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
