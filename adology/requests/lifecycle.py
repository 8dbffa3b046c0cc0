"""The request lifecycle: received → queued → running → succeeded | failed, and a failed request retried.

Runs of every kind report their outcome through :func:`mark_request`; only recorded requests have
a lifecycle, so ids with no row (refresh batches) change nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row

from adology.errors import AdologyError
from adology.logs import get_logger

log = get_logger(__name__)

Status = Literal["received", "queued", "running", "succeeded", "failed"]


class UnknownRequestError(AdologyError):
    """``get_request`` found no row with this id (refresh batches have deterministic ids and no row)."""


class InvalidTransitionError(AdologyError):
    """A status change that the request lifecycle forbids (e.g. succeeded → failed for one run)."""


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
