"""The Dagster layer's one vocabulary: partitions, asset keys, selections, run tags, the priority
ladder and the pools. Asset modules, sensors, schedules and the benchmark import these names from
here, never from each other, so a key or a tag is spelled once.

Asset names come from the core (:mod:`adology.pipeline`, :data:`adology.analysis.stages.STAGES`),
whose request messages name the same assets.
"""

from __future__ import annotations

import enum

import dagster as dg

from adology.analysis.stages import DESCRIBE, EMBED, LABEL
from adology.pipeline import ADS_ASSET, INSIGHTS_ASSET, PIPELINE_ASSETS
from adology.storage.queues import Priority

# partitions: one key per brand (brands.partition_key), one per brandspace; sensors add them
# through SensorResult.dynamic_partitions_requests
brand_partitions = dg.DynamicPartitionsDefinition(name="brand")
brandspace_partitions = dg.DynamicPartitionsDefinition(name="brandspace")
# Backfills over many brands run ten brands per run instead of one run per small partition.
BRAND_BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=10)

# asset keys
ADS = dg.AssetKey(ADS_ASSET)
AD_DESCRIPTIONS = dg.AssetKey(DESCRIBE.asset)
AD_LABELS = dg.AssetKey(LABEL.asset)
AD_EMBEDDINGS = dg.AssetKey(EMBED.asset)
BRAND_INSIGHTS = dg.AssetKey(INSIGHTS_ASSET)
BRANDSPACE_REPORTS = dg.AssetKey("brandspace_reports")

# selections, as the key sequences a sensor targets and a run request selects
PIPELINE: tuple[dg.AssetKey, ...] = tuple(dg.AssetKey(name) for name in PIPELINE_ASSETS)  # a request's assets
AI_ASSETS: tuple[dg.AssetKey, ...] = (AD_DESCRIPTIONS, AD_LABELS, AD_EMBEDDINGS)  # the per-ad analysis
BACKFILL_ASSETS: tuple[dg.AssetKey, ...] = (*AI_ASSETS, BRAND_INSIGHTS)  # a backfill analyses, then sums up

# run tags
BRAND_TAG = "adology/brand"  # a run over one brand; dagster.yaml allows one such run per brand
BRANDSPACE_TAG = "adology/brandspace"
REQUEST_TAG = "adology/request_id"  # the request whose status follows the run
ATTEMPT_TAG = "adology/attempt"  # the request's attempt the run is for: 0, then n for its n-th retry
KIND_TAG = "adology/kind"  # analyze | refresh (a request's kind), backfill, report
REPORT_TRIGGER_TAG = "adology/report_trigger"  # the refresh signals that held, or absent for a manual run
STAGE_TAG = "adology/stage"  # an asset tag: acquisition, describe, label, embed, insights, report
# Dagster's run-retry tags (dagster.yaml run_retries): how many times Dagster re-executes a run that
# failed outside its steps (a crashed run worker), and the verdict it writes on a failed run
MAX_RETRIES_TAG = "dagster/max_retries"
WILL_RETRY_TAG = "dagster/will_retry"


class RunPriority(enum.IntEnum):
    """``dagster/priority`` of each kind of run: the queued run coordinator starts higher ones first."""

    INTERACTIVE = 10  # a customer's request, from the high-priority queue
    SPINE = 0  # the background refresh, from the low-priority queue
    REPORT = -5  # follows fresh data rather than racing it; a few queries, so above backfills
    BACKFILL = -10  # long AI runs over a brand's existing ads

    @classmethod
    def of_queue(cls, priority: Priority) -> RunPriority:
        return cls.INTERACTIVE if priority is Priority.HIGH else cls.SPINE

    def tags(self) -> dict[str, str]:
        return {"dagster/priority": str(int(self))}


# pools: a run with an AI step holds an `ai` place until it ends (limit: dagster.yaml's
# concurrency.pools.default_limit, applied by adology_assets.pools before Dagster starts)
AI_POOL = "ai"
POOLS = (AI_POOL,)

# Each progress line an asset logs is an event in Dagster's event log (a database write): a few
# while a run works, then each brand's or stage's final line.
PROGRESS_SECONDS = 5.0
