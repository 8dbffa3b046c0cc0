"""Request recovery against real Postgres, moto SQS and a real Dagster instance:

- every copy of one request (a duplicate delivery, a re-publish, a dead letter replayed) maps to
  one run key, so Dagster makes one run and the requester gets one notification;
- a lost message is re-published once its short grace has passed, its queue is empty and no run
  exists for it; never while a run exists, nor while its queue still holds messages;
- a failed request is retried with an exponential backoff up to the policy's cap, as a new attempt
  with a run key of its own, and then fails for good with the failing step's error, in the request
  row and in the one notification it gets;
- a run that failed before any step ran records its resource's error, not Dagster's generic one;
- dead letters are recorded in Postgres with their reason, and replay marks them;
- with SQS unreachable the relay records ``last_error`` on every row it claimed, keeps them
  pending, and tries the queue once per pass rather than once per row;
- notifications count an ad analysed under two versions once, and a run's failed ads are reported
  in the request row and its notification;
- a run that succeeded with ads failed for a passing cause is retried like a failed one, and once the
  retries are spent the request succeeds with those ads counted.

Tests share the session database: each parks what earlier tests left open (pending outbox rows,
queued requests) so the relay and the lost-message recovery see only its own requests.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
import psycopg
import pytest

from adology.brands import BrandSource, upsert_brand
from adology.requests.dead_letters import replay_dlq
from adology.requests.lifecycle import RETRY_POLICY, get_request
from adology.requests.messages import parse_message, run_key
from adology.requests.outbox import record_request, relay_outbox
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.aws import aws_client
from adology.storage.queues import Priority, RequestQueues
from resources import PostgresResource, QueuesResource, RequestPolicyResource
from sensors import request_queues, run_outcomes
from sensors.outbox_relay import LOST_AFTER, outbox_relay


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
        prefix=f"r{uuid.uuid4().hex[:10]}",
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
def connect(database_url: str) -> Callable[[], psycopg.Connection]:
    return lambda: psycopg.connect(database_url)


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(autouse=True)
def park_open_requests(conn: psycopg.Connection) -> None:
    """Earlier tests' pending rows and queued requests belong to their queues, not this test's."""
    conn.execute("UPDATE outbox SET sent_at = now(), last_error = 'parked by a test' WHERE sent_at IS NULL")
    conn.execute(
        "UPDATE requests SET status = 'failed', failure_reason = 'parked by a test' "
        "WHERE status IN ('received', 'queued', 'retrying')"
    )


def _brand(conn: psycopg.Connection) -> str:
    key = f"recover-{uuid.uuid4().hex[:8]}"
    upsert_brand(conn, partition_key=key, name=key, status="analyzed", sources=[BrandSource(Connector.APIFY, "1")])
    return key


def _request(
    conn: psycopg.Connection, connect: Callable[[], psycopg.Connection], queues: RequestQueues, brand: str
) -> str:
    """A request as the API makes it, published by the relay."""
    request_id = str(record_request(conn, brand=brand))
    relay_outbox(connect, queues)
    return request_id


def _tick(instance: dg.DagsterInstance, resources: dict[str, Any], cursor: str | None = None) -> dg.SensorResult:
    with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
        return request_queues.high_priority_requests(context)


def _relay_tick(instance: dg.DagsterInstance, resources: dict[str, Any]) -> None:
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        outbox_relay(context)


def _sends(conn: psycopg.Connection, request_id: str) -> int:
    """How many times the relay published the request's outbox row."""
    return int(get_request(conn, request_id)["outbox_attempts"])


def _daemon(
    instance: dg.DagsterInstance,
    run_request: dg.RunRequest,
    body: Callable[[], None] | None = None,
    *,
    asset_name: str | None = None,
) -> dg.DagsterRun | None:
    """What the daemon does with a run request: a run carrying its run key, unless one exists already.
    The run materializes a stand-in asset (named ``asset_name``, to select a stage) running ``body``."""
    if instance.get_run_ids(filters=dg.RunsFilter(tags={"dagster/run_key": run_request.run_key or ""}), limit=1):
        return None

    @dg.asset(name=asset_name or f"stand_in_{uuid.uuid4().hex[:6]}")
    def stand_in() -> None:
        if body is not None:
            body()

    result = dg.materialize(
        [stand_in],
        instance=instance,
        raise_on_error=False,
        tags={**run_request.tags, "dagster/run_key": run_request.run_key or ""},
    )
    return result.dagster_run


_SENSOR_EVENTS = {
    "request_running": dg.DagsterEventType.RUN_START,
    "request_succeeded": dg.DagsterEventType.RUN_SUCCESS,
    "request_failed": dg.DagsterEventType.RUN_FAILURE,
}


def _evaluate_outcome(
    sensor: dg.RunStatusSensorDefinition, instance: dg.DagsterInstance, run: dg.DagsterRun, resources: dict[str, Any]
) -> None:
    """One evaluation of a run-status sensor for ``run``, with the run's own status event."""
    (record,) = instance.all_logs(run.run_id, of_type=_SENSOR_EVENTS[sensor.name])
    assert record.dagster_event is not None
    with dg.build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(run.run_id) or run,
        dagster_event=record.dagster_event,
        resources=resources,
    ) as context:
        sensor(context)


def _queued_bodies(queues: RequestQueues) -> list[dict[str, Any]]:
    """Receive and delete every message of the high-priority queue."""
    bodies = []
    while batch := queues.receive(Priority.HIGH):
        for message in batch:
            queues.delete(Priority.HIGH, receipt_handle=message.receipt_handle)
            bodies.append(json.loads(message.body))
    return bodies


class _Database(dg.ConfigurableResource):
    """A resource that connects to its database when the run starts, as PostgresResource does."""

    database_url: str

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        psycopg.connect(self.database_url, connect_timeout=5).close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- one request, one run --------------------------------------------------------------------------


def test_every_copy_of_one_request_maps_to_one_run_and_one_notification(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    request_id = _request(conn, connect, queues, brand)
    # the daemon is down: the sensor requests a run nobody creates, and its cursor is lost too
    first = _tick(instance, resources)
    # a re-publish, as a stuck request's timer made one: the message still in flight is sent again
    conn.execute("UPDATE outbox SET sent_at = now() - interval '11 minutes' WHERE request_id = %s", (request_id,))
    _relay_tick(instance, resources)
    assert _sends(conn, request_id) == 2
    # and SQS had parked a copy in the dead-letter queue, which an operator replays
    (payload,) = conn.execute("SELECT payload FROM outbox WHERE request_id = %s", (request_id,)).fetchone()
    queues.send(Priority.HIGH, body=payload, group_id=brand, deduplication_id=f"{request_id}-parked", dead_letter=True)
    assert replay_dlq(queues, Priority.HIGH) == 1

    # the daemon is back: every run request becomes a run unless its run key has one
    run_requests = list(first.run_requests)
    runs: list[dg.DagsterRun] = []
    cursor = None
    for _ in range(20):
        result = _tick(instance, resources, cursor)
        cursor = result.cursor
        run_requests += result.run_requests
        runs += [run for run in (_daemon(instance, r) for r in result.run_requests) if run is not None]
        if len(run_requests) >= 4 and cursor == "[]" and queues.depth(Priority.HIGH) == 0:
            break
        time.sleep(1)  # a redelivery waits for the visibility timeout
    # the first delivery, its redelivery, the re-publish and the replay: one run key, one run
    assert len(run_requests) >= 4
    assert {r.run_key for r in run_requests} == {run_key(request_id, brand, 0)}
    assert len(runs) == 1
    for _ in range(2):  # a repeated evaluation adds nothing
        _evaluate_outcome(run_outcomes.request_succeeded, instance, runs[0], resources)
    notes = conn.execute("SELECT status FROM notifications WHERE request_id = %s", (request_id,)).fetchall()
    assert notes == [("succeeded",)] and get_request(conn, request_id)["status"] == "succeeded"


# --- lost messages ---------------------------------------------------------------------------------


def test_a_lost_message_is_republished_after_the_grace_and_only_without_a_run(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    lost = _request(conn, connect, queues, _brand(conn))
    assert [body["request_id"] for body in _queued_bodies(queues)] == [lost]  # the queue loses it
    waiting_brand = _brand(conn)
    waiting = _request(conn, connect, queues, waiting_brand)
    past_grace = LOST_AFTER + LOST_AFTER / 30  # long after the grace, long before ten minutes
    backdate = "UPDATE outbox SET sent_at = now() - %s WHERE request_id = ANY(%s::uuid[])"
    conn.execute(backdate, (past_grace, [lost, waiting]))

    # the queue still holds a message: nothing tells whether ours is among them
    _relay_tick(instance, resources)
    assert (_sends(conn, lost), _sends(conn, waiting)) == (1, 1)

    # the waiting request is consumed: its run exists, its message is acknowledged, the queue is empty
    taken = _tick(instance, resources)
    (run_request,) = taken.run_requests
    assert _daemon(instance, run_request) is not None
    assert _tick(instance, resources, taken.cursor).cursor == "[]"
    conn.execute(backdate, (past_grace, [lost, waiting]))
    _relay_tick(instance, resources)
    assert _sends(conn, lost) == 2  # sent again
    assert _sends(conn, waiting) == 1  # its run exists: never re-published
    (again,) = _queued_bodies(queues)
    assert again["request_id"] == lost and again["attempt"] == 0  # the same attempt: the same run key


# --- retries ---------------------------------------------------------------------------------------


def test_a_failed_request_is_retried_with_backoff_then_fails_for_good_with_its_reason(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    request_id = _request(conn, connect, queues, brand)

    def explode() -> None:
        raise RuntimeError("source unreachable: 503 from the ad library")

    cursor = None
    delays = []
    for attempt in range(RETRY_POLICY.max_retries + 1):
        result = _tick(instance, resources, cursor)
        cursor = result.cursor
        (run_request,) = result.run_requests
        assert run_request.run_key == run_key(request_id, brand, attempt)
        run = _daemon(instance, run_request, explode)
        assert run is not None
        _evaluate_outcome(run_outcomes.request_running, instance, run, resources)
        for _ in range(2):  # a repeated evaluation settles nothing twice
            _evaluate_outcome(run_outcomes.request_failed, instance, run, resources)
        request = get_request(conn, request_id)
        assert "source unreachable: 503" in request["failure_reason"] and request["run_id"] == run.run_id
        notes = conn.execute(
            "SELECT status, failure_reason FROM notifications WHERE request_id = %s", (request_id,)
        ).fetchall()
        if attempt == RETRY_POLICY.max_retries:
            assert request["status"] == "failed" and request["next_attempt_at"] is None
            assert len(notes) == 1 and notes[0][0] == "failed" and "source unreachable: 503" in notes[0][1]
            break
        assert request["status"] == "retrying" and request["retries"] == attempt + 1
        assert notes == []  # an attempt that will be retried is not the requester's outcome
        (delay,) = conn.execute(
            "SELECT next_attempt_at - updated_at FROM requests WHERE id = %s", (request_id,)
        ).fetchone()
        delays.append(delay)
        assert relay_outbox(connect, queues) == 0  # the backoff has not passed
        conn.execute("UPDATE outbox SET available_at = now() WHERE request_id = %s", (request_id,))  # now it has
        assert relay_outbox(connect, queues) == 1
        assert get_request(conn, request_id)["status"] == "queued"

    assert delays == [RETRY_POLICY.delay(retry) for retry in range(1, RETRY_POLICY.max_retries + 1)]
    assert delays == sorted(delays) and len(set(delays)) == len(delays)  # each wait longer than the last


def test_a_run_failing_before_any_step_records_its_resource_error(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    request_id = _request(conn, connect, queues, brand)
    (run_request,) = _tick(instance, resources).run_requests

    @dg.asset
    def needs_the_database(database: _Database) -> None:
        return None

    down = f"postgresql://adology@127.0.0.1:{_closed_port()}/adology"
    result = dg.materialize(
        [needs_the_database],
        resources={"database": _Database(database_url=down)},
        instance=instance,
        raise_on_error=False,
        tags={**run_request.tags, "dagster/run_key": run_request.run_key or ""},
    )
    assert not instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)  # no step failed
    _evaluate_outcome(run_outcomes.request_failed, instance, result.dagster_run, resources)
    reason = get_request(conn, request_id)["failure_reason"]
    assert "OperationalError" in reason and "Connection refused" in reason
    assert "An exception was thrown during execution" not in reason


# --- dead letters ----------------------------------------------------------------------------------


def test_a_dead_letter_is_recorded_with_its_reason_and_replay_marks_it(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    body = {
        "request_id": "gone-brand-1",
        "kind": "analyze",
        "priority": "high",
        "brands": ["no-such-brand-y"],
        "requested_at": "2026-11-22T10:00:00Z",
    }
    queues.send(Priority.HIGH, body=body, group_id="g", deduplication_id=uuid.uuid4().hex)
    assert _tick(instance, resources).run_requests == []
    queue = queues.queue_name(Priority.HIGH)
    ((reason, request, moved_by, replayed),) = conn.execute(
        "SELECT reason, request_id, moved_by, replayed_at FROM dead_letters WHERE queue = %s", (queue,)
    ).fetchall()
    assert "unknown brand(s): no-such-brand-y" in reason
    assert (request, moved_by, replayed) == ("gone-brand-1", "consumer", None)

    assert replay_dlq(queues, Priority.HIGH, connect=connect) == 1
    ((replayed_at,),) = conn.execute("SELECT replayed_at FROM dead_letters WHERE queue = %s", (queue,)).fetchall()
    assert replayed_at is not None
    assert parse_message(json.dumps(_queued_bodies(queues)[0])).request_id == "gone-brand-1"


# --- SQS unreachable -------------------------------------------------------------------------------


class _CountingClient:
    """The real boto3 client, counting the calls it is asked to make."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def counted(**kwargs: Any) -> Any:
            self.calls.append(name)
            return method(**kwargs)

        return counted


def test_with_sqs_unreachable_the_relay_records_last_error_and_keeps_rows_pending(
    stack_settings: Settings,
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    client = _CountingClient(
        aws_client("sqs", region="us-east-1", endpoint_url=endpoint, access_key_id="k", secret_access_key="s")
    )
    unreachable = RequestQueues(client, prefix="unreachable")
    first, second = _brand(conn), _brand(conn)
    ids = [str(record_request(conn, brand=brand)) for brand in (first, second, first)]

    assert relay_outbox(connect, unreachable) == 0
    assert client.calls == ["get_queue_url"]  # one try for the queue, not one per row
    for request_id in ids:
        request = get_request(conn, request_id)
        assert request["status"] == "received" and request["outbox_sent_at"] is None
        assert "queue unavailable" in request["outbox_last_error"]
        assert "Could not connect to the endpoint URL" in request["outbox_last_error"]

    # the sensor as deployed: the lost-message check cannot read the queue either, and the tick goes on
    down = {**resources, "queues": QueuesResource(endpoint_url=endpoint, region_name="us-east-1", prefix="down")}
    conn.execute("UPDATE outbox SET last_error = NULL WHERE request_id = ANY(%s::uuid[])", (ids,))
    _relay_tick(instance, down)
    assert all("queue unavailable" in get_request(conn, request_id)["outbox_last_error"] for request_id in ids)

    assert relay_outbox(connect, resources["queues"].get_queues()) == 3  # SQS is back: all sent
    assert all(get_request(conn, request_id)["outbox_last_error"] is None for request_id in ids)


# --- notification counts ---------------------------------------------------------------------------


def test_notifications_count_current_results_once_and_report_the_runs_failed_ads(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    (brand_id,) = conn.execute("SELECT id FROM brands WHERE partition_key = %s", (brand,)).fetchone()
    ad_ids = [
        conn.execute(
            "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'apify', %s) RETURNING id",
            (brand_id, f"{brand}-{index}"),
        ).fetchone()[0]
        for index in range(3)
    ]
    described, failing, failed_before = ad_ids
    for version in ("local/v1", "local/v2"):  # analysed again under a newer version: one ad all the same
        conn.execute(
            """INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, provider, model,
                                            prompt_version, input_hash)
               VALUES (%s, %s, 'a red shoe', 3, 'local', 'm', 'p', 'h')""",
            (described, version),
        )
    state = """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason)
               VALUES (%s, 'describe', 'local/v2', 'h', %s, %s)"""
    conn.execute(state, (described, "succeeded", None))
    conn.execute(state, (failed_before, "failed", "media_missing"))  # failed in an earlier run
    request_id = _request(conn, connect, queues, brand)
    (run_request,) = _tick(instance, resources).run_requests

    def describe_with_one_failure() -> None:  # what the describe stage stores for a creative too large
        with connect() as writer:
            writer.execute(state, (failing, "failed", "media_too_large"))

    run = _daemon(instance, run_request, describe_with_one_failure, asset_name="ad_descriptions")
    assert run is not None
    _evaluate_outcome(run_outcomes.request_succeeded, instance, run, resources)

    expected = {"describe": {"failed": 1, "transient": 0, "reasons": {"media_too_large": 1}}}  # not the earlier run's
    request = get_request(conn, request_id)
    assert request["status"] == "succeeded" and request["failed_ads"] == expected
    ((counts, failed_ads),) = conn.execute(
        "SELECT counts, failed_ads FROM notifications WHERE request_id = %s", (request_id,)
    ).fetchall()
    assert failed_ads == expected
    assert (counts["ads"], counts["described_ads"], counts["failed_analyses"]) == (3, 1, 2)


def test_a_run_that_succeeded_with_transiently_failed_ads_is_retried_until_the_cap(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    (brand_id,) = conn.execute("SELECT id FROM brands WHERE partition_key = %s", (brand,)).fetchone()
    (throttled,) = conn.execute(
        "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'apify', %s) RETURNING id", (brand_id, brand)
    ).fetchone()
    request_id = _request(conn, connect, queues, brand)

    def label_throttled() -> None:  # what the label stage stores for an ad whose every call met a 429
        with connect() as writer:
            writer.execute(
                """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason, transient)
                   VALUES (%s, 'label', 'v', 'h', 'failed', 'ai_rate_limited', true)
                   ON CONFLICT (ad_id, stage) DO UPDATE SET updated_at = now()""",
                (throttled,),
            )

    expected = {"label": {"failed": 1, "transient": 1, "reasons": {"ai_rate_limited": 1}}}
    cursor = None
    for attempt in range(RETRY_POLICY.max_retries + 1):
        result = _tick(instance, resources, cursor)
        cursor = result.cursor
        (run_request,) = result.run_requests
        run = _daemon(instance, run_request, label_throttled, asset_name="ad_labels")
        assert run is not None and run.is_success
        _evaluate_outcome(run_outcomes.request_running, instance, run, resources)
        for _ in range(2):  # a repeated evaluation settles nothing twice
            _evaluate_outcome(run_outcomes.request_succeeded, instance, run, resources)
        request = get_request(conn, request_id)
        notes = conn.execute("SELECT status, failed_ads FROM notifications WHERE request_id = %s", (request_id,))
        if attempt == RETRY_POLICY.max_retries:
            assert request["status"] == "succeeded" and request["failed_ads"] == expected
            assert notes.fetchall() == [("succeeded", expected)]  # one notification, with the ad counted
            break
        assert request["status"] == "retrying" and request["retries"] == attempt + 1
        assert "label: 1 ad(s) failed transiently (ai_rate_limited: 1)" in request["failure_reason"]
        assert notes.fetchall() == []
        conn.execute("UPDATE outbox SET available_at = now() WHERE request_id = %s", (request_id,))
        assert relay_outbox(connect, queues) == 1


def test_a_run_that_succeeded_with_ads_failed_for_their_content_is_not_retried(
    conn: psycopg.Connection,
    connect: Callable[[], psycopg.Connection],
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
) -> None:
    queues = resources["queues"].get_queues()
    brand = _brand(conn)
    (brand_id,) = conn.execute("SELECT id FROM brands WHERE partition_key = %s", (brand,)).fetchone()
    (corrupt,) = conn.execute(
        "INSERT INTO ads (brand_id, source, source_ad_id) VALUES (%s, 'apify', %s) RETURNING id", (brand_id, brand)
    ).fetchone()
    request_id = _request(conn, connect, queues, brand)

    def describe_corrupt() -> None:
        with connect() as writer:
            writer.execute(
                """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason)
                   VALUES (%s, 'describe', 'v', 'h', 'failed', 'corrupt_media')""",
                (corrupt,),
            )

    (run_request,) = _tick(instance, resources).run_requests
    run = _daemon(instance, run_request, describe_corrupt, asset_name="ad_descriptions")
    assert run is not None
    _evaluate_outcome(run_outcomes.request_succeeded, instance, run, resources)
    request = get_request(conn, request_id)
    assert request["status"] == "succeeded" and request["retries"] == 0
    assert request["failed_ads"] == {"describe": {"failed": 1, "transient": 0, "reasons": {"corrupt_media": 1}}}
