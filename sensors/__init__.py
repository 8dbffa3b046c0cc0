"""Sensors and schedules, one module each, named after what they define: the SQS request sensors
(``request_queues``), the outbox relay, the spine refresh schedule, the run-outcome sensors, the
tracked → analyzed backfill sensor and the report refresh. Each contributes its slice to
``adology_assets.definitions``; names shared with the assets come from ``adology_assets.vocabulary``.
"""
