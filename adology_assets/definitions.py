"""The single Dagster entry point: every module's slice merged into one ``Definitions``."""

import dagster as dg

from adology.logs import configure_logging
from adology.settings import load_settings
from adology_assets import acquisition, analysis
from adology_assets import reports as report_assets
from resources import resources_for
from sensors import backfills, outcomes, requests, spine
from sensors import reports as report_sensors

settings = load_settings()
configure_logging(level=settings.log_level, log_format=settings.log_format)

defs = dg.Definitions.merge(
    dg.Definitions(assets=[acquisition.ads]),
    dg.Definitions(assets=[analysis.ad_descriptions, analysis.ad_labels_and_embeddings]),
    dg.Definitions(assets=[report_assets.brandspace_reports], sensors=[report_sensors.report_refresh]),
    dg.Definitions(
        sensors=[requests.high_priority_requests, requests.low_priority_requests, spine.outbox_relay,
                 outcomes.request_running, outcomes.request_succeeded, outcomes.request_failed,
                 backfills.analyzed_brand_backfill],
        schedules=[spine.spine_refresh],
    ),
    # Steps share a run's asyncio fan-out and per-ad logs; one process per run avoids a process per step.
    dg.Definitions(resources=resources_for(settings), executor=dg.in_process_executor),
)
