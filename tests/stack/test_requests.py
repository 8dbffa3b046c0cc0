"""Requests, the transactional outbox and the request queues against real Postgres and moto SQS.

Pinned here:
- ``record_request`` writes the request and its outbox row in one transaction: a failing outbox
  insert (a CHECK violation), an unknown brand or a bad asset list leave no row behind;
- the relay sends a row once, marks it sent and the request queued, keeps a brand's messages in
  order (MessageGroupId = brand), sends nothing on a second pass, keeps a row pending with
  ``last_error`` when SQS refuses it, and two concurrent relays send each row exactly once;
- request lifecycle: allowed moves, late moves ignored, repeats no-ops, forbidden moves refused,
  failed → queued re-publishes as the next attempt, a new run of an ended request applies, ids
  with no row change nothing;
- ``replay_dlq`` moves poison messages from the dead-letter queue back with body, group and
  attributes intact, and records the ones SQS's redrive moved in ``dead_letters``, replayed;
- ``due_brands`` + ``enqueue_refresh``: only due brands (tracked and analyzed), each exactly once,
  50 per message, ten messages per batch call, a repeated scan deduplicated, failed batch entries
  retried once and then reported.

Tests share the session database, so each uses its own brand key prefix and queue prefix, parks
outbox rows other tests left pending, and hides other brands from the due scan inside a
transaction it rolls back.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

import adology.requests.outbox as outbox_module
from adology.brands import BrandSource, UnknownBrandError, upsert_brand
from adology.requests.dead_letters import replay_dlq
from adology.requests.lifecycle import InvalidTransitionError, UnknownRequestError, get_request, mark_request
from adology.requests.messages import InvalidRequestError, RequestMessage, parse_message
from adology.requests.outbox import record_request, relay_outbox
from adology.requests.spine import due_brands, enqueue_refresh
from adology.settings import Settings
from adology.sources.models import Connector
from adology.storage.aws import settings_client
from adology.storage.queues import Priority, QueueSendError, RequestQueues


@dataclass
class CountingQueues(RequestQueues):
    """The real queues, counting each send (FIFO deduplication would hide a double send)."""

    sends: list[str] = field(default_factory=list)
    send_delay: float = 0.0

    def send(self, priority: Priority, **kwargs: Any) -> str:  # type: ignore[override]
        message_id = super().send(priority, **kwargs)
        self.sends.append(kwargs["deduplication_id"])
        time.sleep(self.send_delay)  # widens the window in which two relays overlap
        return message_id


@pytest.fixture
def make_queues(stack_settings: Settings) -> Callable[..., CountingQueues]:
    def factory(*, visibility_seconds: int = 30, ensure: bool = True) -> CountingQueues:
        queues = CountingQueues(
            settings_client(stack_settings, "sqs"),
            prefix=f"t-req-{uuid.uuid4().hex[:10]}",
            max_receives=2,
            visibility_seconds=visibility_seconds,
        )
        if ensure:
            queues.ensure()
        return queues

    return factory


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def connect(database_url: str) -> Callable[[], psycopg.Connection]:
    return lambda: psycopg.connect(database_url)


@pytest.fixture
def park_pending(conn: psycopg.Connection) -> None:
    """Mark outbox rows earlier tests left pending as sent, so the relay here sees only this test's rows."""
    conn.execute("UPDATE outbox SET sent_at = now(), last_error = 'parked by a test' WHERE sent_at IS NULL")


def _brands(conn: psycopg.Connection, count: int, *, status: str = "tracked", prefix: str | None = None) -> list[str]:
    prefix = prefix or f"rq{uuid.uuid4().hex[:8]}"
    keys = [f"{prefix}-{index:04d}" for index in range(count)]
    for key in keys:
        upsert_brand(conn, partition_key=key, name=key, sources=[BrandSource(Connector("meta"), key)], status=status)
    return keys


def _drain(
    queues: RequestQueues, priority: Priority = Priority.HIGH, *, dead_letter: bool = False
) -> list[dict[str, Any]]:
    """Receive and delete every message, with the system attributes the assertions need."""
    received: list[dict[str, Any]] = []
    url = queues.url(priority, dead_letter=dead_letter)
    while True:
        items = queues.client.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"],
        ).get("Messages", [])
        if not items:
            return received
        for item in items:
            queues.client.delete_message(QueueUrl=url, ReceiptHandle=item["ReceiptHandle"])
        received.extend(items)


def _request_ids(messages: list[dict[str, Any]]) -> list[str]:
    return [json.loads(item["Body"])["request_id"] for item in messages]


# --- record_request -------------------------------------------------------------------------------


def test_record_request_writes_request_and_outbox_together(conn: psycopg.Connection) -> None:
    (brand,) = _brands(conn, 1)
    request_id = record_request(conn, brand=brand, assets=["ad_labels", "ads"])

    request = get_request(conn, request_id)
    assert (request["brand"], request["status"], request["kind"], request["priority"]) == (
        brand,
        "received",
        "analyze",
        "high",
    )
    assert request["assets"] == ["ads", "ad_labels"]  # pipeline order, whatever order was given
    assert request["outbox_sent_at"] is None and request["outbox_attempts"] == 0
    ((queue, payload),) = conn.execute("SELECT queue, payload FROM outbox WHERE request_id = %s", (request_id,))
    message = parse_message(json.dumps(payload))
    assert queue == "high" and message.request_id == str(request_id) and message.brands == [brand]


def test_a_failing_outbox_insert_rolls_back_the_request(
    conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    (brand,) = _brands(conn, 1)

    def violating_insert(connection: psycopg.Connection, message: RequestMessage) -> None:
        # a real CHECK violation from Postgres: 'urgent' is not a queue
        connection.execute(
            "INSERT INTO outbox (request_id, queue, payload) VALUES (%s, 'urgent', '{}')", (message.request_id,)
        )

    monkeypatch.setattr(outbox_module, "_insert_outbox", violating_insert)
    with pytest.raises(psycopg.errors.CheckViolation):
        record_request(conn, brand=brand)
    monkeypatch.undo()

    with pytest.raises(UnknownBrandError):
        record_request(conn, brand=f"{brand}-missing")
    with pytest.raises(InvalidRequestError, match="assets"):
        record_request(conn, brand=brand, assets=["ads", "thumbnails"])
    count = conn.execute(
        "SELECT count(*) FROM requests r JOIN brands b ON b.id = r.brand_id WHERE b.partition_key = %s", (brand,)
    ).fetchone()
    assert count == (0,)


# --- the relay ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("park_pending")
def test_relay_sends_once_in_brand_order_and_marks_queued(
    conn: psycopg.Connection, connect: Callable[[], psycopg.Connection], make_queues: Callable[..., CountingQueues]
) -> None:
    queues = make_queues()
    first, second = _brands(conn, 2)
    ids = [record_request(conn, brand=first), record_request(conn, brand=second), record_request(conn, brand=first)]

    assert relay_outbox(connect, queues) == 3
    assert relay_outbox(connect, queues) == 0  # nothing pending: nothing sent twice
    assert queues.sends == [str(request_id) for request_id in ids]
    for request_id in ids:
        request = get_request(conn, request_id)
        assert request["status"] == "queued" and request["outbox_attempts"] == 1
        assert request["outbox_sent_at"] is not None

    messages = _drain(queues)
    assert sorted(_request_ids(messages)) == sorted(str(request_id) for request_id in ids)
    by_group = [json.loads(m["Body"])["request_id"] for m in messages if m["Attributes"]["MessageGroupId"] == first]
    assert by_group == [str(ids[0]), str(ids[2])]  # one brand's messages keep their order
    assert all(m["Attributes"]["MessageDeduplicationId"] == json.loads(m["Body"])["request_id"] for m in messages)


@pytest.mark.usefixtures("park_pending")
def test_a_refused_send_stays_pending_and_the_next_relay_sends_it(
    conn: psycopg.Connection, connect: Callable[[], psycopg.Connection], make_queues: Callable[..., CountingQueues]
) -> None:
    (brand,) = _brands(conn, 1)
    request_id = record_request(conn, brand=brand)

    missing = make_queues(ensure=False)  # a prefix no queue was created for
    assert relay_outbox(connect, missing) == 0
    request = get_request(conn, request_id)
    assert request["status"] == "received" and request["outbox_sent_at"] is None
    assert "NonExistentQueue" in request["outbox_last_error"] or "QueueDoesNotExist" in request["outbox_last_error"]

    queues = make_queues()
    assert relay_outbox(connect, queues) == 1
    request = get_request(conn, request_id)
    assert request["status"] == "queued" and request["outbox_last_error"] is None
    assert _request_ids(_drain(queues)) == [str(request_id)]


@pytest.mark.usefixtures("park_pending")
def test_two_concurrent_relays_send_each_row_exactly_once(
    conn: psycopg.Connection, connect: Callable[[], psycopg.Connection], make_queues: Callable[..., CountingQueues]
) -> None:
    queues = make_queues()
    queues.send_delay = 0.005
    brands = _brands(conn, 6)
    ids = {str(record_request(conn, brand=brands[index % 6])) for index in range(30)}
    barrier = threading.Barrier(2)
    totals: list[int] = []

    def relay() -> None:
        barrier.wait()
        total = 0
        while sent := relay_outbox(connect, queues, limit=4):
            total += sent
        totals.append(total)

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(totals) == 30 and len(queues.sends) == 30 and set(queues.sends) == ids
    attempts = conn.execute("SELECT attempts FROM outbox WHERE request_id = ANY(%s::uuid[])", (list(ids),)).fetchall()
    assert sorted(attempts) == [(1,)] * 30
    received = _request_ids(_drain(queues))
    assert len(received) == 30 and set(received) == ids


# --- lifecycle ------------------------------------------------------------------------------------


def test_request_lifecycle_transitions(conn: psycopg.Connection) -> None:
    (brand,) = _brands(conn, 1)
    request_id = record_request(conn, brand=brand)

    assert mark_request(conn, request_id, status="queued") is True
    assert mark_request(conn, request_id, status="queued") is False  # repeat: no-op
    assert mark_request(conn, str(request_id), status="running", run_id="run-a") is True
    assert mark_request(conn, request_id, status="queued") is False  # late queued after running: ignored
    assert get_request(conn, request_id)["status"] == "running"
    assert mark_request(conn, request_id, status="succeeded") is True
    assert mark_request(conn, request_id, status="running") is False  # late running after the end: ignored
    with pytest.raises(InvalidTransitionError, match="'succeeded' to 'failed'"):
        mark_request(conn, request_id, status="failed")
    with pytest.raises(InvalidTransitionError):
        mark_request(conn, request_id, status="received")
    with pytest.raises(InvalidTransitionError, match="unknown request status"):
        mark_request(conn, request_id, status="done")  # type: ignore[arg-type]
    done = get_request(conn, request_id)
    assert (done["status"], done["run_id"], done["attempts"]) == ("succeeded", "run-a", 1)

    # received → running directly: the consumer can beat the relay's commit
    retried = record_request(conn, brand=brand)
    assert mark_request(conn, retried, status="running", run_id="run-b") is True
    assert mark_request(conn, retried, status="failed", failure_reason="source timed out") is True
    assert get_request(conn, retried)["failure_reason"] == "source timed out"
    conn.execute("UPDATE outbox SET sent_at = now(), attempts = 1 WHERE request_id = %s", (retried,))
    assert mark_request(conn, retried, status="queued") is True  # retry re-publishes, as the next attempt
    request = get_request(conn, retried)
    assert request["status"] == "queued" and request["failure_reason"] is None
    assert request["outbox_sent_at"] is None and request["retries"] == 1
    assert parse_message(json.dumps(request["outbox_payload"])).attempt == 1
    # the first attempt's run, reported late, no longer moves the request
    assert mark_request(conn, retried, status="failed", run_id="run-b", attempt=0) is False

    # a new run of an ended request (Dagster re-execution) starts its lifecycle again
    assert mark_request(conn, request_id, status="running", run_id="run-c") is True
    assert mark_request(conn, request_id, status="failed", run_id="run-c", failure_reason="boom") is True
    with pytest.raises(InvalidTransitionError, match="same run"):
        mark_request(conn, request_id, status="succeeded", run_id="run-c")
    rerun = get_request(conn, request_id)
    assert (rerun["status"], rerun["run_id"], rerun["attempts"]) == ("failed", "run-c", 2)

    # refresh batches have no row: their runs report outcomes that change nothing
    assert mark_request(conn, uuid.uuid4(), status="running") is False
    assert mark_request(conn, "refresh-2026-11-22T10:00-00042", status="succeeded") is False
    with pytest.raises(UnknownRequestError, match="not a UUID"):
        get_request(conn, "refresh-2026-11-22T10:00-00042")
    with pytest.raises(UnknownRequestError):
        get_request(conn, uuid.uuid4())


# --- dead-letter queues ---------------------------------------------------------------------------


def test_replay_dlq_moves_poison_messages_back(
    conn: psycopg.Connection, connect: Callable[[], psycopg.Connection], make_queues: Callable[..., CountingQueues]
) -> None:
    queues = make_queues(visibility_seconds=0)
    bodies = [{"poison": index} for index in range(3)]
    for index, body in enumerate(bodies):
        queues.send(
            Priority.HIGH,
            body=body,
            group_id=f"brand-{index % 2}",
            deduplication_id=f"p{index}",
            attributes={"reason": "unknown brand"},
        )
    # received and never deleted (a consumer that keeps failing): after max_receives=2 receives SQS
    # moves each message to the DLQ; moto hands out one group's messages per call, so poll a few times
    for _ in range(10):
        if not queues.receive(Priority.HIGH) and queues.depth(Priority.HIGH, dead_letter=True) == 3:
            break
    assert queues.depth(Priority.HIGH, dead_letter=True) == 3 and queues.depth(Priority.HIGH) == 0

    assert replay_dlq(queues, "high", connect=connect) == 3
    assert queues.depth(Priority.HIGH, dead_letter=True) == 0
    # SQS moved them, so nothing had recorded them: the replay records why they were parked
    rows = conn.execute(
        "SELECT moved_by, reason, replayed_at IS NOT NULL FROM dead_letters WHERE queue = %s",
        (queues.queue_name(Priority.HIGH),),
    ).fetchall()
    assert len(rows) == 3 and all(moved_by == "sqs" and replayed for moved_by, _, replayed in rows)
    assert all("without being deleted" in reason for _, reason, _ in rows)
    messages = _drain(queues)
    assert sorted(json.loads(m["Body"])["poison"] for m in messages) == [0, 1, 2]
    for message in messages:
        group = f"brand-{json.loads(message['Body'])['poison'] % 2}"
        assert message["Attributes"]["MessageGroupId"] == group
        assert message["Attributes"]["MessageDeduplicationId"].startswith("replay-")
        assert message["MessageAttributes"]["reason"]["StringValue"] == "unknown brand"
    assert replay_dlq(queues, Priority.HIGH) == 0


# --- the spine scan -------------------------------------------------------------------------------


@contextmanager
def _only_due(database_url: str, prefix: str) -> Iterator[psycopg.Connection]:
    """A transaction, rolled back at the end, in which only brands under ``prefix`` can be due."""
    with psycopg.connect(database_url) as connection:
        connection.execute(
            "UPDATE brands SET last_acquired_at = now() WHERE partition_key NOT LIKE %s AND next_refresh_at <= now()",
            (f"{prefix}-%",),
        )
        try:
            yield connection
        finally:
            connection.rollback()


def test_enqueue_refresh_sends_every_due_brand_once_in_batches(
    database_url: str, make_queues: Callable[..., CountingQueues]
) -> None:
    queues = make_queues()
    prefix = f"rq{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    with _only_due(database_url, prefix) as conn:
        tracked = _brands(conn, 200, prefix=prefix)
        analyzed = _brands(conn, 60, prefix=f"{prefix}-an", status="analyzed")
        fresh = tracked[:20] + analyzed[:10]
        conn.execute("UPDATE brands SET last_acquired_at = now() WHERE partition_key = ANY(%s)", (fresh,))
        due = set(tracked + analyzed) - set(fresh)
        assert len(due) == 230

        assert [len(chunk) for chunk in due_brands(conn, now=now, limit=120, chunk_size=50)] == [50, 50, 20]
        assert enqueue_refresh(conn, queues, now=now, brands_per_message=50) == (5, 1)
        # an enqueued brand is not due again for a full interval, however often the schedule fires
        assert enqueue_refresh(conn, queues, now=now, brands_per_message=50) == (0, 0)
        assert list(due_brands(conn, now=now)) == []

    messages = [parse_message(m["Body"]) for m in _drain(queues, Priority.LOW)]
    assert len(messages) == 5
    assert sorted(len(m.brands) for m in messages) == [30, 50, 50, 50, 50]
    sent = [brand for message in messages for brand in message.brands]
    assert len(sent) == len(set(sent)) == 230 and set(sent) == due
    assert all(m.kind == "refresh" and m.priority == "low" and m.requested_at == now for m in messages)
    bucket = f"{now:%Y-%m-%dT%H:%M}"
    assert sorted(m.request_id for m in messages) == [f"refresh-{bucket}-{index:05d}" for index in range(5)]


class _FlakyBatches:
    """The real SQS client, except that send_message_batch drops entry "0" on the first ``failures`` calls."""

    def __init__(self, client: Any, failures: int) -> None:
        self._client = client
        self.failures = failures
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls += 1
        if self.calls > self.failures:
            return self._client.send_message_batch(QueueUrl=QueueUrl, Entries=Entries)
        kept = [entry for entry in Entries if entry["Id"] != "0"]
        response = self._client.send_message_batch(QueueUrl=QueueUrl, Entries=kept) if kept else {}
        failed = [{"Id": "0", "SenderFault": False, "Code": "InternalError", "Message": "injected"}]
        return {"Successful": response.get("Successful", []), "Failed": failed}


def test_failed_batch_entries_are_retried_once_then_reported(
    database_url: str, make_queues: Callable[..., CountingQueues]
) -> None:
    queues = make_queues()
    prefix = f"rq{uuid.uuid4().hex[:8]}"
    with _only_due(database_url, prefix) as conn:
        brands = _brands(conn, 3, prefix=prefix)
        queues.client = _FlakyBatches(queues.client, failures=1)
        assert enqueue_refresh(conn, queues, now=datetime.now(UTC), brands_per_message=1) == (3, 2)
        assert sorted(b for m in _drain(queues, Priority.LOW) for b in parse_message(m["Body"]).brands) == brands

        conn.execute("UPDATE brands SET next_refresh_at = '-infinity' WHERE partition_key = ANY(%s)", (brands,))
        queues.client = _FlakyBatches(queues.client._client, failures=2)
        with pytest.raises(QueueSendError, match="InternalError"):
            enqueue_refresh(conn, queues, now=datetime.now(UTC) + timedelta(minutes=1), brands_per_message=1)
