"""The ``brandspace_reports`` asset: a brandspace's competitive report as a new stored version.

Each materialization builds the report from what Postgres holds now (:mod:`adology.knowledge.report`), writes
the JSON snapshot to ``reports/{brandspace}/{version}.json`` in S3 and the version row, and says
why it ran: the ``adology/report_trigger`` tag the refresh sensor sets, or "manual".
"""

import datetime as dt
from collections import Counter

import dagster as dg

from adology.knowledge.report import build_report
from adology.knowledge.snapshots import store_report, stored_report_problems
from adology.logs import log_context
from adology_assets.vocabulary import (
    ADS,
    BRAND_INSIGHTS,
    BRANDSPACE_REPORTS,
    REPORT_TRIGGER_TAG,
    STAGE_TAG,
    brandspace_partitions,
)
from resources import ObjectStoreResource, PostgresResource

# Which brands a brandspace reads is data (brandspace_brands), not something a partition mapping
# can express, so each report depends on every brand partition. Dagster accepts AllPartitionMapping
# between the two dynamic partition sets; it only informs lineage and staleness in the UI, while
# the refresh sensor decides when a report actually runs.
_EVERY_BRAND = dg.AllPartitionMapping()


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
    description="Per brandspace: a versioned competitive report (benchmark, creative trends, recommendations).",
    check_specs=[
        dg.AssetCheckSpec(
            "stored_report_matches_snapshot",
            asset=BRANDSPACE_REPORTS,
            description="The version's row exists and its S3 snapshot exists and says the same.",
        ),
        dg.AssetCheckSpec(
            "shares_within_unit_interval",
            asset=BRANDSPACE_REPORTS,
            description="Every share the report states lies in [0, 1].",
        ),
    ],
    tags={STAGE_TAG: "report"},
)
def brandspace_reports(
    context: dg.AssetExecutionContext, postgres: PostgresResource, object_store: ObjectStoreResource
) -> dg.MaterializeResult:
    brandspace = context.partition_key
    trigger = context.run.tags.get(REPORT_TRIGGER_TAG, "manual")
    store = object_store.get_store()
    with log_context(brandspace=brandspace, run_id=context.run.run_id):
        with postgres.get_connection() as conn:
            report = build_report(conn, brandspace, now=dt.datetime.now(dt.UTC))
        with postgres.get_connection() as conn:
            stored = store_report(conn, store, brandspace, report, trigger=trigger)
        with postgres.get_connection() as conn:
            problems = stored_report_problems(conn, store, stored)
    out_of_range = [share for share in report.shares() if not 0 <= share <= 1]
    roles = Counter(member.role for member in report.members)
    return dg.MaterializeResult(
        metadata={
            "version": stored.version,
            "s3_key": stored.s3_key,
            "trigger": trigger,
            "primary_brands": roles["primary"],
            "competitors": roles["competitor"],
            "followed_brands": roles["followed"],
            "ads_counted": report.ads_counted(),
            "as_of": report.as_of.isoformat(),
            "recommendations": dg.MetadataValue.md("\n".join(f"- {line}" for line in report.recommendations)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="stored_report_matches_snapshot",
                passed=not problems,
                metadata={"problems": "; ".join(problems) or "none"},
            ),
            dg.AssetCheckResult(
                check_name="shares_within_unit_interval",
                passed=not out_of_range,
                metadata={"shares": len(report.shares()), "out_of_range": len(out_of_range)},
            ),
        ],
    )
