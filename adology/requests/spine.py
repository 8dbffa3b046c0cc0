"""The background spine: brands due for a refresh, found with one indexed query and enqueued as
batched low-priority refresh messages, which the low-priority request sensor turns into runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg

from adology.logs import get_logger
from adology.pipeline import PIPELINE_ASSETS
from adology.requests.messages import MAX_BRANDS_PER_MESSAGE, RequestMessage
from adology.storage.queues import OutgoingMessage, Priority, RequestQueues

log = get_logger(__name__)

_MESSAGES_PER_BATCH = 10  # SendMessageBatch takes at most ten entries


def due_brands(
    conn: psycopg.Connection,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    chunk_size: int = 1000,
) -> Iterator[list[str]]:
    """Partition keys of brands due for refresh (``next_refresh_at <= now``), in chunks.

    One query on the ``brands_due`` index through a server-side cursor, so 100k brands stream in
    ``chunk_size`` pieces instead of landing in memory at once. Ordered by due time then id, so
    the same set of due brands always chunks the same way.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    moment = now or datetime.now(UTC)
    # a named cursor lives inside a transaction; this also makes it work on autocommit connections
    with conn.transaction(), conn.cursor(name="adology_due_brands") as cursor:
        cursor.itersize = chunk_size
        cursor.execute(
            "SELECT partition_key FROM brands WHERE next_refresh_at <= %s ORDER BY next_refresh_at, id LIMIT %s",
            (moment, limit),
        )
        while chunk := cursor.fetchmany(chunk_size):
            yield [key for (key,) in chunk]


def refresh_request_id(now: datetime, index: int) -> str:
    """The deterministic id of refresh chunk ``index`` of the scan at ``now`` (minute bucket, UTC).

    A scan repeated within the same minute produces the same ids, so FIFO deduplication drops
    the repeat instead of enqueuing the same brands twice.
    """
    return f"refresh-{now.astimezone(UTC):%Y-%m-%dT%H:%M}-{index:05d}"


def enqueue_refresh(
    conn: psycopg.Connection,
    queues: RequestQueues,
    *,
    now: datetime,
    brands_per_message: int = 50,
) -> tuple[int, int]:
    """Enqueue low-priority refresh messages for every due brand; return (messages, send calls).

    ``brands_per_message`` brands share a message and ten messages share a SendMessageBatch call,
    so 100,000 due brands take 2,000 messages in 200 calls. Each message is its own FIFO group
    so refresh chunks run in parallel.
    """
    if not 1 <= brands_per_message <= MAX_BRANDS_PER_MESSAGE:
        raise ValueError(f"brands_per_message must be 1..{MAX_BRANDS_PER_MESSAGE}, got {brands_per_message}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    messages = 0
    calls = 0
    batch: list[OutgoingMessage] = []
    enqueued: list[str] = []
    for index, chunk in enumerate(due_brands(conn, now=now, chunk_size=brands_per_message)):
        enqueued += chunk
        message = RequestMessage(
            request_id=refresh_request_id(now, index),
            kind="refresh",
            priority="low",
            brands=chunk,
            assets=list(PIPELINE_ASSETS),
            requested_at=now,
        )
        batch.append(OutgoingMessage(message.body(), group_id=message.request_id, deduplication_id=message.request_id))
        messages += 1
        if len(batch) == _MESSAGES_PER_BATCH:
            calls += queues.send_batch(Priority.LOW, batch)
            batch = []
    if batch:
        calls += queues.send_batch(Priority.LOW, batch)
    # Not due again until a full interval has passed: a refresh still running when the schedule
    # next fires must not be enqueued twice. Acquisition then sets the real next time.
    conn.execute(
        "UPDATE brands SET next_refresh_at = %s::timestamptz + refresh_interval WHERE partition_key = ANY(%s)",
        (now, enqueued),
    )
    log.info(
        "refresh enqueued",
        extra={
            "messages": messages,
            "send_calls": calls,
            "scan_at": now.isoformat(),
            "brands_per_message": brands_per_message,
        },
    )
    return messages, calls
