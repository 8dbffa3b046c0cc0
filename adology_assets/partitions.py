"""The partition sets, declared once: one key per brand, one per brandspace.

Keys are the ``partition_key`` columns of ``brands`` and ``brandspaces``; sensors add them
through ``SensorResult.dynamic_partitions_requests``.
"""

import dagster as dg

brand_partitions = dg.DynamicPartitionsDefinition(name="brand")
brandspace_partitions = dg.DynamicPartitionsDefinition(name="brandspace")

# Backfills over many brands run ten brands per run instead of one run per small partition.
BRAND_BACKFILL_POLICY = dg.BackfillPolicy.multi_run(max_partitions_per_run=10)
