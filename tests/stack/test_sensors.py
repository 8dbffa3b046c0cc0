"""The SQS request sensors and the run-outcome sensors against the real moto queue and Postgres:
partitions are requested, not created; one run per brand with a run key per request and attempt;
a message is deleted only once its run exists, so a sensor or daemon that dies loses nothing;
poison goes to the dead-letter queue with its reason, also recorded in Postgres; a failed run puts
its request in 'retrying' without a notification, and the retry is a new attempt with a run key
of its own. (Retries up to the cap, lost messages and partial failures: test_request_recovery.py.)"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import psycopg
import pytest

from adology.brands import BrandSource, upsert_brand
from adology.requests.lifecycle import get_request
from adology.requests.outbox import record_request, relay_outbox
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.queues import Priority
from resources import PostgresResource, QueuesResource, RequestPolicyResource
from sensors import request_queues, run_outcomes


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def resources(stack_settings: Settings) -> dict[str, Any]:
    queues = QueuesResource(
        endpoint_url=stack_settings.sqs_endpoint_url,
        region_name=stack_settings.aws_region,
        aws_access_key_id=stack_settings.aws_access_key_id,
        aws_secret_access_key=stack_settings.aws_secret_access_key.get_secret_value(),
        prefix=f"s{uuid.uuid4().hex[:10]}",
        max_receives=3,
        visibility_seconds=2,
    )
    queues.get_queues().ensure()
    return {
        "queues": queues,
        "postgres": PostgresResource(database_url=stack_settings.database_url),
        "request_policy": RequestPolicyResource(),
    }


@pytest.fixture
def brand(stack_settings: Settings) -> str:
    key = f"sensor-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(stack_settings.database_url) as conn:
        upsert_brand(conn, partition_key=key, name=key, status="analyzed", sources=[BrandSource(Connector.APIFY, "1")])
    return key


def _tick(instance: dg.DagsterInstance, resources: dict[str, Any], cursor: str | None = None) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return request_queues.high_priority_requests(context)


def _request(stack_settings: Settings, resources: dict[str, Any], brand: str) -> str:
    """A request as the API makes it: request + outbox in one transaction, then the relay."""
    with psycopg.connect(stack_settings.database_url) as conn:
        request_id = str(record_request(conn, brand=brand))
        # other tests' pending rows belong to other queues: this relay publishes only ours
        conn.execute("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND request_id <> %s", (request_id,))
    relay_outbox(lambda: psycopg.connect(stack_settings.database_url), resources["queues"].get_queues())
    return request_id


def _create_run(instance: dg.DagsterInstance, run_request: dg.RunRequest) -> None:
    """What the daemon does with a run request: a run carrying the request's run key."""

    @dg.asset(name=f"stand_in_{uuid.uuid4().hex[:6]}")
    def stand_in() -> None:
        return None

    dg.materialize([stand_in], instance=instance, tags={**run_request.tags, "dagster/run_key": run_request.run_key})


def test_a_request_becomes_one_run_per_brand_and_is_acknowledged_once_the_run_exists(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    request_id = _request(stack_settings, resources, brand)
    first = _tick(instance, resources)
    (run_request,) = first.run_requests
    assert run_request.run_key == f"{request_id}:{brand}" and run_request.partition_key == brand
    assert run_request.tags["adology/request_id"] == request_id and run_request.tags["dagster/priority"] == "10"
    assert [r.partition_keys for r in first.dynamic_partitions_requests] == [[brand]]
    assert not instance.get_dynamic_partitions("brand")  # requested, never written by the sensor itself

    queues = resources["queues"].get_queues()
    second = _tick(instance, resources, first.cursor)  # the daemon has not created the run yet
    assert second.run_requests == [] and len(json.loads(second.cursor)) == 1  # still awaiting its run

    _create_run(instance, run_request)
    third = _tick(instance, resources, second.cursor)
    assert json.loads(third.cursor) == []  # acknowledged: deleted from the queue
    time.sleep(2.5)  # past the visibility timeout: a deleted message does not come back
    assert queues.receive(Priority.HIGH) == []


def test_a_sensor_that_dies_before_returning_loses_nothing(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    request_id = _request(stack_settings, resources, brand)
    _tick(instance, resources)  # received, then the process died: result and cursor are lost
    time.sleep(2.5)  # the message becomes visible again
    again = _tick(instance, resources)
    assert [r.run_key for r in again.run_requests] == [f"{request_id}:{brand}"]  # same key: no duplicate run


def test_a_daemon_that_dies_before_creating_runs_gets_the_request_again(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    request_id = _request(stack_settings, resources, brand)
    first = _tick(instance, resources)  # returned, but the daemon died before creating the run
    time.sleep(2.5)
    second = _tick(instance, resources, first.cursor)
    assert [r.run_key for r in second.run_requests] == [f"{request_id}:{brand}"]  # redelivered, same run key
    assert len(json.loads(second.cursor)) == 2  # both receipts wait for that one run


def test_the_same_message_delivered_twice_requests_one_run_key(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    queues = resources["queues"].get_queues()
    body = {
        "request_id": "dup-1",
        "kind": "analyze",
        "priority": "high",
        "brands": [brand],
        "assets": ["ads"],
        "requested_at": "2026-11-22T10:00:00Z",
    }
    queues.send(Priority.HIGH, body=body, group_id=brand, deduplication_id="dup-1")
    queues.send(Priority.HIGH, body=body, group_id=brand, deduplication_id="dup-1")  # sent again by a retrying relay
    result = _tick(instance, resources)
    time.sleep(2.5)  # and delivered again after the visibility timeout, its run not yet created
    later = _tick(instance, resources, result.cursor)
    keys = [r.run_key for r in result.run_requests + later.run_requests]
    assert set(keys) == {f"dup-1:{brand}"}  # however often it arrives, one run key: Dagster creates one run


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "invalid JSON"),
        (json.dumps({"request_id": "p1", "kind": "analyze", "priority": "high", "brands": []}), "brands"),
        (
            json.dumps(
                {
                    "request_id": "p2",
                    "kind": "analyze",
                    "priority": "high",
                    "brands": ["no-such-brand-x"],
                    "assets": ["ads"],
                    "requested_at": "2026-11-22T10:00:00Z",
                }
            ),
            "unknown brand",
        ),
    ],
)
def test_a_poison_message_goes_to_the_dead_letter_queue_with_its_reason(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], body: str, reason: str
) -> None:
    queues = resources["queues"].get_queues()
    queues.client.send_message(
        QueueUrl=queues.url(Priority.HIGH),
        MessageBody=body,
        MessageGroupId="g",
        MessageDeduplicationId=uuid.uuid4().hex,
    )
    result = _tick(instance, resources)
    assert result.run_requests == [] and json.loads(result.cursor) == []
    (dead,) = queues.receive(Priority.HIGH, dead_letter=True)
    assert dead.body == body and reason in dead.attributes["reason"]
    with psycopg.connect(stack_settings.database_url) as conn:
        ((recorded_body, recorded_reason, moved_by, message_id),) = conn.execute(
            "SELECT body, reason, moved_by, message_id FROM dead_letters WHERE queue = %s",
            (queues.queue_name(Priority.HIGH),),
        ).fetchall()
    assert (recorded_body, moved_by, message_id) == (body, "consumer", dead.deduplication_id)
    assert reason in recorded_reason


def test_a_failed_run_puts_its_request_in_retrying_and_the_retry_gets_a_run_of_its_own(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    request_id = _request(stack_settings, resources, brand)
    first_tick = _tick(instance, resources)
    (first,) = first_tick.run_requests
    assert first.tags["adology/attempt"] == "0" and "dagster/max_retries" not in first.tags  # the lifecycle retries

    @dg.asset
    def explodes() -> None:
        raise RuntimeError("source unreachable")

    # the run the daemon made from the request, failing
    result = dg.materialize(
        [explodes], instance=instance, raise_on_error=False, tags={**first.tags, "dagster/run_key": first.run_key}
    )
    for _ in range(2):  # a repeated evaluation schedules no second retry
        with dg.build_run_status_sensor_context(
            sensor_name="request_failed",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=result.get_run_failure_event(),
            resources=resources,
        ) as context:
            run_outcomes.request_failed(context)
    with psycopg.connect(stack_settings.database_url) as conn:
        request = get_request(conn, request_id)
        notes = conn.execute("SELECT count(*) FROM notifications WHERE request_id = %s", (request_id,)).fetchone()
        assert request["status"] == "retrying" and "source unreachable" in (request["failure_reason"] or "")
        assert request["retries"] == 1 and request["next_attempt_at"] is not None
        assert notes == (0,)  # the requester hears the final outcome, not this attempt's
        # the backoff has passed
        conn.execute("UPDATE outbox SET available_at = now() WHERE request_id = %s", (request_id,))
        conn.execute("UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL AND request_id <> %s", (request_id,))
    relay_outbox(lambda: psycopg.connect(stack_settings.database_url), resources["queues"].get_queues())
    retry = _tick(instance, resources, first_tick.cursor)  # acknowledges the first delivery, takes the retry
    assert [r.run_key for r in retry.run_requests] == [f"{request_id}:{brand}/retry-1"] != [first.run_key]
    assert [(r.tags["adology/request_id"], r.tags["adology/attempt"]) for r in retry.run_requests] == [
        (request_id, "1")
    ]


def test_a_refresh_batch_without_a_request_row_opts_in_to_dagster_crash_retries(
    instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    body = {
        "request_id": "refresh-2026-11-22T10:00-00000",
        "kind": "refresh",
        "priority": "high",
        "brands": [brand],
        "requested_at": "2026-11-22T10:00:00Z",
    }
    resources["queues"].get_queues().send(Priority.HIGH, body=body, group_id="refresh", deduplication_id="refresh-1")
    (run_request,) = _tick(instance, resources).run_requests
    assert run_request.tags["dagster/max_retries"] == "2" and run_request.tags["adology/attempt"] == "0"


def test_a_brand_turning_analyzed_is_backfilled_once_below_interactive_priority(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any]
) -> None:
    from sensors.backfills import analyzed_brand_backfill

    key = f"turns-{uuid.uuid4().hex[:8]}"
    with psycopg.connect(stack_settings.database_url) as conn:
        upsert_brand(conn, partition_key=key, name=key, status="tracked", sources=[BrandSource(Connector.APIFY, "1")])
        (cursor_start,) = conn.execute("SELECT max(analyzed_since) FROM brands").fetchone()

    def tick(cursor: str | None) -> dg.SensorResult:
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources={"postgres": resources["postgres"]}
        ) as context:
            return analyzed_brand_backfill(context)

    start = cursor_start.isoformat() if cursor_start else None  # other tests' brands are not ours
    assert tick(start).run_requests == []  # still tracked: nothing to backfill
    with psycopg.connect(stack_settings.database_url) as conn:
        conn.execute("UPDATE brands SET status = 'analyzed' WHERE partition_key = %s", (key,))
    first = tick(start)
    (request,) = [r for r in first.run_requests if r.partition_key == key]
    assert request.tags["dagster/priority"] == "-10" and request.tags["adology/kind"] == "backfill"
    assert {k.to_user_string() for k in request.asset_selection} == {
        "ad_descriptions",
        "ad_labels",
        "ad_embeddings",
        "brand_insights",
    }
    assert tick(first.cursor).run_requests == []  # once per change
    with psycopg.connect(stack_settings.database_url) as conn:
        conn.execute("UPDATE brands SET status = 'tracked' WHERE partition_key = %s", (key,))
        conn.execute("UPDATE brands SET status = 'analyzed' WHERE partition_key = %s", (key,))
    (again,) = tick(first.cursor).run_requests
    assert again.partition_key == key and again.run_key != request.run_key


def test_the_spine_schedule_enqueues_due_brands_as_low_priority_batches(
    stack_settings: Settings, resources: dict[str, Any], brand: str
) -> None:
    from sensors.spine_refresh import spine_refresh

    now = datetime.now(UTC)
    with dg.build_schedule_context(resources=resources, scheduled_execution_time=now) as context:
        result = spine_refresh(context)
    assert isinstance(result, dg.SkipReason) and "refresh message(s)" in result.skip_message
    queues = resources["queues"].get_queues()
    received = []
    while batch := queues.receive(Priority.LOW):
        received += batch
        for message in batch:
            queues.delete(Priority.LOW, receipt_handle=message.receipt_handle)
    brands = [b for message in received for b in json.loads(message.body)["brands"]]
    assert brand in brands and len(brands) == len(set(brands))  # every due brand once, ours among them
    assert all(json.loads(m.body)["kind"] == "refresh" for m in received)
    with dg.build_schedule_context(resources=resources, scheduled_execution_time=now) as context:
        again = spine_refresh(context)
    assert "enqueued 0 refresh message(s)" in again.skip_message  # not due again until its interval passes


def test_a_run_without_a_request_ending_in_the_same_tick_does_not_stall_the_outcome_sensor(
    stack_settings: Settings, instance: dg.DagsterInstance, resources: dict[str, Any], brand: str
) -> None:
    """A report refresh or a backfill run carries no request; when it ends in the same tick as a
    request's run, both are handled (a skip for one and a reaction for the other failed the whole
    tick, every tick after it, so no request was ever marked done again)."""
    request_id = _request(stack_settings, resources, brand)
    (run_request,) = _tick(instance, resources).run_requests

    @dg.asset(name=f"stand_in_{uuid.uuid4().hex[:6]}")
    def stand_in() -> None:
        return None

    def evaluate(cursor: str | None) -> str | None:
        with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
            data = run_outcomes.request_succeeded.evaluate_tick(context)
        return data.cursor

    cursor = evaluate(None)  # the sensor's first tick only sets its cursor
    dg.materialize([stand_in], instance=instance, tags={"adology/kind": "report"})
    dg.materialize([stand_in], instance=instance, tags={**run_request.tags, "dagster/run_key": run_request.run_key})
    evaluate(cursor)
    with psycopg.connect(stack_settings.database_url) as conn:
        assert get_request(conn, request_id)["status"] == "succeeded"
