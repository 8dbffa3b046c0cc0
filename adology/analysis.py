"""Per-ad AI analysis of one brand: one stage (describe, label or embed) over the ads that need it.

An ad needs a stage when it has no result for the stage's current version and inputs, or its
last attempt failed. Unchanged ads cost no AI call. Work runs as asyncio fan-out under one
:class:`AIGovernor` (concurrency, requests and tokens per minute, budget) in batches, so memory
stays flat: per batch the creatives are read from S3, results are bulk-loaded into Postgres in one
transaction, the full AI document per ad goes to Mongo ``ad_analyses`` and a line per ad is
appended to its log ``logs/{brand}/{ad}.jsonl`` in S3. A failed ad keeps its reason and the run
goes on; a spent budget stops new AI work cleanly and leaves the rest for the next run.
"""

from __future__ import annotations

import asyncio
import collections
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pgvector import Vector
from psycopg.types.json import Jsonb

from adology.ai.limits import AIGovernor, BudgetExhausted
from adology.ai.routines import ROUTINES, Routine
from adology.ai.types import (
    AdInput,
    AIError,
    CreativeInput,
    CreativeKind,
    Description,
    Embeddings,
    Labels,
    Provider,
    Usage,
    input_hash,
)
from adology.brands import Brand
from adology.logs import get_logger, log_context
from adology.storage.s3 import ObjectStore

log = get_logger(__name__)

_ESTIMATED_TOKENS = {"describe": 2_000, "label": 1_200, "embed": 300}


@dataclass
class StageReport:
    stage: str
    skipped_reason: str | None = None
    ads: int = 0
    unchanged: int = 0
    selected: int = 0
    succeeded: int = 0
    failed: int = 0
    not_started_budget: int = 0
    waiting_for_description: int = 0
    failure_reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0

    def as_metadata(self) -> dict[str, Any]:
        return {
            "ads": self.ads, "unchanged": self.unchanged, "selected": self.selected, "succeeded": self.succeeded,
            "failed": self.failed, "not_started_budget": self.not_started_budget,
            "waiting_for_description": self.waiting_for_description, "ai_calls": self.usage.calls,
            "input_tokens": self.usage.input_tokens, "output_tokens": self.usage.output_tokens,
            "estimated_cost_usd": round(self.usage.cost_usd, 6), "seconds": round(self.seconds, 3),
        }


@dataclass
class _Candidate:
    ad_id: int
    source_ad_id: str
    row: dict[str, Any]
    media: list[dict[str, Any]]
    description: Description | None
    input_hash: str


async def analyze_brand(
    stage: str,
    brand: Brand,
    *,
    provider: Provider,
    governor: AIGovernor,
    store: ObjectStore,
    connect: Callable[[], Any],
    analyses: Any,
    batch_size: int = 100,
    progress: Callable[[StageReport], None] | None = None,
) -> StageReport:
    routine = ROUTINES[stage]
    report = StageReport(stage=stage)
    started = time.monotonic()
    if brand.status != "analyzed":
        report.skipped_reason = f"brand {brand.partition_key} is {brand.status}: AI stages run for analyzed brands only"
        return report
    version = routine.version(provider)
    with log_context(brand=brand.partition_key, stage=stage):
        candidates = await asyncio.to_thread(_candidates, connect, brand, routine, version, report)
        stop = asyncio.Event()
        for batch in _batches(candidates, batch_size):
            if stop.is_set():
                report.not_started_budget += len(batch)
                continue
            inputs = await asyncio.gather(*(asyncio.to_thread(_ad_input, store, brand, c) for c in batch))
            outcomes = await asyncio.gather(
                *(_run_one(routine, provider, governor, ad, c, stop, report) for ad, c in zip(inputs, batch, strict=True))
            )
            done = [(c, outcome) for c, outcome in zip(batch, outcomes, strict=True) if outcome is not None]
            await asyncio.to_thread(_write_batch, connect, stage, version, provider, done)
            await asyncio.to_thread(_write_documents, analyses, store, brand, stage, version, provider, done)
            report.usage = governor.usage
            if progress is not None:
                progress(report)
    report.usage = governor.usage
    report.seconds = time.monotonic() - started
    return report


def _batches(items: list[_Candidate], size: int) -> Iterator[list[_Candidate]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _candidates(
    connect: Callable[[], Any], brand: Brand, routine: Routine, version: str, report: StageReport
) -> list[_Candidate]:
    with connect() as conn:
        cursor = conn.execute(
            """SELECT a.id, a.source_ad_id, a.title, a.body, a.link_url, a.cta, a.media,
                      s.version, s.input_hash, s.status,
                      d.analysis_version, d.description, d.attributes
               FROM ads a
               LEFT JOIN ad_analysis_state s ON s.ad_id = a.id AND s.stage = %s
               LEFT JOIN LATERAL (SELECT analysis_version, description, attributes FROM ad_descriptions
                                  WHERE ad_id = a.id ORDER BY created_at DESC LIMIT 1) d ON true
               WHERE a.brand_id = %s
               ORDER BY a.id""",
            (routine.name, brand.id),
        )
        rows = cursor.fetchall()
    selected = []
    for (ad_id, source_ad_id, title, body, link_url, cta, media, state_version, state_hash, status,
         description_version, description_text, attributes) in rows:
        report.ads += 1
        stored = [m for m in media if m.get("s3_key")]
        if not stored and not (title or body):
            continue  # nothing to analyse: no creative and no copy
        description = None
        if routine.needs_description:
            if description_text is None:
                report.waiting_for_description += 1
                continue
            description = Description(description=description_text, attributes=attributes)
        digest = input_hash(title, body, link_url, cta, [m["sha256"] for m in stored])
        if routine.needs_description:
            digest = f"{digest}:{description_version}"
        if status == "succeeded" and state_version == version and state_hash == digest:
            report.unchanged += 1
            continue
        selected.append(_Candidate(ad_id, source_ad_id, {"title": title, "body": body, "link_url": link_url,
                                                         "cta": cta}, stored, description, digest))
    report.selected = len(selected)
    return selected


def _ad_input(store: ObjectStore, brand: Brand, candidate: _Candidate) -> AdInput | AIError:
    creatives = []
    for item in candidate.media:
        try:
            data = store.get_bytes(key=item["s3_key"])
        except ClientError as exc:
            return AIError("media_unavailable", f"{item['s3_key']}: {exc}")
        kind = CreativeKind.VIDEO if item.get("content_type", "").startswith("video/") else CreativeKind.IMAGE
        creatives.append(CreativeInput(kind=kind, content_type=item.get("content_type", ""), sha256=item["sha256"],
                                       data=data))
    return AdInput(ad_id=str(candidate.ad_id), brand=brand.name, creatives=creatives, **candidate.row)


async def _run_one(
    routine: Routine,
    provider: Provider,
    governor: AIGovernor,
    ad: AdInput | AIError,
    candidate: _Candidate,
    stop: asyncio.Event,
    report: StageReport,
) -> tuple[Any, Usage] | AIError | None:
    """The routine's result, the AIError it failed with, or None when the budget stopped it."""
    if isinstance(ad, AIError):
        report.failed += 1
        report.failure_reasons[ad.reason] += 1
        return ad
    if stop.is_set():
        report.not_started_budget += 1
        return None
    try:
        slots = await governor.admit(estimated_tokens=_ESTIMATED_TOKENS[routine.name])
    except BudgetExhausted as exc:
        if not stop.is_set():
            log.warning("AI budget reached; remaining ads wait for the next run", extra={"detail": exc.detail})
        stop.set()
        report.not_started_budget += 1
        return None
    try:
        result, usage = await routine.run(provider, ad, candidate.description)
    except AIError as exc:
        report.failed += 1
        report.failure_reasons[exc.reason] += 1
        log.warning("ad analysis failed", extra={"ad": candidate.source_ad_id, "reason": exc.reason,
                                                  "detail": exc.detail})
        return exc
    finally:
        slots.release()
    governor.record(usage)
    report.succeeded += 1
    return result, usage


def _write_batch(
    connect: Callable[[], Any], stage: str, version: str, provider: Provider,
    done: list[tuple[_Candidate, tuple[Any, Usage] | AIError]],
) -> None:
    if not done:
        return
    states, descriptions, labels, embeddings = [], [], [], []
    for candidate, outcome in done:
        if isinstance(outcome, AIError):
            states.append((candidate.ad_id, stage, version, candidate.input_hash, "failed", outcome.reason,
                           outcome.detail[:2000]))
            continue
        result, _ = outcome
        states.append((candidate.ad_id, stage, version, candidate.input_hash, "succeeded", None, None))
        model = provider.model_id(stage)
        if isinstance(result, Description):
            descriptions.append((candidate.ad_id, version, result.description, result.word_count,
                                 Jsonb(result.attributes), provider.name, model, version, candidate.input_hash))
        elif isinstance(result, Labels):
            labels.extend((candidate.ad_id, item.taxonomy, version, item.label, item.confidence, provider.name, model,
                           candidate.input_hash) for item in result.labels)
        elif isinstance(result, Embeddings):
            embeddings.extend((candidate.ad_id, item.kind.value, item.model, item.dimensions, Vector(item.vector),
                               candidate.input_hash) for item in result.embeddings)
    with connect() as conn, conn.transaction():
        cursor = conn.cursor()
        succeeded_ids = [c.ad_id for c, outcome in done if not isinstance(outcome, AIError)]
        if stage == "label" and succeeded_ids:
            # a label the new version no longer assigns must not linger from the old one
            cursor.execute("DELETE FROM ad_labels WHERE ad_id = ANY(%s) AND taxonomy_version = %s",
                           (succeeded_ids, version))
        cursor.executemany(
            """INSERT INTO ad_descriptions (ad_id, analysis_version, description, word_count, attributes, provider,
                                            model, prompt_version, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, analysis_version) DO UPDATE SET description = EXCLUDED.description,
                   word_count = EXCLUDED.word_count, attributes = EXCLUDED.attributes,
                   input_hash = EXCLUDED.input_hash, created_at = now()""",
            descriptions,
        )
        cursor.executemany(
            """INSERT INTO ad_labels (ad_id, taxonomy, taxonomy_version, label, confidence, provider, model, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, taxonomy, taxonomy_version, label) DO UPDATE
               SET confidence = EXCLUDED.confidence, input_hash = EXCLUDED.input_hash, created_at = now()""",
            labels,
        )
        cursor.executemany(
            """INSERT INTO ad_embeddings (ad_id, kind, model, dimensions, embedding, input_hash)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, kind, model) DO UPDATE SET dimensions = EXCLUDED.dimensions,
                   embedding = EXCLUDED.embedding, input_hash = EXCLUDED.input_hash, created_at = now()""",
            embeddings,
        )
        cursor.executemany(
            """INSERT INTO ad_analysis_state (ad_id, stage, version, input_hash, status, reason, detail)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (ad_id, stage) DO UPDATE SET version = EXCLUDED.version, input_hash = EXCLUDED.input_hash,
                   status = EXCLUDED.status, reason = EXCLUDED.reason, detail = EXCLUDED.detail,
                   attempts = CASE WHEN EXCLUDED.status = 'failed' THEN ad_analysis_state.attempts + 1 ELSE 1 END,
                   updated_at = now()""",
            states,
        )


def _write_documents(
    analyses: Any, store: ObjectStore, brand: Brand, stage: str, version: str, provider: Provider,
    done: list[tuple[_Candidate, tuple[Any, Usage] | AIError]],
) -> None:
    now = datetime.now(UTC)
    for candidate, outcome in done:
        failed = isinstance(outcome, AIError)
        entry = {
            "ad_id": candidate.ad_id, "source_ad_id": candidate.source_ad_id, "brand": brand.partition_key,
            "stage": stage, "version": version, "provider": provider.name, "model": provider.model_id(stage),
            "input_hash": candidate.input_hash, "at": now.isoformat(),
            "status": "failed" if failed else "succeeded",
        }
        if failed:
            entry |= {"reason": outcome.reason, "detail": outcome.detail}
        else:
            result, usage = outcome
            entry |= {"result": result.model_dump(mode="json"), "usage": usage.model_dump()}
        analyses.replace_one({"ad_id": candidate.ad_id, "stage": stage, "version": version},
                             {**entry, "at": now}, upsert=True)
        _append_log(store, f"logs/{brand.partition_key}/{candidate.ad_id}.jsonl", entry)


def _append_log(store: ObjectStore, key: str, entry: dict[str, Any]) -> None:
    """S3 has no append: read the log, add a line, write it back (one writer per ad and stage)."""
    try:
        existing = store.get_bytes(key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in {"NoSuchKey", "404"}:
            raise
        existing = b""
    line = json.dumps(entry, default=str, separators=(",", ":")).encode() + b"\n"
    store.put_bytes(key=key, data=existing + line, content_type="application/x-ndjson")


def stage_invariants(conn: Any, stage: str, brand_id: int) -> dict[str, int]:
    """Counts that must be zero after a stage ran for a brand."""
    if stage == "describe":
        queries = {
            "descriptions_over_500_words": "SELECT count(*) FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id "
                                           "WHERE a.brand_id = %(brand)s AND d.word_count > 500",
            "descriptions_without_attributes": "SELECT count(*) FROM ad_descriptions d JOIN ads a ON a.id = d.ad_id "
                                               "WHERE a.brand_id = %(brand)s AND d.attributes = '{}'::jsonb",
        }
    elif stage == "label":
        queries = {
            "labels_outside_taxonomy": "SELECT count(*) FROM ad_labels l JOIN ads a ON a.id = l.ad_id "
                                       "WHERE a.brand_id = %(brand)s AND NOT (l.taxonomy || ':' || l.label = ANY(%(known)s))",
            "labels_with_bad_confidence": "SELECT count(*) FROM ad_labels l JOIN ads a ON a.id = l.ad_id "
                                          "WHERE a.brand_id = %(brand)s AND NOT (l.confidence BETWEEN 0 AND 1)",
        }
    else:
        queries = {
            "embeddings_with_wrong_dimensions": "SELECT count(*) FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id "
                                                "WHERE a.brand_id = %(brand)s AND vector_dims(e.embedding) <> e.dimensions",
            "embeddings_not_unit_norm": "SELECT count(*) FROM ad_embeddings e JOIN ads a ON a.id = e.ad_id "
                                        "WHERE a.brand_id = %(brand)s AND abs(vector_norm(e.embedding) - 1) > 0.001",
            "models_with_mixed_dimensions": "SELECT count(*) FROM (SELECT e.kind, e.model FROM ad_embeddings e "
                                            "JOIN ads a ON a.id = e.ad_id WHERE a.brand_id = %(brand)s "
                                            "GROUP BY 1, 2 HAVING count(DISTINCT e.dimensions) > 1) m",
        }
    from adology.ai.schema import taxonomies

    known = [f"{name}:{label}" for name, taxonomy in taxonomies().items() for label in taxonomy.names]
    return {name: conn.execute(sql, {"brand": brand_id, "known": known}).fetchone()[0] for name, sql in queries.items()}
