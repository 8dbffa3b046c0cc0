"""The outbox relay: publishes due outbox rows to SQS (new requests, and retries once their backoff
has passed) and re-publishes requests whose message was lost (moto's queues are in memory locally;
a lost message must not lose a request).

A message is presumed lost when its request is still ``queued`` ``LOST_AFTER`` after the send,
no run exists for its run key, and its queue holds no message at all; with a busy queue, only
after ``LAST_RESORT``. Either way a request whose run exists is never re-published, and a copy
that was not lost after all carries the same run key, so it makes no second run
(:func:`adology.requests.outbox.republish_lost`).
"""

import datetime as dt

import dagster as dg

from adology.requests.outbox import relay_outbox, republish_lost
from resources import PostgresResource, QueuesResource

# Longer than a request sensor tick and the daemon's run creation after it (seconds), so a
# message that was received has a run or is counted in flight by then.
LOST_AFTER = dt.timedelta(seconds=30)
# A busy queue cannot show that one message is missing: past this, a request with no run is
# re-published anyway (a duplicate costs a message, not a run).
LAST_RESORT = dt.timedelta(minutes=10)


@dg.sensor(
    name="outbox_relay",
    description="Publishes due outbox rows to SQS and re-publishes requests whose message was lost.",
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def outbox_relay(
    context: dg.SensorEvaluationContext, postgres: PostgresResource, queues: QueuesResource
) -> dg.SkipReason:
    request_queues = queues.get_queues()

    def run_exists(key: str) -> bool:
        return bool(context.instance.get_run_ids(filters=dg.RunsFilter(tags={"dagster/run_key": key}), limit=1))

    with postgres.get_connection() as conn:
        republished = republish_lost(conn, request_queues, run_exists, grace=LOST_AFTER, last_resort=LAST_RESORT)
    sent = relay_outbox(postgres.get_connection, request_queues)
    return dg.SkipReason(f"published {sent} outbox row(s), re-published {republished} lost message(s)")
