"""The SQS request sensors (one definition, a high- and a low-priority instance).

Each tick:
1. acknowledges the messages of earlier ticks whose runs now exist (the daemon creates runs after
   the sensor returns, so deleting in the same tick could lose a request if the daemon died);
2. receives a bounded number of messages; a malformed one, or one naming an unknown brand, goes
   to the dead-letter queue with the reason as a message attribute and is logged once;
3. adds new brand partitions through ``dynamic_partitions_requests`` and requests one run per
   brand with the run key of the message's request, attempt and brand
   (:func:`adology.requests.messages.run_key`): every copy of one attempt (a duplicate delivery,
   a re-publish of a message presumed lost, a replayed dead letter) names the same run, which
   Dagster creates once, while a retry is a new attempt and gets a run of its own.
The cursor carries the receipts awaiting acknowledgement; the queue's visibility timeout is far
longer than a tick, so an unacknowledged message reappears only if something really died — and
then its run key finds the run that already exists.

Who retries a failed run: a recorded request's run is retried by the request lifecycle, after a
backoff (:mod:`adology.requests.lifecycle`), so Dagster does not retry it. A refresh batch from
the spine has no request row and so no lifecycle: its runs carry ``dagster/max_retries`` and Dagster
re-executes one that failed outside its steps (a crashed run worker, see dagster.yaml
``run_retries``); its brands' failed steps wait for their next refresh.
"""

import json
from dataclasses import asdict, dataclass

import dagster as dg
from botocore.exceptions import ClientError

from adology.brands import unknown_brands
from adology.logs import get_logger
from adology.requests.dead_letters import dead_letter
from adology.requests.lifecycle import recorded_requests
from adology.requests.messages import MalformedMessage, RequestMessage, parse_message, run_key
from adology.storage.queues import Priority, ReceivedMessage, RequestQueues
from adology_assets.vocabulary import (
    ATTEMPT_TAG,
    BRAND_TAG,
    KIND_TAG,
    MAX_RETRIES_TAG,
    PIPELINE,
    REQUEST_TAG,
    RunPriority,
    brand_partitions,
)
from resources import PostgresResource, QueuesResource

log = get_logger(__name__)

MAX_MESSAGES_PER_TICK = 30
# Dagster re-executions of a spine refresh run that failed outside its steps (a crashed run worker)
REFRESH_CRASH_RETRIES = 2


@dataclass
class _Pending:
    receipt_handle: str
    message_id: str
    run_keys: list[str]


def build_request_sensor(priority: Priority) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"sqs_{priority.value}_priority_requests",
        description=f"Consumes the {priority.value}-priority SQS queue: one run per requested brand.",
        minimum_interval_seconds=5,
        default_status=dg.DefaultSensorStatus.RUNNING,
        target=PIPELINE,
    )
    def request_sensor(
        context: dg.SensorEvaluationContext, queues: QueuesResource, postgres: PostgresResource
    ) -> dg.SensorResult:
        request_queues = queues.get_queues()
        pending = [_Pending(**item) for item in json.loads(context.cursor or "[]")]
        still_pending = []
        for item in pending:
            if all(_run_exists(context.instance, key) for key in item.run_keys):
                _delete(request_queues, priority, item)
            else:
                still_pending.append(item)

        messages: list[ReceivedMessage] = []
        while len(messages) < MAX_MESSAGES_PER_TICK:
            batch = request_queues.receive(priority, max_messages=min(10, MAX_MESSAGES_PER_TICK - len(messages)))
            if not batch:
                break
            messages += batch

        run_requests, new_partitions = [], set()
        known_partitions = set(context.instance.get_dynamic_partitions(brand_partitions.name))
        accepted: list[tuple[ReceivedMessage, RequestMessage]] = []
        with postgres.get_connection() as conn:
            for message in messages:
                try:
                    request = parse_message(message.body)
                    unknown = unknown_brands(conn, request.brands)
                    if unknown:
                        raise MalformedMessage(f"unknown brand(s): {', '.join(unknown)}")
                except MalformedMessage as exc:
                    dead_letter(postgres.get_connection, request_queues, priority, message, str(exc))
                    continue
                accepted.append((message, request))
            recorded = recorded_requests(conn, [request.request_id for _, request in accepted])
        for message, request in accepted:
            keys = []
            for brand in request.brands:
                if brand not in known_partitions:
                    new_partitions.add(brand)
                keys.append(run_key(request.request_id, brand, request.attempt))
                run_requests.append(
                    _run_request(request, brand, priority, keys[-1], lifecycle=request.request_id in recorded)
                )
            still_pending.append(_Pending(message.receipt_handle, message.message_id, keys))
        return dg.SensorResult(
            run_requests=run_requests,
            dynamic_partitions_requests=[brand_partitions.build_add_request(sorted(new_partitions))]
            if new_partitions
            else [],
            cursor=json.dumps([asdict(item) for item in still_pending]),
        )

    return request_sensor


def _run_request(
    request: RequestMessage, brand: str, priority: Priority, key: str, *, lifecycle: bool
) -> dg.RunRequest:
    """The run of one brand of a request's attempt; ``lifecycle``: the request has a row, whose
    lifecycle retries a failed run, so Dagster's crash retries are left to runs without one."""
    return dg.RunRequest(
        run_key=key,
        partition_key=brand,
        asset_selection=[dg.AssetKey(name) for name in request.assets],
        tags={
            REQUEST_TAG: request.request_id,
            ATTEMPT_TAG: str(request.attempt),
            BRAND_TAG: brand,
            KIND_TAG: request.kind,
            **RunPriority.of_queue(priority).tags(),
            **({} if lifecycle else {MAX_RETRIES_TAG: str(REFRESH_CRASH_RETRIES)}),
        },
    )


def _run_exists(instance: dg.DagsterInstance, key: str) -> bool:
    return bool(instance.get_run_ids(filters=dg.RunsFilter(tags={"dagster/run_key": key}), limit=1))


def _delete(queues: RequestQueues, priority: Priority, item: _Pending) -> None:
    try:
        queues.delete(priority, receipt_handle=item.receipt_handle)
    except ClientError as exc:
        # the receipt expired and the message was delivered again: that delivery is acknowledged
        # through its own receipt once its (already existing) runs are seen
        log.info("receipt no longer valid", extra={"message_id": item.message_id, "error": str(exc)})


high_priority_requests = build_request_sensor(Priority.HIGH)
low_priority_requests = build_request_sensor(Priority.LOW)
