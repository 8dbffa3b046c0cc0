"""The background spine: the outbox relay and the refresh schedule.

The relay publishes outbox rows to SQS and re-publishes requests whose message never arrived
(moto's queues are in memory locally; a lost message must not lose a request). The schedule
scans ``brands`` for those due for a refresh and enqueues batched low-priority messages, which
the low-priority request sensor turns into runs.
"""

import datetime as dt

import dagster as dg

from adology.requests import enqueue_refresh, relay_outbox, republish_stuck
from resources import PostgresResource, QueuesResource
from sensors.requests import PIPELINE

STUCK_AFTER = dt.timedelta(minutes=10)


@dg.sensor(
    name="outbox_relay",
    description="Publishes pending outbox rows to SQS and re-publishes requests stuck in 'queued'.",
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def outbox_relay(context: dg.SensorEvaluationContext, postgres: PostgresResource,
                 queues: QueuesResource) -> dg.SkipReason:
    with postgres.get_connection() as conn:
        requeued = republish_stuck(conn, older_than=STUCK_AFTER)
    sent = relay_outbox(postgres.get_connection, queues.get_queues())
    return dg.SkipReason(f"published {sent} outbox row(s), re-queued {requeued} stuck request(s)")


@dg.schedule(
    name="spine_refresh",
    cron_schedule="*/15 * * * *",
    # it launches nothing itself: its messages reach the low-priority sensor, which targets these
    target=PIPELINE,
    description="Enqueues batched low-priority refresh messages for every brand due for a refresh.",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def spine_refresh(context: dg.ScheduleEvaluationContext, postgres: PostgresResource,
                  queues: QueuesResource) -> dg.SkipReason:
    now = context.scheduled_execution_time
    with postgres.get_connection() as conn:
        messages, calls = enqueue_refresh(conn, queues.get_queues(), now=now)
    return dg.SkipReason(f"enqueued {messages} refresh message(s) in {calls} batch send(s)")
