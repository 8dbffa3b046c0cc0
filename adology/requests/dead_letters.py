"""Dead letters: a message nothing can process is parked with its reason; once the cause is fixed an
operator moves it back (``adology queue replay-dlq``).

SQS's own redrive policy parks a message that failed ``max_receives`` times; :func:`dead_letter`
parks one the consumer can tell is bad at once (a malformed body, an unknown brand).
"""

from __future__ import annotations

import uuid

from botocore.exceptions import BotoCoreError, ClientError

from adology.logs import get_logger
from adology.requests.messages import PriorityName
from adology.storage.queues import Priority, QueueSendError, ReceivedMessage, RequestQueues

log = get_logger(__name__)

_REASON_LIMIT = 1000


def dead_letter(queues: RequestQueues, priority: Priority, message: ReceivedMessage, reason: str) -> None:
    """Move a message nothing can process to the dead-letter queue, reason attached, then drop it.

    The copy is sent before the original is deleted, so a failure in between leaves a duplicate
    (the dead letter's deduplication id is the message id), never a lost message."""
    queues.send(
        priority,
        body=message.body,
        group_id="malformed",
        deduplication_id=message.message_id,
        attributes={"reason": reason[:_REASON_LIMIT]},
        dead_letter=True,
    )
    queues.delete(priority, receipt_handle=message.receipt_handle)
    log.warning("message sent to the dead-letter queue", extra={"message_id": message.message_id, "reason": reason})


def replay_dlq(queues: RequestQueues, priority: Priority | PriorityName, *, limit: int | None = None) -> int:
    """Move messages from the dead-letter queue of ``priority`` back to its main queue; return the count.

    Each message keeps its body, group and (string) attributes and gets a fresh deduplication id (its
    old one may still be inside SQS's five-minute window). A message leaves the dead-letter queue
    only after its send succeeded, so a failure can duplicate a message but never lose one.
    """
    level = Priority(priority)
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
                    f"back to {queues.queue_name(level)}: {exc}; it stays in the dead-letter queue"
                ) from exc
            queues.delete(level, receipt_handle=item.receipt_handle, dead_letter=True)
            moved += 1
            log.info(
                "dead-letter message replayed",
                extra={"message_id": item.message_id, "priority": level.value, "group": group},
            )
    return moved
