"""The request queues: a high- and a low-priority SQS FIFO queue, each with a dead-letter queue.

A message that fails ``max_receives`` times moves to its dead-letter queue by SQS's own redrive
policy; nothing in Adology has to remember to move it.

A queue whose URL cannot be resolved (SQS unreachable, or the queue missing) raises
:class:`QueueUnavailableError` before any message is tried, so a caller can tell "this queue is
down" (stop, record it for every message waiting) from "SQS refused this message".
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from adology.errors import AdologyError
from adology.logs import get_logger

log = get_logger(__name__)


_BATCH_LIMIT = 10  # SendMessageBatch and ReceiveMessage take at most ten entries


class QueueSendError(AdologyError):
    """SQS refused messages (a batch call, entries listed as failed twice, or a dead-letter replay send)."""


class QueueUnavailableError(AdologyError):
    """A queue's URL could not be resolved: SQS is unreachable or the queue does not exist."""


class Priority(str, enum.Enum):
    HIGH = "high"
    LOW = "low"


@dataclass(frozen=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    attributes: dict[str, str]
    receive_count: int
    deduplication_id: str  # the same for every delivery of one send; a re-publish gets a new one
    group_id: str


@dataclass(frozen=True)
class OutgoingMessage:
    body: Mapping[str, Any]
    group_id: str
    deduplication_id: str


def _encode(body: Mapping[str, Any] | str) -> str:
    return body if isinstance(body, str) else json.dumps(body, separators=(",", ":"), sort_keys=True)


@dataclass
class RequestQueues:
    client: Any
    prefix: str
    max_receives: int = 5
    visibility_seconds: int = 300
    _urls: dict[str, str] = field(default_factory=dict, repr=False)

    def queue_name(self, priority: Priority, *, dead_letter: bool = False) -> str:
        return f"{self.prefix}-{priority.value}{'-dlq' if dead_letter else ''}.fifo"

    def ensure(self) -> dict[str, str]:
        """Create both queues and their dead-letter queues with redrive policies; idempotent."""
        for priority in Priority:
            dlq_url = self._create(self.queue_name(priority, dead_letter=True), {})
            dlq_arn = self.client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(self.max_receives)})
            self._create(
                self.queue_name(priority),
                {"RedrivePolicy": redrive, "VisibilityTimeout": str(self.visibility_seconds)},
            )
        return dict(self._urls)

    def _create(self, name: str, attributes: dict[str, str]) -> str:
        # create_queue with identical attributes returns the existing queue, which makes this idempotent;
        # set_queue_attributes then applies any change of the settings to a queue made earlier.
        url = self.client.create_queue(
            QueueName=name,
            Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false", **attributes},
        )["QueueUrl"]
        if attributes:
            self.client.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        self._urls[name] = url
        return url

    def url(self, priority: Priority, *, dead_letter: bool = False) -> str:
        """The queue's URL, resolved once; :class:`QueueUnavailableError` when SQS cannot tell it."""
        name = self.queue_name(priority, dead_letter=dead_letter)
        if name not in self._urls:
            try:
                self._urls[name] = self.client.get_queue_url(QueueName=name)["QueueUrl"]
            except (ClientError, BotoCoreError) as exc:
                raise QueueUnavailableError(f"queue {name} is unavailable: {type(exc).__name__}: {exc}") from exc
        return self._urls[name]

    def send(
        self,
        priority: Priority,
        *,
        body: Mapping[str, Any] | str,
        group_id: str,
        deduplication_id: str,
        attributes: dict[str, str] | None = None,
        dead_letter: bool = False,
    ) -> str:
        """Send one message; a mapping body is sent as compact sorted JSON, a text body as it is
        (a dead letter keeps the exact bytes it arrived with)."""
        response = self.client.send_message(
            QueueUrl=self.url(priority, dead_letter=dead_letter),
            MessageBody=_encode(body),
            MessageGroupId=group_id,
            MessageDeduplicationId=deduplication_id,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value} for name, value in (attributes or {}).items()
            },
        )
        return response["MessageId"]

    def receive(
        self, priority: Priority, *, max_messages: int = 10, wait_seconds: int = 0, dead_letter: bool = False
    ) -> list[ReceivedMessage]:
        response = self.client.receive_message(
            QueueUrl=self.url(priority, dead_letter=dead_letter),
            MaxNumberOfMessages=max(1, min(max_messages, _BATCH_LIMIT)),
            WaitTimeSeconds=wait_seconds,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["ApproximateReceiveCount", "MessageDeduplicationId", "MessageGroupId"],
        )
        return [
            ReceivedMessage(
                message_id=item["MessageId"],
                receipt_handle=item["ReceiptHandle"],
                body=item["Body"],
                attributes={k: v.get("StringValue", "") for k, v in item.get("MessageAttributes", {}).items()},
                receive_count=int(item.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
                deduplication_id=item.get("Attributes", {}).get("MessageDeduplicationId", item["MessageId"]),
                group_id=item.get("Attributes", {}).get("MessageGroupId", ""),
            )
            for item in response.get("Messages", [])
        ]

    def send_batch(self, priority: Priority, messages: list[OutgoingMessage]) -> int:
        """Send up to ten messages in one SendMessageBatch call; entries SQS lists as failed are sent once
        more. Returns the calls made; :class:`QueueSendError` when the call fails or entries fail twice."""
        if len(messages) > _BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {_BATCH_LIMIT} messages, got {len(messages)}")
        pending = [
            {
                "Id": str(index),
                "MessageBody": _encode(message.body),
                "MessageGroupId": message.group_id,
                "MessageDeduplicationId": message.deduplication_id,
            }
            for index, message in enumerate(messages)
        ]
        failed: list[dict[str, Any]] = []
        for call in (1, 2):
            try:
                response = self.client.send_message_batch(QueueUrl=self.url(priority), Entries=pending)
            except (ClientError, BotoCoreError, QueueUnavailableError) as exc:
                raise QueueSendError(f"send_message_batch to {self.queue_name(priority)} failed: {exc}") from exc
            failed = response.get("Failed", [])
            if not failed:
                return call
            failed_ids = {item["Id"] for item in failed}
            pending = [entry for entry in pending if entry["Id"] in failed_ids]
            log.warning(
                "batch entries failed",
                extra={"failed": len(failed), "call": call, "codes": sorted({item.get("Code", "") for item in failed})},
            )
        details = "; ".join(f"{item['Id']}: {item.get('Code')} {item.get('Message', '')}".strip() for item in failed)
        raise QueueSendError(f"SQS refused {len(failed)} messages to {self.queue_name(priority)} twice: {details}")

    def delete(self, priority: Priority, *, receipt_handle: str, dead_letter: bool = False) -> None:
        self.client.delete_message(QueueUrl=self.url(priority, dead_letter=dead_letter), ReceiptHandle=receipt_handle)

    def backlog(self, priority: Priority) -> int:
        """Messages of the queue waiting, in flight (received, not yet deleted) or delayed: 0 means a
        message sent earlier and not deleted by its consumer is no longer in the queue."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url(priority),
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(value) for value in attributes.values())

    def depth(self, priority: Priority, *, dead_letter: bool = False) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url(priority, dead_letter=dead_letter),
            AttributeNames=["ApproximateNumberOfMessages"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])
