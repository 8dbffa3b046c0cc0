"""The partition sets, declared once: one key per brand, one per brandspace.

Keys are the ``partition_key`` columns of ``brands`` and ``brandspaces``; sensors add them
through ``SensorResult.dynamic_partitions_requests``.
"""

import dagster as dg

brand_partitions = dg.DynamicPartitionsDefinition(name="brand")
brandspace_partitions = dg.DynamicPartitionsDefinition(name="brandspace")
