"""The background spine: every 15 minutes, the brands due for a refresh are enqueued as batched
low-priority refresh messages, which the low-priority request sensor turns into runs."""

import dagster as dg

from adology.requests.spine import enqueue_refresh
from adology_assets.vocabulary import PIPELINE
from resources import PostgresResource, QueuesResource


@dg.schedule(
    name="spine_refresh",
    cron_schedule="*/15 * * * *",
    # it launches nothing itself: its messages reach the low-priority sensor, which targets these
    target=PIPELINE,
    description="Enqueues batched low-priority refresh messages for every brand due for a refresh.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def spine_refresh(
    context: dg.ScheduleEvaluationContext, postgres: PostgresResource, queues: QueuesResource
) -> dg.SkipReason:
    now = context.scheduled_execution_time
    with postgres.get_connection() as conn:
        messages, calls = enqueue_refresh(conn, queues.get_queues(), now=now)
    return dg.SkipReason(f"enqueued {messages} refresh message(s) in {calls} batch send(s)")
