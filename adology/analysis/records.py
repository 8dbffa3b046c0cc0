"""Storing a stage's outcomes: one Postgres transaction per batch (the stage's rows and the analysis
state), the full AI document per ad appended to Mongo ``ad_analyses``, and one entry per ad and stage
in its S3 log (``logs/{brand}/{ad}/{time}-{stage}.json``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from adology.ai.types import AIError, Provider, Usage
from adology.analysis.candidates import Candidate
from adology.analysis.stages import Stage, StoredResult
from adology.storage.s3 import ObjectStore

_LOG_WRITERS = 16  # parallel S3 PUTs of per-ad log entries within one flush

Outcome = tuple[Any, Usage] | AIError  # the routine's result and its share of the cost, or why it failed


def store_outcomes(
    connect: Callable[[], Any],
    analyses: Any,
    store: ObjectStore,
    stage: Stage,
    version: str,
    provider: Provider,
    done: list[tuple[Candidate, Outcome]],
) -> None:
    """Store a batch of outcomes: rows and state in one transaction, then the documents and logs."""
    if not done:
        return
    states: list[tuple[int, str, str, str, str, str | None, str | None]] = []
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
                )
            )
        else:
            states.append((candidate.ad_id, stage.name, version, candidate.input_hash, "succeeded", None, None))
            results.append(StoredResult(candidate.ad_id, candidate.input_hash, outcome[0]))
    with connect() as conn, conn.transaction():
        cursor = conn.cursor()
        stage.write(cursor, results, version=version, provider=provider.name, model=provider.model_id(stage.name))
        cursor.executemany(
            """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason, detail)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, stage) DO UPDATE SET version = EXCLUDED.version, input_hash = EXCLUDED.input_hash,
                   status = EXCLUDED.status, reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                   attempts = CASE WHEN EXCLUDED.status = 'failed' THEN ad_analysis_state.attempts + 1 ELSE 1 END,
                   updated_at = now()""",
            states,
        )
    _write_documents(analyses, store, stage, version, provider, done)


def _write_documents(
    analyses: Any,
    store: ObjectStore,
    stage: Stage,
    version: str,
    provider: Provider,
    done: list[tuple[Candidate, Outcome]],
) -> None:
    """Append each ad's document to Mongo (one insert for the batch) and its entry to its S3 log.

    Both are append-only: an ad's history is every attempt in order, the newest (``at``) wins,
    and no write reads first, so a flush costs one Mongo insert and one PUT per ad."""
    now = datetime.now(UTC)
    documents = []
    for candidate, outcome in done:
        failed = isinstance(outcome, AIError)
        entry = {
            "ad_id": candidate.ad_id,
            "source_ad_id": candidate.source_ad_id,
            "brand": candidate.brand.partition_key,
            "stage": stage.name,
            "version": version,
            "provider": provider.name,
            "model": provider.model_id(stage.name),
            "input_hash": candidate.input_hash,
            "status": "failed" if failed else "succeeded",
        }
        if isinstance(outcome, AIError):
            entry |= {"reason": outcome.reason, "detail": outcome.detail}
        else:
            result, usage = outcome
            entry |= {"result": stage.document(result), "usage": usage.model_dump()}
        documents.append((candidate, entry))
    if documents:
        analyses.insert_many([{**entry, "at": now} for _, entry in documents])
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")

    def put_log(item: tuple[Candidate, dict[str, Any]]) -> None:
        candidate, entry = item
        store.put_bytes(
            key=f"logs/{candidate.brand.partition_key}/{candidate.ad_id}/{stamp}-{stage.name}.json",
            data=json.dumps(entry | {"at": now.isoformat()}, default=str).encode(),
            content_type="application/json",
        )

    with ThreadPoolExecutor(_LOG_WRITERS, thread_name_prefix="ad-log") as pool:
        list(pool.map(put_log, documents))


def read_ad_log(store: ObjectStore, brand_key: str, ad_id: int) -> list[dict[str, Any]]:
    """The ad's log entries, oldest first (keys sort by time)."""
    return [
        json.loads(store.get_bytes(key=key)) for key in sorted(store.list_keys(prefix=f"logs/{brand_key}/{ad_id}/"))
    ]
