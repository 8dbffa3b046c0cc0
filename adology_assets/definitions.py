"""The single Dagster entry point: every module's slice merged into one ``Definitions``.

``defs`` is built when a Dagster tool asks for it (``@dg.definitions``), so importing this module
reads no setting and touches nothing; settings default to the embedded stack, and secrets stay
``EnvVar``s resolved at run time.
"""

import functools
import os

import dagster as dg

from adology.logs import configure_logging, get_logger
from adology.settings import Environment, Settings, load_settings
from adology.stack.process import port_is_free
from adology_assets import ads, brand_insights, brandspace_reports, interpretation
from resources import resources_for
from sensors import backfills, outbox_relay, report_refresh, request_queues, run_outcomes, spine_refresh

log = get_logger(__name__)


@dg.definitions
def defs() -> dg.Definitions:
    return _build()


@functools.cache  # a tool may ask more than once; the answer is one object per process
def _build() -> dg.Definitions:
    settings = load_settings()
    configure_logging(level=settings.log_level, log_format=settings.log_format)
    _point_at_the_stack(settings)
    return dg.Definitions.merge(
        dg.Definitions(assets=[ads.ads]),
        dg.Definitions(
            assets=[interpretation.ad_descriptions, interpretation.ad_labels_and_embeddings],
            sensors=[backfills.analyzed_brand_backfill],
        ),
        dg.Definitions(assets=[brand_insights.brand_insights]),
        dg.Definitions(assets=[brandspace_reports.brandspace_reports], sensors=[report_refresh.report_refresh]),
        dg.Definitions(
            sensors=[
                request_queues.high_priority_requests,
                request_queues.low_priority_requests,
                outbox_relay.outbox_relay,
                run_outcomes.request_running,
                run_outcomes.request_succeeded,
                run_outcomes.request_failed,
            ],
            schedules=[spine_refresh.spine_refresh],
        ),
        # Steps share a run's asyncio fan-out and per-ad logs; one process per run avoids a process per step.
        dg.Definitions(resources=resources_for(settings), executor=dg.in_process_executor),
    )


def _point_at_the_stack(settings: Settings) -> None:
    """One line for a Dagster user whose `dagster dev` cannot reach the embedded stack yet: without its
    variables every sensor tick fails on a missing EnvVar, without its servers on a refused connection."""
    if settings.environment is not Environment.LOCAL:
        return
    if "DATABASE_URL" not in os.environ:
        log.warning(
            "the embedded stack's variables are not set: `make setup` writes them to .env, which "
            '`dagster dev` loads (or `eval "$(.venv/bin/adology stack env)"` exports them)'
        )
    elif port_is_free(settings.postgres_port):
        log.warning("the embedded stack is not running: `.venv/bin/adology stack up` starts it")
