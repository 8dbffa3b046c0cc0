"""The request queues: a high- and a low-priority SQS FIFO queue, each with a dead-letter queue.

A message that fails ``max_receives`` times moves to its dead-letter queue by SQS's own redrive
policy; nothing in Adology has to remember to move it.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

from adology.logs import get_logger

log = get_logger(__name__)


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
        name = self.queue_name(priority, dead_letter=dead_letter)
        if name not in self._urls:
            self._urls[name] = self.client.get_queue_url(QueueName=name)["QueueUrl"]
        return self._urls[name]

    def send(
        self,
        priority: Priority,
        *,
        body: dict[str, Any],
        group_id: str,
        deduplication_id: str,
        attributes: dict[str, str] | None = None,
        dead_letter: bool = False,
    ) -> str:
        response = self.client.send_message(
            QueueUrl=self.url(priority, dead_letter=dead_letter),
            MessageBody=json.dumps(body, separators=(",", ":"), sort_keys=True),
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
            MaxNumberOfMessages=max(1, min(max_messages, 10)),
            WaitTimeSeconds=wait_seconds,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["ApproximateReceiveCount", "MessageDeduplicationId"],
        )
        return [
            ReceivedMessage(
                message_id=item["MessageId"],
                receipt_handle=item["ReceiptHandle"],
                body=item["Body"],
                attributes={k: v.get("StringValue", "") for k, v in item.get("MessageAttributes", {}).items()},
                receive_count=int(item.get("Attributes", {}).get("ApproximateReceiveCount", "1")),
                deduplication_id=item.get("Attributes", {}).get("MessageDeduplicationId", item["MessageId"]),
            )
            for item in response.get("Messages", [])
        ]

    def delete(self, priority: Priority, *, receipt_handle: str, dead_letter: bool = False) -> None:
        self.client.delete_message(
            QueueUrl=self.url(priority, dead_letter=dead_letter), ReceiptHandle=receipt_handle
        )

    def depth(self, priority: Priority, *, dead_letter: bool = False) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url(priority, dead_letter=dead_letter),
            AttributeNames=["ApproximateNumberOfMessages"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])
