"""The transactional outbox: a request and its message are recorded together, then relayed to SQS.

The API records a request and its outbox row in one transaction (:func:`record_request`); the
relay (:func:`relay_outbox`) publishes pending outbox rows to the FIFO queue of their priority and
only then marks them sent, so a crash costs at most a duplicate send, which FIFO deduplication
and the run key downstream absorb (ARCHITECTURE §7: SQS delivers at least once). A request whose
message the queue lost is re-published by :func:`republish_stuck`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from adology.brands import UnknownBrandError
from adology.logs import get_logger
from adology.pipeline import PIPELINE_ASSETS
from adology.requests.messages import (
    InvalidRequestError,
    Kind,
    PriorityName,
    RequestMessage,
    validation_reason,
)
from adology.storage.queues import Priority, RequestQueues

log = get_logger(__name__)

_ERROR_TEXT_LIMIT = 1000


def _insert_outbox(conn: psycopg.Connection, message: RequestMessage) -> None:
    conn.execute(
        "INSERT INTO outbox (request_id, queue, payload) VALUES (%s, %s, %s)",
        (message.request_id, message.priority, Jsonb(message.body())),
    )


def record_request(
    conn: psycopg.Connection,
    *,
    brand: str,
    kind: Kind = "analyze",
    priority: PriorityName = "high",
    assets: list[str] | None = None,
    organization_id: uuid.UUID | str | None = None,
    user_id: uuid.UUID | str | None = None,
) -> uuid.UUID:
    """Record a request and its outbox row in one transaction and return the request id.

    Nothing is sent here: the relay publishes the outbox row, so the request exists in the
    database whether or not SQS is reachable right now.
    """
    request_id = uuid.uuid4()
    chosen = list(assets) if assets is not None else list(PIPELINE_ASSETS)
    with conn.transaction():
        row = conn.execute("SELECT id FROM brands WHERE partition_key = %s", (brand,)).fetchone()
        if row is None:
            raise UnknownBrandError(f"no brand with partition key {brand!r} in table brands")
        try:
            # validated before the insert so a bad argument never leaves a request without a message
            message = RequestMessage(
                request_id=str(request_id),
                kind=kind,
                priority=priority,
                brands=[brand],
                assets=chosen,  # validated by the model: a bad name raises InvalidRequestError
                requested_at=datetime.now(UTC),
            )
        except ValidationError as exc:
            raise InvalidRequestError(validation_reason(exc)) from exc
        conn.execute(
            """INSERT INTO requests (id, organization_id, user_id, brand_id, kind, priority, assets, status)
               VALUES (%s, %s, %s, %s, %s, %s, %s, 'received')""",
            (request_id, organization_id, user_id, row[0], kind, priority, message.assets),
        )
        _insert_outbox(conn, message)
    log.info(
        "request recorded",
        extra={"request_id": str(request_id), "brand": brand, "kind": kind, "priority": priority},
    )
    return request_id


def deduplication_id(request_id: str, attempts: int) -> str:
    """The FIFO deduplication id of a publish: stable across failed sends, new after a republish.

    ``attempts`` counts successful publishes of the outbox row. A crash between send and commit
    leaves it unchanged, so the resend carries the same id and SQS drops it; a deliberate
    republish (the first send was lost) comes after a counted send and gets a fresh id.
    """
    return request_id if attempts == 0 else f"{request_id}:{attempts}"


def relay_outbox(
    conn_factory: Callable[[], AbstractContextManager[psycopg.Connection]],
    queues: RequestQueues,
    *,
    limit: int = 100,
) -> int:
    """Publish up to ``limit`` pending outbox rows, oldest first; return how many were sent.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so concurrent relays never send the same row,
    and marked sent in a commit after the sends, never before. A failed send records
    ``last_error`` and leaves its row pending; later rows of the same brand wait for the next pass
    so a brand's messages keep their order.
    """
    sent = 0
    with conn_factory() as conn, conn.transaction():
        rows = conn.execute(
            """SELECT id, request_id, queue, payload, attempts FROM outbox
               WHERE sent_at IS NULL ORDER BY created_at, id LIMIT %s FOR UPDATE SKIP LOCKED""",
            (limit,),
        ).fetchall()
        blocked_groups: set[str] = set()
        for outbox_id, request_id, queue, payload, attempts in rows:
            group = payload["brands"][0]
            if group in blocked_groups:
                continue
            dedup = deduplication_id(str(request_id), attempts)
            try:
                queues.send(Priority(queue), body=payload, group_id=group, deduplication_id=dedup)
            except (ClientError, BotoCoreError) as exc:
                blocked_groups.add(group)
                conn.execute(
                    "UPDATE outbox SET last_error = %s WHERE id = %s",
                    (f"{type(exc).__name__}: {exc}"[:_ERROR_TEXT_LIMIT], outbox_id),
                )
                log.warning(
                    "outbox send failed; row stays pending",
                    extra={"request_id": str(request_id), "brand": group, "queue": queue, "error": str(exc)},
                )
                continue
            conn.execute(
                "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = %s",
                (outbox_id,),
            )
            # only a request still 'received' moves: the consumer may already have marked it running
            conn.execute("UPDATE requests SET status = 'queued' WHERE id = %s AND status = 'received'", (request_id,))
            sent += 1
            log.info(
                "outbox row sent",
                extra={"request_id": str(request_id), "brand": group, "queue": queue, "deduplication_id": dedup},
            )
    return sent


def republish_stuck(conn: psycopg.Connection, *, older_than: timedelta) -> int:
    """Put back to pending the outbox rows of requests still queued ``older_than`` after their send.

    Such a request was never picked up, so its message is presumed lost (moto SQS is in memory);
    the relay sends it again with a new deduplication id (see :func:`deduplication_id`).
    """
    with conn.transaction():
        rows = conn.execute(
            """UPDATE outbox o SET sent_at = NULL,
                      last_error = 'republished: request still queued ' || (now() - o.sent_at)::text || ' after send'
               FROM requests r
               WHERE r.id = o.request_id AND r.status = 'queued'
                 AND o.sent_at IS NOT NULL AND o.sent_at < now() - %s
               RETURNING o.request_id""",
            (older_than,),
        ).fetchall()
    for (request_id,) in rows:
        log.warning("stuck request re-published", extra={"request_id": str(request_id)})
    return len(rows)
