"""The request lifecycle: received → queued → running → succeeded | failed, with failed attempts retried.

Runs of every kind report their outcome here; only recorded requests have a lifecycle, so ids with
no row (refresh batches) change nothing.

**Retries.** A recorded request's failed run is retried by this lifecycle, not by Dagster's run
retries: :func:`settle_failure` moves the request to ``retrying``, schedules its outbox row again
after an exponential backoff (:class:`RetryPolicy`: 30 s, 2 min, 8 min) as its next attempt, and
after the last retry marks it failed for good with the failing run's reason. Dagster re-executes a
run at once, which suits a crashed run worker but only repeats a failure whose cause is still
there (a database restarting, an AI provider's outage). The lifecycle covers crashes too (a
crashed run ends failed, and its failure is settled like any other), and it is the one owner of a
request's retries, so no run is retried twice over (dagster.yaml leaves Dagster's retries to runs
without a request row). The request row shows ``retrying`` with the failed attempt's reason and
the time of the next; the requester gets one notification, with the final outcome.

**Transient ad failures.** A run can succeed with some of its ads failed (the analysis step fails
only past a share, see :class:`adology.analysis.stage_report.StageReport`). When any of them failed
for a passing cause (a rate-limit storm, server errors, a store that could not be read),
:func:`settle_success` retries the request the same way, since the next attempt analyses exactly
the ads still failed; once the retries are spent the request succeeds with those ads counted.
Failures of an ad's own content (a corrupt or oversized creative) are final at once.

**Attempts.** ``requests.retries`` counts the retries so far; it is the attempt the current
message and run carry (the run key is made of request id, brand and attempt, see
:func:`adology.requests.messages.run_key`). A status reported for an earlier attempt's run is
stale and ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from adology.errors import AdologyError
from adology.logs import get_logger

log = get_logger(__name__)

Status = Literal["received", "queued", "running", "succeeded", "failed"]
Settlement = Literal["retrying", "succeeded", "failed"]

_REASON_LIMIT = 2000


class UnknownRequestError(AdologyError):
    """``get_request`` found no row with this id (refresh batches have deterministic ids and no row)."""


class InvalidTransitionError(AdologyError):
    """A status change that the request lifecycle forbids (e.g. succeeded → failed for one run)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed request is tried again: retry ``n`` (1-based) waits
    ``first_delay * factor ** (n - 1)``; after ``max_retries`` retries a failure is final."""

    max_retries: int = 3
    first_delay: timedelta = timedelta(seconds=30)
    factor: int = 4

    def delay(self, retry: int) -> timedelta:
        return self.first_delay * self.factor ** (retry - 1)


RETRY_POLICY = RetryPolicy()
FINAL_STATUSES = ("succeeded", "failed")  # a request in one of these is done for good

# received → queued → running → succeeded | failed. Forward skips are allowed because the steps
# race: the consumer can mark a request running before the relay's commit marks it queued.
# 'retrying' waits for the next attempt's message, like 'queued' does for the first.
_RANK: dict[str, int] = {"received": 0, "queued": 1, "retrying": 1, "running": 2, "succeeded": 3, "failed": 3}
_MARKABLE = frozenset(_RANK) - {"retrying"}  # only the settle functions decide that a request retries


def _as_uuid(request_id: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(request_id, uuid.UUID):
        return request_id
    try:
        return uuid.UUID(request_id)
    except ValueError:
        return None  # deterministic refresh ids are not UUIDs and never have a row


def recorded_requests(conn: psycopg.Connection, request_ids: list[str]) -> set[str]:
    """Which of these ids have a request row (and so a lifecycle that retries them)."""
    keys = [key for key in map(_as_uuid, request_ids) if key is not None]
    if not keys:
        return set()
    rows = conn.execute("SELECT id::text FROM requests WHERE id = ANY(%s)", (keys,)).fetchall()
    return {row[0] for row in rows}


def _requeue(conn: psycopg.Connection, key: uuid.UUID, *, attempt: int, delay: timedelta, note: str) -> None:
    """Put the request's outbox row back to pending for ``attempt``, publishable after ``delay``."""
    conn.execute(
        """UPDATE outbox SET sent_at = NULL, available_at = now() + %s, last_error = %s,
                  payload = jsonb_set(payload, '{attempt}', to_jsonb(%s::integer))
           WHERE request_id = %s""",
        (delay, note[:_REASON_LIMIT], attempt, key),
    )


def mark_request(
    conn: psycopg.Connection,
    request_id: uuid.UUID | str,
    *,
    status: Status,
    run_id: str | None = None,
    failure_reason: str | None = None,
    attempt: int | None = None,
    failed_ads: Mapping[str, Any] | None = None,
) -> bool:
    """Move a request to ``status``; return True when it changed, False when nothing was recorded.

    - forward moves along received → queued → running → succeeded | failed apply, skips included
      (the consumer can mark a request running before the relay's commit marks it queued);
    - repeats are no-ops, and late steps (``queued`` or ``running`` after the request moved past
      them) are ignored, because at-least-once delivery and sensor ticks can replay them; so is
      anything reported for an ``attempt`` older than the request's current one, or for the run
      whose failure put the request in ``retrying``;
    - ``failed → queued`` is a manual retry: a new attempt, whose outbox row the relay publishes;
    - a different ``run_id`` than the recorded one after the request ended is a new run of it
      (a Dagster re-execution), so its ``running``/outcome applies;
    - ``succeeded ↔ failed`` for the same run and any move to ``received`` raise
      :class:`InvalidTransitionError`.

    A failed run's outcome goes through :func:`settle_failure`, which decides between a retry and
    a final failure. Ids with no row (refresh batches have deterministic non-UUID ids) return
    False: runs of every kind report their outcome here, and only recorded requests have a lifecycle.
    """
    if status not in _MARKABLE:
        raise InvalidTransitionError(f"unknown request status {status!r}; expected one of {sorted(_MARKABLE)}")
    key = _as_uuid(request_id)
    if key is None:
        log.debug("status of an unrecorded request skipped", extra={"request_id": str(request_id)})
        return False
    with conn.transaction():
        row = conn.execute("SELECT status, run_id, retries FROM requests WHERE id = %s FOR UPDATE", (key,)).fetchone()
        if row is None:
            log.warning("status for a request with no row skipped", extra={"request_id": str(key), "status": status})
            return False
        current, current_run, retries = row
        context = {
            "request_id": str(key),
            "from_status": current,
            "to_status": status,
            "run_id": run_id,
            "attempt": attempt,
        }
        if status == "received" and current != "received":
            raise InvalidTransitionError(f"request {key} cannot go back from {current!r} to 'received'")
        if _is_stale(current, current_run, retries, run_id, attempt):
            log.info("status of an earlier attempt ignored", extra={**context, "current_attempt": retries})
            return False
        retry = current == "failed" and status == "queued"
        rerun = (
            current in FINAL_STATUSES
            and status in ("running", "succeeded", "failed")
            and run_id is not None
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
                "next_attempt_at = NULL, attempts = attempts + 1 WHERE id = %s",
                (run_id, key),
            )
        elif status in FINAL_STATUSES:
            conn.execute(
                "UPDATE requests SET status = %s, run_id = coalesce(%s, run_id), failure_reason = %s, "
                "failed_ads = %s, next_attempt_at = NULL WHERE id = %s",
                (status, run_id, failure_reason if status == "failed" else None, Jsonb(dict(failed_ads or {})), key),
            )
        elif retry:
            conn.execute(
                "UPDATE requests SET status = 'queued', failure_reason = NULL, retries = retries + 1 WHERE id = %s",
                (key,),
            )
            _requeue(conn, key, attempt=retries + 1, delay=timedelta(0), note="manual retry after failure")
        else:  # queued
            conn.execute("UPDATE requests SET status = 'queued', failure_reason = NULL WHERE id = %s", (key,))
        log.info("request status changed", extra={**context, "retry": retry, "rerun": rerun})
        return True


def _is_stale(current: str, current_run: str | None, retries: int, run_id: str | None, attempt: int | None) -> bool:
    """Whether a status names an attempt the request has moved past."""
    if attempt is not None and attempt < retries:
        return True
    # the run whose failure scheduled the retry, reported late (its 'running', or its outcome again)
    return current == "retrying" and run_id is not None and run_id == current_run


def settle_failure(
    conn: psycopg.Connection,
    request_id: uuid.UUID | str,
    *,
    run_id: str,
    failure_reason: str,
    attempt: int | None = None,
    failed_ads: Mapping[str, Any] | None = None,
    policy: RetryPolicy = RETRY_POLICY,
) -> Settlement | None:
    """Settle a failed run of the request: ``retrying`` while ``policy`` allows another attempt
    (the outbox row is published again after the backoff, as attempt ``retries + 1``), else
    ``failed`` for good. Returns None when nothing changed: no row, an earlier attempt's run, or
    this run's failure settled already (a sensor tick evaluated again).

    Either way the request keeps ``failure_reason`` and ``failed_ads``, so the row says why the
    attempt failed while the next one waits. A run that succeeded cannot fail
    (:class:`InvalidTransitionError`).
    """
    key = _as_uuid(request_id)
    if key is None:
        return None
    reason = failure_reason[:_REASON_LIMIT]
    with conn.transaction():
        row = conn.execute("SELECT status, run_id, retries FROM requests WHERE id = %s FOR UPDATE", (key,)).fetchone()
        if row is None:
            log.warning("failure of a request with no row skipped", extra={"request_id": str(key), "run_id": run_id})
            return None
        current, current_run, retries = row
        context = {"request_id": str(key), "run_id": run_id, "attempt": attempt, "from_status": current}
        if _is_stale(current, current_run, retries, run_id, attempt) or (current == "failed" and current_run == run_id):
            log.info("failure already settled or of an earlier attempt", extra={**context, "current_attempt": retries})
            return None
        if current == "succeeded" and current_run == run_id:
            raise InvalidTransitionError(f"request {key} cannot go from 'succeeded' to 'failed' (same run)")
        if retries < policy.max_retries:
            return _schedule_retry(conn, key, run_id, reason, failed_ads, retries, policy, context)
        conn.execute(
            """UPDATE requests SET status = 'failed', run_id = %s, failure_reason = %s, failed_ads = %s,
                      next_attempt_at = NULL
               WHERE id = %s""",
            (run_id, reason, Jsonb(dict(failed_ads or {})), key),
        )
        log.error("request failed for good", extra={**context, "retries": retries, "reason": reason})
        return "failed"


def settle_success(
    conn: psycopg.Connection,
    request_id: uuid.UUID | str,
    *,
    run_id: str,
    attempt: int | None = None,
    failed_ads: Mapping[str, Any] | None = None,
    policy: RetryPolicy = RETRY_POLICY,
) -> Settlement | None:
    """Settle a succeeded run of the request: ``retrying`` when some of its ads failed transiently
    (``failed_ads`` per stage, see :func:`adology.requests.notifications.run_failed_ads`) and
    ``policy`` allows another attempt, else ``succeeded`` with the failed ads counted. Returns None
    when nothing changed (no row, an earlier attempt's run, a repeated evaluation)."""
    key = _as_uuid(request_id)
    if key is None:
        return None
    transient = {stage: entry for stage, entry in (failed_ads or {}).items() if entry.get("transient")}
    with conn.transaction():
        row = conn.execute("SELECT status, run_id, retries FROM requests WHERE id = %s FOR UPDATE", (key,)).fetchone()
        # an ended request is left to mark_request: a repeated evaluation, or a re-execution of it
        if transient and row is not None and row[0] not in FINAL_STATUSES and row[2] < policy.max_retries:
            current, current_run, retries = row
            context = {"request_id": str(key), "run_id": run_id, "attempt": attempt, "from_status": current}
            if _is_stale(current, current_run, retries, run_id, attempt):
                log.info("success of an earlier attempt ignored", extra={**context, "current_attempt": retries})
                return None
            reason = "; ".join(
                f"{stage}: {entry['transient']} ad(s) failed transiently "
                f"({', '.join(f'{cause}: {count}' for cause, count in entry['reasons'].items())})"
                for stage, entry in transient.items()
            )
            return _schedule_retry(conn, key, run_id, reason, failed_ads, retries, policy, context)
        changed = mark_request(conn, key, status="succeeded", run_id=run_id, attempt=attempt, failed_ads=failed_ads)
        return "succeeded" if changed else None


def _schedule_retry(
    conn: psycopg.Connection,
    key: uuid.UUID,
    run_id: str,
    reason: str,
    failed_ads: Mapping[str, Any] | None,
    retries: int,
    policy: RetryPolicy,
    context: dict[str, Any],
) -> Settlement:
    """``retrying``: the attempt's reason on the row, the outbox row published again after the backoff."""
    delay = policy.delay(retries + 1)
    conn.execute(
        """UPDATE requests SET status = 'retrying', run_id = %s, failure_reason = %s, failed_ads = %s,
                  retries = retries + 1, next_attempt_at = now() + %s
           WHERE id = %s""",
        (run_id, reason[:_REASON_LIMIT], Jsonb(dict(failed_ads or {})), delay, key),
    )
    _requeue(conn, key, attempt=retries + 1, delay=delay, note=f"retry {retries + 1} after: {reason}")
    log.warning(
        "request attempt failed; retrying after a backoff",
        extra={**context, "retry": retries + 1, "delay_seconds": delay.total_seconds(), "reason": reason},
    )
    return "retrying"


def get_request(conn: psycopg.Connection, request_id: uuid.UUID | str) -> dict[str, Any]:
    """The request row with its brand's partition key (``brand``) and its outbox state."""
    key = _as_uuid(request_id)
    if key is None:
        raise UnknownRequestError(f"no request {request_id!r} in table requests (not a UUID)")
    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute(
            """SELECT r.id, r.organization_id, r.user_id, r.brand_id, b.partition_key AS brand, r.brandspace_id,
                      r.kind, r.priority, r.assets, r.status, r.run_id, r.failure_reason, r.attempts,
                      r.retries, r.next_attempt_at, r.failed_ads, r.created_at, r.updated_at,
                      o.sent_at AS outbox_sent_at, o.attempts AS outbox_attempts, o.last_error AS outbox_last_error,
                      o.available_at AS outbox_available_at, o.payload AS outbox_payload
               FROM requests r
               LEFT JOIN brands b ON b.id = r.brand_id
               LEFT JOIN LATERAL (SELECT sent_at, attempts, last_error, available_at, payload FROM outbox
                                  WHERE request_id = r.id ORDER BY id DESC LIMIT 1) o ON true
               WHERE r.id = %s""",
            (key,),
        ).fetchone()
    if row is None:
        raise UnknownRequestError(f"no request {str(key)!r} in table requests")
    return row
