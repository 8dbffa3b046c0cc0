"""The outbox relay: publishes outbox rows to SQS and re-publishes requests whose message never arrived
(moto's queues are in memory locally; a lost message must not lose a request)."""

import datetime as dt

import dagster as dg

from adology.requests.outbox import relay_outbox, republish_stuck
from resources import PostgresResource, QueuesResource

STUCK_AFTER = dt.timedelta(minutes=10)


@dg.sensor(
    name="outbox_relay",
    description="Publishes pending outbox rows to SQS and re-publishes requests stuck in 'queued'.",
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def outbox_relay(
    context: dg.SensorEvaluationContext, postgres: PostgresResource, queues: QueuesResource
) -> dg.SkipReason:
    with postgres.get_connection() as conn:
        requeued = republish_stuck(conn, older_than=STUCK_AFTER)
    sent = relay_outbox(postgres.get_connection, queues.get_queues())
    return dg.SkipReason(f"published {sent} outbox row(s), re-queued {requeued} stuck request(s)")
