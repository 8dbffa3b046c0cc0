"""The SQS request sensors (one definition, a high- and a low-priority instance).

Each tick:
1. acknowledges the messages of earlier ticks whose runs now exist (the daemon creates runs after
   the sensor returns, so deleting in the same tick could lose a request if the daemon died);
2. receives a bounded number of messages; a malformed one, or one naming an unknown brand, goes
   to the dead-letter queue with the reason as a message attribute and is logged once;
3. adds new brand partitions through ``dynamic_partitions_requests`` and requests one run per
   brand with run key ``{deduplication id}:{brand}``: every delivery of one send carries the same
   deduplication id (the request id; ``request_id:N`` when a retry re-publishes it), so a
   duplicate delivery makes no second run while a retry or a new request does.
The cursor carries the receipts awaiting acknowledgement; the queue's visibility timeout is far
longer than a tick, so an unacknowledged message reappears only if something really died — and
then its run key finds the run that already exists.
"""

import json
from dataclasses import asdict, dataclass

import dagster as dg
from botocore.exceptions import ClientError

from adology.brands import unknown_brands
from adology.logs import get_logger
from adology.requests.dead_letters import dead_letter
from adology.requests.messages import MalformedMessage, RequestMessage, parse_message
from adology.storage.queues import Priority, ReceivedMessage, RequestQueues
from adology_assets.vocabulary import (
    BRAND_TAG,
    KIND_TAG,
    PIPELINE,
    REQUEST_TAG,
    RunPriority,
    brand_partitions,
)
from resources import PostgresResource, QueuesResource

log = get_logger(__name__)

MAX_MESSAGES_PER_TICK = 30


@dataclass
class _Pending:
    receipt_handle: str
    message_id: str
    run_keys: list[str]


def run_key(deduplication_id: str, brand: str) -> str:
    return f"{deduplication_id}:{brand}"


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
        with postgres.get_connection() as conn:
            for message in messages:
                try:
                    request = parse_message(message.body)
                    unknown = unknown_brands(conn, request.brands)
                    if unknown:
                        raise MalformedMessage(f"unknown brand(s): {', '.join(unknown)}")
                except MalformedMessage as exc:
                    dead_letter(request_queues, priority, message, str(exc))
                    continue
                keys = []
                for brand in request.brands:
                    if brand not in known_partitions:
                        new_partitions.add(brand)
                    keys.append(run_key(message.deduplication_id, brand))
                    run_requests.append(_run_request(request, brand, priority, keys[-1]))
                still_pending.append(_Pending(message.receipt_handle, message.message_id, keys))
        return dg.SensorResult(
            run_requests=run_requests,
            dynamic_partitions_requests=[brand_partitions.build_add_request(sorted(new_partitions))]
            if new_partitions
            else [],
            cursor=json.dumps([asdict(item) for item in still_pending]),
        )

    return request_sensor


def _run_request(request: RequestMessage, brand: str, priority: Priority, key: str) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=key,
        partition_key=brand,
        asset_selection=[dg.AssetKey(name) for name in request.assets],
        tags={
            REQUEST_TAG: request.request_id,
            BRAND_TAG: brand,
            KIND_TAG: request.kind,
            **RunPriority.of_queue(priority).tags(),
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
