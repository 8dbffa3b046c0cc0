"""A brand turning from tracked to analyzed gets the AI assets run over every ad it already has.

The cursor is the latest ``brands.analyzed_since`` seen; the run key names the brand and that
instant, so each change launches once, and a brand switched back and forth launches again.
These runs go below interactive requests (``dagster/priority`` -10).
"""

import datetime as dt

import dagster as dg

from adology_assets.analysis import AD_DESCRIPTIONS, AD_EMBEDDINGS, AD_LABELS
from resources import PostgresResource

AI_ASSETS = [AD_DESCRIPTIONS, AD_LABELS, AD_EMBEDDINGS]
BACKFILL_PRIORITY = "-10"
MAX_BRANDS_PER_TICK = 100


@dg.sensor(
    name="analyzed_brand_backfill",
    description="Runs the AI assets over a brand's existing ads when it turns from tracked to analyzed.",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=AI_ASSETS,
)
def analyzed_brand_backfill(context: dg.SensorEvaluationContext, postgres: PostgresResource) -> dg.SensorResult:
    since = dt.datetime.fromisoformat(context.cursor) if context.cursor else dt.datetime.min.replace(tzinfo=dt.UTC)
    with postgres.get_connection() as conn:
        changed = conn.execute(
            "SELECT partition_key, analyzed_since FROM brands WHERE analyzed_since > %s "
            "ORDER BY analyzed_since LIMIT %s", (since, MAX_BRANDS_PER_TICK)).fetchall()
    if not changed:
        return dg.SensorResult(skip_reason="no brand turned analyzed", cursor=context.cursor)
    known = set(context.instance.get_dynamic_partitions("brand"))
    new = sorted({key for key, _ in changed} - known)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"analyzed:{key}:{when.isoformat()}",
                partition_key=key,
                asset_selection=AI_ASSETS,
                tags={"adology/brand": key, "adology/kind": "backfill", "dagster/priority": BACKFILL_PRIORITY},
            )
            for key, when in changed
        ],
        dynamic_partitions_requests=[dg.AddDynamicPartitionsRequest("brand", new)] if new else [],
        cursor=changed[-1][1].isoformat(),
    )
