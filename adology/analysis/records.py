"""Storing a stage's outcomes: per ad, its entry in its S3 log and its full AI document in Mongo
``ad_analyses``, then, for the batch, one Postgres transaction with the stage's rows and the analysis
state that marks the ads done.

The transaction commits last, so a fault in any store leaves the batch's ads as they were: not done,
attempted again by the next run, and never done without their log entry. That retry must not add a
second entry for what is one attempt, so an attempt is named by the state it follows (when the ad's
stage state was last written, or ``first``): a retry after a fault follows the same state, rewrites
the same log object (``logs/{brand}/{ad}/{stage}-{attempt}.json``) and replaces the same document,
while an attempt after a committed one follows a newer state and is a new entry.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from montydb.errors import BulkWriteError as MontyBulkWriteError
from pymongo.errors import BulkWriteError as MongoBulkWriteError

from adology.ai.types import AIError, Provider, Usage
from adology.analysis.candidates import Candidate
from adology.analysis.stages import Stage, StoredResult
from adology.logs import get_logger
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)

_LOG_WRITERS = 16  # parallel S3 PUTs of per-ad log entries within one flush
_DUPLICATE_KEY = 11000
_STAMP = "%Y%m%dT%H%M%S%fZ"

Outcome = tuple[Any, Usage] | AIError  # the routine's result and its share of the cost, or why it failed


@dataclass(frozen=True)
class _Entry:
    """One ad's attempt as its log and its document record it."""

    key: str  # the S3 log object's key
    document_id: str  # the Mongo document's ``_id``
    body: dict[str, Any]


def store_outcomes(
    connect: Callable[[], Any],
    analyses: Any,
    store: ObjectStore,
    stage: Stage,
    version: str,
    provider: Provider,
    done: list[tuple[Candidate, Outcome]],
) -> None:
    """Store a batch of outcomes: the logs, then the documents, then rows and state in one transaction."""
    if not done:
        return
    entries = _entries(stage, version, provider, done)
    _write_logs(store, entries)
    _write_documents(analyses, entries)
    _commit(connect, stage, version, provider, done)


def _attempt_name(candidate: Candidate) -> str:
    """The name of this attempt at the ad's stage: the state it follows."""
    previous = candidate.previous_attempt_at
    return "first" if previous is None else f"after-{previous.astimezone(UTC).strftime(_STAMP)}"


def _entries(stage: Stage, version: str, provider: Provider, done: list[tuple[Candidate, Outcome]]) -> list[_Entry]:
    now = datetime.now(UTC)
    entries = []
    for candidate, outcome in done:
        body: dict[str, Any] = {
            "ad_id": candidate.ad_id,
            "source_ad_id": candidate.source_ad_id,
            "brand": candidate.brand.partition_key,
            "stage": stage.name,
            "attempt": _attempt_name(candidate),
            "version": version,
            "provider": provider.name,
            "model": provider.model_id(stage.name),
            "input_hash": candidate.input_hash,
            "status": "failed" if isinstance(outcome, AIError) else "succeeded",
            "at": now,
        }
        if isinstance(outcome, AIError):
            body |= {"reason": outcome.reason, "detail": outcome.detail}
        else:
            result, usage = outcome
            body |= {"result": stage.document(result), "usage": usage.model_dump()}
        name = f"{candidate.brand.partition_key}/{candidate.ad_id}/{stage.name}-{body['attempt']}"
        entries.append(_Entry(key=f"logs/{name}.json", document_id=name, body=body))
    return entries


def _write_logs(store: ObjectStore, entries: list[_Entry]) -> None:
    """One PUT per ad, in parallel; the first failure is raised once every PUT has ended."""

    def put_log(entry: _Entry) -> None:
        store.put_bytes(
            key=entry.key,
            data=json.dumps(entry.body | {"at": entry.body["at"].isoformat()}, default=str).encode(),
            content_type="application/json",
        )

    with ThreadPoolExecutor(_LOG_WRITERS, thread_name_prefix="ad-log") as pool:
        list(pool.map(put_log, entries))


def _write_documents(analyses: Any, entries: list[_Entry]) -> None:
    """One insert for the batch. A document already there is a retried attempt's, written before a
    fault kept its ad from being done: this attempt's replaces it (a retry is rare, so the common
    flush stays one insert that reads nothing)."""
    remaining = [{"_id": entry.document_id, **entry.body} for entry in entries]
    while remaining:
        try:
            analyses.insert_many(remaining, ordered=True)
            return
        except (MongoBulkWriteError, MontyBulkWriteError) as exc:
            error = exc.details["writeErrors"][0]
            if error.get("code") != _DUPLICATE_KEY:
                raise
            retried = remaining[error["index"]]
            log.info("replacing a retried attempt's document", extra={"document": retried["_id"]})
            analyses.replace_one({"_id": retried["_id"]}, retried)
            remaining = remaining[error["index"] + 1 :]


def _commit(
    connect: Callable[[], Any],
    stage: Stage,
    version: str,
    provider: Provider,
    done: list[tuple[Candidate, Outcome]],
) -> None:
    """The stage's rows and the ads' state in one transaction: what marks them done (or failed)."""
    states: list[tuple[int, str, str, str, str, str | None, str | None, bool]] = []
    results: list[StoredResult] = []
    for candidate, outcome in done:
        if isinstance(outcome, AIError):
            states.append(
                (
                    candidate.ad_id,
                    stage.name,
                    version,
                    candidate.input_hash,
                    "failed",
                    outcome.reason,
                    outcome.detail[:2000],
                    outcome.retryable,
                )
            )
        else:
            states.append((candidate.ad_id, stage.name, version, candidate.input_hash, "succeeded", None, None, False))
            results.append(StoredResult(candidate.ad_id, candidate.input_hash, outcome[0]))
    with connect() as conn, conn.transaction():
        cursor = conn.cursor()
        stage.write(cursor, results, version=version, provider=provider.name, model=provider.model_id(stage.name))
        cursor.executemany(
            """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason, detail, transient)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, stage) DO UPDATE SET version = EXCLUDED.version, input_hash = EXCLUDED.input_hash,
                   status = EXCLUDED.status, reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                   transient = EXCLUDED.transient,
                   attempts = CASE WHEN EXCLUDED.status = 'failed' THEN ad_analysis_state.attempts + 1 ELSE 1 END,
                   updated_at = now()""",
            states,
        )
        if results:  # the brands whose ads this batch analysed: what the API shows as last analyzed
            cursor.execute(
                "UPDATE brands SET last_analyzed_at = now() WHERE id IN (SELECT brand_id FROM ads WHERE id = ANY(%s))",
                ([result.ad_id for result in results],),
            )


def read_ad_log(store: ObjectStore, brand_key: str, ad_id: int) -> list[dict[str, Any]]:
    """The ad's log entries, oldest first (by the time each attempt was stored)."""
    entries = [json.loads(store.get_bytes(key=key)) for key in store.list_keys(prefix=f"logs/{brand_key}/{ad_id}/")]
    return sorted(entries, key=lambda entry: entry["at"])
