"""A brand turning from tracked to analyzed gets the AI assets run over every ad it already has, then its insights.

The cursor is the latest ``brands.analyzed_since`` seen; the run key names the brand and that
instant, so each change launches once, and a brand switched back and forth launches again.
These runs go below interactive requests (:attr:`RunPriority.BACKFILL`).
"""

import datetime as dt

import dagster as dg

from adology.brands import brands_turned_analyzed
from adology_assets.vocabulary import BACKFILL_ASSETS, BRAND_TAG, KIND_TAG, RunPriority, brand_partitions
from resources import PostgresResource

MAX_BRANDS_PER_TICK = 100


@dg.sensor(
    name="analyzed_brand_backfill",
    description="Runs the AI assets and insights over a brand's existing ads when it turns from tracked to analyzed.",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=BACKFILL_ASSETS,
)
def analyzed_brand_backfill(context: dg.SensorEvaluationContext, postgres: PostgresResource) -> dg.SensorResult:
    since = dt.datetime.fromisoformat(context.cursor) if context.cursor else dt.datetime.min.replace(tzinfo=dt.UTC)
    with postgres.get_connection() as conn:
        changed = brands_turned_analyzed(conn, since=since, limit=MAX_BRANDS_PER_TICK)
    if not changed:
        return dg.SensorResult(skip_reason="no brand turned analyzed", cursor=context.cursor)
    new = sorted({key for key, _ in changed} - set(context.instance.get_dynamic_partitions(brand_partitions.name)))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"analyzed:{key}:{when.isoformat()}",
                partition_key=key,
                asset_selection=list(BACKFILL_ASSETS),
                tags={BRAND_TAG: key, KIND_TAG: "backfill", **RunPriority.BACKFILL.tags()},
            )
            for key, when in changed
        ],
        dynamic_partitions_requests=[brand_partitions.build_add_request(new)] if new else [],
        cursor=changed[-1][1].isoformat(),
    )
