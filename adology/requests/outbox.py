"""The transactional outbox: a request and its message are recorded together, then relayed to SQS.

The API records a request and its outbox row in one transaction (:func:`record_request`); the
relay (:func:`relay_outbox`) publishes pending outbox rows to the FIFO queue of their priority and
only then marks them sent, so a crash costs at most a duplicate send, which FIFO deduplication
and the run key downstream absorb (ARCHITECTURE §7: SQS delivers at least once). A row waiting for
a retry's backoff (``available_at``) is published once it is due.

A request whose message the queue lost is found by :func:`republish_lost`: still ``queued`` a
short grace after its send, no run for its run key, and its queue holding no message at all
(waiting, in flight or delayed). Its message can then be nowhere, so it is published again. Every
copy of one attempt has the same run key (:func:`adology.requests.messages.run_key`), so a copy
that was not lost after all (SQS's counts are approximate) costs a message, never a second run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import psycopg
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError
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
    run_key,
    validation_reason,
)
from adology.storage.queues import Priority, QueueUnavailableError, RequestQueues

log = get_logger(__name__)

_ERROR_TEXT_LIMIT = 1000
# Failures of the queue rather than of one message: no connection, no answer, no credentials, no
# queue. A refusal of one message (ClientError) or its parameters (ParamValidationError) is not one.
_QUEUE_UNAVAILABLE = (QueueUnavailableError, BotoConnectionError, HTTPClientError, NoCredentialsError)


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
    """Publish up to ``limit`` due pending outbox rows, oldest first; return how many were sent.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` so concurrent relays never send the same row,
    and marked sent in a commit after the sends, never before. A failed send records
    ``last_error`` and leaves its row pending: SQS refusing one message holds back the later rows
    of its brand (a brand's messages keep their order); a queue that cannot be reached, or whose
    URL cannot be resolved, is tried once per pass, and every claimed row for it records why, so
    an outage is visible in the database and costs one connection timeout, not one per row.
    """
    sent = 0
    with conn_factory() as conn, conn.transaction():
        rows = conn.execute(
            """SELECT id, request_id, queue, payload, attempts FROM outbox
               WHERE sent_at IS NULL AND (available_at IS NULL OR available_at <= now())
               ORDER BY created_at, id LIMIT %s FOR UPDATE SKIP LOCKED""",
            (limit,),
        ).fetchall()
        blocked_groups: set[str] = set()
        unavailable: dict[str, str] = {}  # queue -> why no row can be sent to it in this pass
        for outbox_id, request_id, queue, payload, attempts in rows:
            group = payload["brands"][0]
            context = {"request_id": str(request_id), "brand": group, "queue": queue}
            if queue in unavailable:
                _record_error(conn, outbox_id, unavailable[queue])
                continue
            if group in blocked_groups:
                continue
            dedup = deduplication_id(str(request_id), attempts)
            try:
                queues.send(Priority(queue), body=payload, group_id=group, deduplication_id=dedup)
            except _QUEUE_UNAVAILABLE as exc:
                # no answer from SQS, or no such queue: every row for this queue would wait the same
                unavailable[queue] = f"queue unavailable: {type(exc).__name__}: {exc}"
                _record_error(conn, outbox_id, unavailable[queue])
                log.error("request queue unavailable; its rows stay pending", extra={**context, "error": str(exc)})
                continue
            except (ClientError, BotoCoreError) as exc:
                blocked_groups.add(group)
                _record_error(conn, outbox_id, f"{type(exc).__name__}: {exc}")
                log.warning("outbox send refused; row stays pending", extra={**context, "error": str(exc)})
                continue
            conn.execute(
                "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = %s",
                (outbox_id,),
            )
            # only a request waiting for this message moves: the consumer may already have marked it running
            conn.execute(
                "UPDATE requests SET status = 'queued', next_attempt_at = NULL "
                "WHERE id = %s AND status IN ('received', 'retrying')",
                (request_id,),
            )
            sent += 1
            log.info(
                "outbox row sent",
                extra={**context, "deduplication_id": dedup, "attempt": payload.get("attempt", 0)},
            )
    return sent


def _record_error(conn: psycopg.Connection, outbox_id: int, error: str) -> None:
    conn.execute("UPDATE outbox SET last_error = %s WHERE id = %s", (error[:_ERROR_TEXT_LIMIT], outbox_id))


def republish_lost(
    conn: psycopg.Connection,
    queues: RequestQueues,
    run_exists: Callable[[str], bool],
    *,
    grace: timedelta,
    last_resort: timedelta,
    limit: int = 100,
) -> int:
    """Put back to pending the outbox rows of requests whose message is lost; return how many.

    A request still ``queued`` ``grace`` after its send is looked at: if a run exists for its run
    key (``run_exists``) it is never re-published (its run will move it); otherwise its message is
    lost when its queue holds no message at all (:meth:`RequestQueues.backlog`), since the consumer
    deletes a message only once its run exists. A busy queue cannot tell, so such a request is
    re-published only ``last_resort`` after its send. A request whose message is parked in a
    dead-letter queue waits for its replay. The relay then sends it again with a new deduplication
    id (see :func:`deduplication_id`) under the same run key.
    """
    candidates = conn.execute(
        """SELECT r.id, b.partition_key, r.retries, o.id, o.queue, o.sent_at < now() - %(last_resort)s
           FROM requests r
           JOIN brands b ON b.id = r.brand_id
           JOIN outbox o ON o.request_id = r.id
           WHERE r.status = 'queued' AND o.sent_at IS NOT NULL AND o.sent_at < now() - %(grace)s
             AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.request_id = r.id::text AND d.replayed_at IS NULL)
           ORDER BY o.sent_at
           LIMIT %(limit)s""",
        {"grace": grace, "last_resort": last_resort, "limit": limit},
    ).fetchall()
    backlogs: dict[str, int | None] = {}
    lost: dict[int, str] = {}  # outbox id -> why its message is presumed lost
    for request_id, brand, attempt, outbox_id, queue, overdue in candidates:
        key = run_key(str(request_id), brand, attempt)
        if run_exists(key):
            continue
        if queue not in backlogs:
            backlogs[queue] = _backlog(queues, Priority(queue))
        backlog = backlogs[queue]
        if backlog == 0:
            lost[outbox_id] = "its queue is empty and no run exists"
        elif overdue and backlog is not None:
            lost[outbox_id] = f"no run after {last_resort} while its queue holds {backlog} message(s)"
        else:
            continue
        log.warning(
            "request message presumed lost; re-publishing",
            extra={"request_id": str(request_id), "brand": brand, "run_key": key, "why": lost[outbox_id]},
        )
    if not lost:
        return 0
    with conn.transaction():
        rows = conn.execute(
            """UPDATE outbox o SET sent_at = NULL, available_at = NULL,
                      last_error = 'republished: ' || (%s::jsonb ->> o.id::text)
               FROM requests r
               WHERE o.id = ANY(%s) AND r.id = o.request_id AND r.status = 'queued' AND o.sent_at IS NOT NULL
               RETURNING o.id""",
            (Jsonb({str(outbox_id): why for outbox_id, why in lost.items()}), list(lost)),
        ).fetchall()
    return len(rows)


def _backlog(queues: RequestQueues, priority: Priority) -> int | None:
    """The queue's message count, or None when SQS cannot tell (nothing is presumed lost then)."""
    try:
        return queues.backlog(priority)
    except (QueueUnavailableError, ClientError, BotoCoreError) as exc:
        log.warning(
            "queue backlog unknown; no message presumed lost", extra={"queue": priority.value, "error": str(exc)}
        )
        return None
