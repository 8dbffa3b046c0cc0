"""Sensors and schedules: SQS request sensors, the spine schedule, report refresh, run status.

Each module contributes its slice to ``adology_assets.definitions``.
"""
