"""Requests for analysis and refresh: the SQS message schema, the transactional outbox and its relay.

The API records a request and its outbox row in one transaction (:func:`record_request`); the
relay (:func:`relay_outbox`) publishes pending outbox rows to the FIFO queue of their priority and
only then marks them sent, so a crash costs at most a duplicate send, which FIFO deduplication
and the run key downstream absorb (ARCHITECTURE §7: SQS delivers at least once). A request whose
message the queue lost is re-published by :func:`republish_stuck`; messages that exhausted their
receives are moved back from the dead-letter queue by :func:`replay_dlq`. The spine schedule scans
due brands with one indexed query (:func:`due_brands`) and enqueues low-priority refresh messages
in batches (:func:`enqueue_refresh`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import psycopg
from botocore.exceptions import BotoCoreError, ClientError
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from adology.brands import UnknownBrandError
from adology.errors import AdologyError
from adology.logs import get_logger
from adology.storage.queues import Priority, RequestQueues

log = get_logger(__name__)

Kind = Literal["analyze", "refresh"]
PriorityName = Literal["high", "low"]
Status = Literal["received", "queued", "running", "succeeded", "failed"]
AssetName = Literal["ads", "ad_descriptions", "ad_labels", "ad_embeddings"]

# Pipeline order: assets are stored in this order whatever order a caller gives them in, so two
# requests for the same work have the same payload.
ALL_ASSETS: tuple[AssetName, ...] = ("ads", "ad_descriptions", "ad_labels", "ad_embeddings")
BRAND_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,127}$"  # the same rule as the CHECK on brands.partition_key
# UUIDs and deterministic ids such as refresh-2026-11-22T10:00-00042; short enough that a
# ":<attempt>" suffix still fits SQS's 128-character deduplication id.
REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,79}$"
MAX_BRANDS_PER_MESSAGE = 100
_BRAND_KEY = re.compile(BRAND_KEY_PATTERN)
_SQS_BATCH_SIZE = 10  # SendMessageBatch takes at most ten entries
_ERROR_TEXT_LIMIT = 1000


class MalformedMessage(AdologyError):
    """An SQS message body is not a valid :class:`RequestMessage`; the text says which field and why."""


class InvalidRequestError(AdologyError):
    """``record_request`` was given a kind, priority or asset list the message schema refuses."""


class UnknownRequestError(AdologyError):
    """``get_request`` found no row with this id (refresh batches have deterministic ids and no row)."""


class InvalidTransitionError(AdologyError):
    """A status change that the request lifecycle forbids (e.g. succeeded → failed for one run)."""


class QueueSendError(AdologyError):
    """SQS refused messages (a batch call, entries listed as failed twice, or a dead-letter replay send)."""


class RequestMessage(BaseModel):
    """The body of every message on the request queues."""

    # strict + forbid: a producer that drifts from the schema is caught at the consumer, not half-read
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    kind: Kind
    priority: PriorityName
    brands: list[str] = Field(min_length=1, max_length=MAX_BRANDS_PER_MESSAGE)
    assets: list[AssetName] = Field(default_factory=lambda: list(ALL_ASSETS), min_length=1)
    requested_at: AwareDatetime

    @field_validator("brands")
    @classmethod
    def _brands_are_partition_keys(cls, brands: list[str]) -> list[str]:
        for index, brand in enumerate(brands):
            if not _BRAND_KEY.match(brand):
                raise ValueError(f"brand {index} ({brand!r}) is not a partition key matching {BRAND_KEY_PATTERN}")
        if len(set(brands)) != len(brands):
            raise ValueError("brands repeat; each brand may appear once")
        return brands

    @field_validator("assets")
    @classmethod
    def _assets_are_a_subset(cls, assets: list[AssetName]) -> list[AssetName]:
        if len(set(assets)) != len(assets):
            raise ValueError("assets repeat; give each asset once")
        return [asset for asset in ALL_ASSETS if asset in assets]

    def body(self) -> dict[str, Any]:
        """The JSON-ready form stored in the outbox and sent to SQS."""
        return self.model_dump(mode="json")


def _reason(exc: ValidationError) -> str:
    """One line naming the first offending field and why, for logs and the dead-letter reason."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    if first["type"] == "json_invalid":
        return f"invalid JSON: {first.get('ctx', {}).get('error', first['msg'])}"
    location = ""
    for part in first["loc"]:
        location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else str(part))
    if first["type"] == "model_type" or not location:
        return f"message body must be a JSON object with the request fields ({first['msg']})"
    detail = first["msg"].removeprefix("Value error, ")
    detail = detail[:1].lower() + detail[1:]
    got = first.get("input")
    quiet = first["type"] in ("missing", "extra_forbidden") or isinstance(got, (dict, list))
    shown = "" if quiet else f" (got {got!r})"
    more = f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"field {location!r}: {detail}{shown}{more}"


def parse_message(body: str) -> RequestMessage:
    """Validate an SQS message body; :class:`MalformedMessage` names the field that is wrong."""
    try:
        return RequestMessage.model_validate_json(body)
    except ValidationError as exc:
        raise MalformedMessage(_reason(exc)) from exc


# --- the outbox ----------------------------------------------------------------------------------


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
    chosen = list(assets) if assets is not None else list(ALL_ASSETS)
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
                assets=chosen,  # type: ignore[arg-type]  # validated by the model
                requested_at=datetime.now(UTC),
            )
        except ValidationError as exc:
            raise InvalidRequestError(_reason(exc)) from exc
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


# --- lifecycle -----------------------------------------------------------------------------------

# received → queued → running → succeeded | failed. Forward skips are allowed because the steps
# race: the consumer can mark a request running before the relay's commit marks it queued.
_RANK: dict[str, int] = {"received": 0, "queued": 1, "running": 2, "succeeded": 3, "failed": 3}


def _as_uuid(request_id: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(request_id, uuid.UUID):
        return request_id
    try:
        return uuid.UUID(request_id)
    except ValueError:
        return None  # deterministic refresh ids are not UUIDs and never have a row


def mark_request(
    conn: psycopg.Connection,
    request_id: uuid.UUID | str,
    *,
    status: Status,
    run_id: str | None = None,
    failure_reason: str | None = None,
) -> bool:
    """Move a request to ``status``; return True when it changed, False when nothing was recorded.

    - forward moves along received → queued → running → succeeded | failed apply, skips included
      (the consumer can mark a request running before the relay's commit marks it queued);
    - repeats are no-ops, and late steps (``queued`` or ``running`` after the request moved past
      them) are ignored, because at-least-once delivery and sensor ticks can replay them;
    - ``failed → queued`` is a retry: the outbox row goes back to pending and the relay publishes
      the request again;
    - a different ``run_id`` than the recorded one after the request ended is a new run of it
      (a Dagster re-execution or run retry), so its ``running``/outcome applies;
    - ``succeeded ↔ failed`` for the same run and any move to ``received`` raise
      :class:`InvalidTransitionError`.

    Ids with no row (refresh batches have deterministic non-UUID ids) return False: runs of
    every kind report their outcome here, and only recorded requests have a lifecycle.
    """
    if status not in _RANK:
        raise InvalidTransitionError(f"unknown request status {status!r}; expected one of {sorted(_RANK)}")
    key = _as_uuid(request_id)
    if key is None:
        log.debug("status of an unrecorded request skipped", extra={"request_id": str(request_id)})
        return False
    with conn.transaction():
        row = conn.execute("SELECT status, run_id FROM requests WHERE id = %s FOR UPDATE", (key,)).fetchone()
        if row is None:
            log.warning("status for a request with no row skipped", extra={"request_id": str(key), "status": status})
            return False
        current, current_run = row
        context = {"request_id": str(key), "from_status": current, "to_status": status, "run_id": run_id}
        if status == "received" and current != "received":
            raise InvalidTransitionError(f"request {key} cannot go back from {current!r} to 'received'")
        retry = current == "failed" and status == "queued"
        rerun = (
            current in ("succeeded", "failed")
            and status in ("running", "succeeded", "failed")
            and run_id is not None
            and current_run is not None
            and run_id != current_run
        )
        if not (retry or rerun):
            if current == status:
                return False
            if _RANK[current] == _RANK[status] == 3:
                raise InvalidTransitionError(f"request {key} cannot go from {current!r} to {status!r} (same run)")
            if _RANK[status] < _RANK[current]:
                log.info("late request status ignored", extra=context)
                return False
        if status == "running":
            conn.execute(
                "UPDATE requests SET status = 'running', run_id = coalesce(%s, run_id), failure_reason = NULL, "
                "attempts = attempts + 1 WHERE id = %s",
                (run_id, key),
            )
        elif status == "failed":
            conn.execute(
                "UPDATE requests SET status = 'failed', run_id = coalesce(%s, run_id), failure_reason = %s "
                "WHERE id = %s",
                (run_id, failure_reason, key),
            )
        elif status == "succeeded":
            conn.execute(
                "UPDATE requests SET status = 'succeeded', run_id = coalesce(%s, run_id), failure_reason = NULL "
                "WHERE id = %s",
                (run_id, key),
            )
        else:  # queued
            conn.execute("UPDATE requests SET status = 'queued', failure_reason = NULL WHERE id = %s", (key,))
            if retry:
                conn.execute(
                    "UPDATE outbox SET sent_at = NULL, last_error = 'retry after failure' WHERE request_id = %s",
                    (key,),
                )
        log.info("request status changed", extra={**context, "retry": retry, "rerun": rerun})
        return True


def get_request(conn: psycopg.Connection, request_id: uuid.UUID | str) -> dict[str, Any]:
    """The request row with its brand's partition key (``brand``) and its outbox state."""
    key = _as_uuid(request_id)
    if key is None:
        raise UnknownRequestError(f"no request {request_id!r} in table requests (not a UUID)")
    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute(
            """SELECT r.id, r.organization_id, r.user_id, r.brand_id, b.partition_key AS brand, r.brandspace_id,
                      r.kind, r.priority, r.assets, r.status, r.run_id, r.failure_reason, r.attempts,
                      r.created_at, r.updated_at,
                      o.sent_at AS outbox_sent_at, o.attempts AS outbox_attempts, o.last_error AS outbox_last_error
               FROM requests r
               LEFT JOIN brands b ON b.id = r.brand_id
               LEFT JOIN LATERAL (SELECT sent_at, attempts, last_error FROM outbox
                                  WHERE request_id = r.id ORDER BY id DESC LIMIT 1) o ON true
               WHERE r.id = %s""",
            (key,),
        ).fetchone()
    if row is None:
        raise UnknownRequestError(f"no request {str(key)!r} in table requests")
    return row


# --- dead-letter queues --------------------------------------------------------------------------


def _sendable_attributes(attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    # received attributes carry empty list fields SendMessage refuses; keep only the value itself
    kept: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        if "StringValue" in value:
            kept[name] = {"DataType": value["DataType"], "StringValue": value["StringValue"]}
        elif "BinaryValue" in value:
            kept[name] = {"DataType": value["DataType"], "BinaryValue": value["BinaryValue"]}
    return kept


def replay_dlq(queues: RequestQueues, priority: Priority | PriorityName, *, limit: int | None = None) -> int:
    """Move messages from the dead-letter queue of ``priority`` back to its main queue; return the count.

    Each message keeps its body, group and attributes and gets a fresh deduplication id (its old
    one may still be inside SQS's five-minute window). A message leaves the dead-letter queue only
    after its send succeeded, so a failure can duplicate a message but never lose one.
    """
    level = Priority(priority)
    dlq_url = queues.url(level, dead_letter=True)
    main_url = queues.url(level)
    moved = 0
    while limit is None or moved < limit:
        wanted = _SQS_BATCH_SIZE if limit is None else min(_SQS_BATCH_SIZE, limit - moved)
        items = queues.client.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=wanted,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId"],
        ).get("Messages", [])
        if not items:
            break
        for item in items:
            group = item.get("Attributes", {}).get("MessageGroupId") or "replayed"
            try:
                queues.client.send_message(
                    QueueUrl=main_url,
                    MessageBody=item["Body"],
                    MessageGroupId=group,
                    MessageDeduplicationId=f"replay-{uuid.uuid4().hex}",
                    MessageAttributes=_sendable_attributes(item.get("MessageAttributes", {})),
                )
            except (ClientError, BotoCoreError) as exc:
                raise QueueSendError(
                    f"could not move message {item['MessageId']} from {queues.queue_name(level, dead_letter=True)} "
                    f"back to {queues.queue_name(level)}: {exc}; it stays in the dead-letter queue"
                ) from exc
            queues.client.delete_message(QueueUrl=dlq_url, ReceiptHandle=item["ReceiptHandle"])
            moved += 1
            log.info(
                "dead-letter message replayed",
                extra={"message_id": item["MessageId"], "priority": level.value, "group": group},
            )
    return moved


# --- the spine scan ------------------------------------------------------------------------------


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


def _send_batch(queues: RequestQueues, entries: list[dict[str, Any]]) -> int:
    """Send up to ten entries; retry the ones SQS lists as failed once. Returns the calls made."""
    url = queues.url(Priority.LOW)
    pending = entries
    for call in (1, 2):
        try:
            response = queues.client.send_message_batch(QueueUrl=url, Entries=pending)
        except (ClientError, BotoCoreError) as exc:
            raise QueueSendError(f"send_message_batch to {queues.queue_name(Priority.LOW)} failed: {exc}") from exc
        failed = response.get("Failed", [])
        if not failed:
            return call
        failed_ids = {item["Id"] for item in failed}
        pending = [entry for entry in pending if entry["Id"] in failed_ids]
        log.warning(
            "refresh batch entries failed",
            extra={"failed": len(failed), "codes": sorted({item.get("Code", "") for item in failed}), "call": call},
        )
    details = "; ".join(f"{item['Id']}: {item.get('Code')} {item.get('Message', '')}".strip() for item in failed)
    raise QueueSendError(f"SQS refused {len(failed)} refresh messages twice: {details}")


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
    entries: list[dict[str, Any]] = []
    enqueued: list[str] = []
    for index, chunk in enumerate(due_brands(conn, now=now, chunk_size=brands_per_message)):
        enqueued += chunk
        message = RequestMessage(
            request_id=refresh_request_id(now, index),
            kind="refresh",
            priority="low",
            brands=chunk,
            assets=list(ALL_ASSETS),
            requested_at=now,
        )
        entries.append(
            {
                "Id": str(len(entries)),
                "MessageBody": json.dumps(message.body(), separators=(",", ":"), sort_keys=True),
                "MessageGroupId": message.request_id,
                "MessageDeduplicationId": message.request_id,
            }
        )
        messages += 1
        if len(entries) == _SQS_BATCH_SIZE:
            calls += _send_batch(queues, entries)
            entries = []
    if entries:
        calls += _send_batch(queues, entries)
    # Not due again until a full interval has passed: a refresh still running when the schedule
    # next fires must not be enqueued twice. Acquisition then sets the real next time.
    conn.execute("UPDATE brands SET next_refresh_at = %s::timestamptz + refresh_interval WHERE partition_key = ANY(%s)",
                 (now, enqueued))
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
