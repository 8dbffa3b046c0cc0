"""Dead letters: a message nothing can process is parked with its reason; once the cause is fixed an
operator moves it back (``adology queue replay-dlq``).

SQS's own redrive policy parks a message that failed ``max_receives`` times; :func:`dead_letter`
parks one the consumer can tell is bad at once (a malformed body, an unknown brand). Either way
the reason is kept in Postgres (``dead_letters``), not only in a message attribute and a log line:
:func:`dead_letter` records it before moving the message, :func:`replay_dlq` records the messages
SQS moved by itself when it finds them, and marks each row replayed. A request with a parked
message is not presumed lost (:func:`adology.requests.outbox.republish_lost` skips it) until its
message is replayed; the replayed copy carries the request's run key, so it makes no second run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager

import psycopg
from botocore.exceptions import BotoCoreError, ClientError

from adology.logs import get_logger
from adology.requests.messages import PriorityName
from adology.storage.queues import Priority, QueueSendError, ReceivedMessage, RequestQueues

log = get_logger(__name__)

ConnectionFactory = Callable[[], AbstractContextManager[psycopg.Connection]]

_REASON_LIMIT = 1000
_REQUEST_ID_LIMIT = 200


def _named_request(body: str) -> str | None:
    """The request id a body names, if it is a JSON object with a textual ``request_id``."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    request_id = parsed.get("request_id") if isinstance(parsed, dict) else None
    return request_id if isinstance(request_id, str) and len(request_id) <= _REQUEST_ID_LIMIT else None


def _record(
    connect: ConnectionFactory,
    *,
    queue: str,
    message: ReceivedMessage,
    message_id: str,
    reason: str,
    moved_by: str,
    replayed: bool = False,
) -> None:
    with connect() as conn, conn.transaction():
        conn.execute(
            """INSERT INTO dead_letters (queue, message_id, body, reason, moved_by, request_id, receive_count,
                                         replayed_at)
               VALUES (%s, %s, %s, %s, %s, %s, %s, CASE WHEN %s THEN now() END)
               ON CONFLICT (queue, message_id) DO NOTHING""",
            (
                queue,
                message_id,
                message.body,
                reason[:_REASON_LIMIT],
                moved_by,
                _named_request(message.body),
                message.receive_count,
                replayed,
            ),
        )


def dead_letter(
    connect: ConnectionFactory, queues: RequestQueues, priority: Priority, message: ReceivedMessage, reason: str
) -> None:
    """Move a message nothing can process to the dead-letter queue, reason attached, then drop it.

    The reason is committed to ``dead_letters`` first, then the copy is sent, then the original is
    deleted: a failure in between leaves the message where it was or a duplicate (the dead letter's
    deduplication id is the message id, and the row is keyed by it), never a lost message or reason.
    """
    _record(
        connect,
        queue=queues.queue_name(priority),
        message=message,
        message_id=message.message_id,
        reason=reason,
        moved_by="consumer",
    )
    queues.send(
        priority,
        body=message.body,
        group_id="malformed",
        deduplication_id=message.message_id,
        attributes={"reason": reason[:_REASON_LIMIT]},
        dead_letter=True,
    )
    queues.delete(priority, receipt_handle=message.receipt_handle)
    log.warning(
        "message sent to the dead-letter queue",
        extra={"message_id": message.message_id, "request_id": _named_request(message.body), "reason": reason},
    )


def replay_dlq(
    queues: RequestQueues,
    priority: Priority | PriorityName,
    *,
    limit: int | None = None,
    connect: ConnectionFactory | None = None,
) -> int:
    """Move messages from the dead-letter queue of ``priority`` back to its main queue; return the count.

    Each message keeps its body, group and (string) attributes and gets a fresh deduplication id (its
    old one may still be inside SQS's five-minute window). A message leaves the dead-letter queue
    only after its send succeeded, so a failure can duplicate a message but never lose one. With
    ``connect``, its ``dead_letters`` row is marked replayed (and written first for a message SQS's
    redrive moved, whose reason is its receive count) before it leaves the dead-letter queue.
    """
    level = Priority(priority)
    queue = queues.queue_name(level)
    moved = 0
    while limit is None or moved < limit:
        items = queues.receive(level, max_messages=10 if limit is None else limit - moved, dead_letter=True)
        if not items:
            break
        for item in items:
            group = item.group_id or "replayed"
            try:
                queues.send(
                    level,
                    body=item.body,
                    group_id=group,
                    deduplication_id=f"replay-{uuid.uuid4().hex}",
                    attributes=item.attributes,
                )
            except (ClientError, BotoCoreError) as exc:
                raise QueueSendError(
                    f"could not move message {item.message_id} from {queues.queue_name(level, dead_letter=True)} "
                    f"back to {queue}: {exc}; it stays in the dead-letter queue"
                ) from exc
            if connect is not None:
                _mark_replayed(connect, queue, item)
            queues.delete(level, receipt_handle=item.receipt_handle, dead_letter=True)
            moved += 1
            log.info(
                "dead-letter message replayed",
                extra={
                    "message_id": item.message_id,
                    "request_id": _named_request(item.body),
                    "priority": level.value,
                    "group": group,
                },
            )
    return moved


def _mark_replayed(connect: ConnectionFactory, queue: str, item: ReceivedMessage) -> None:
    """Mark the message's row replayed. A copy :func:`dead_letter` made carries the original message id
    as its deduplication id; a message SQS moved keeps its id, and has no row until now."""
    with connect() as conn, conn.transaction():
        marked = conn.execute(
            """UPDATE dead_letters SET replayed_at = now()
               WHERE queue = %s AND message_id IN (%s, %s)
               RETURNING id""",
            (queue, item.deduplication_id, item.message_id),
        ).fetchall()
    if not marked:
        _record(
            connect,
            queue=queue,
            message=item,
            message_id=item.message_id,
            reason=f"received {item.receive_count} time(s) without being deleted (moved by SQS redrive)",
            moved_by="sqs",
            replayed=True,
        )
